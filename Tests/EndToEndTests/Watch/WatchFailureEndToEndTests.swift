import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// API failures while watching: the child is left alone, each failure state is logged once,
/// and a later change is still picked up.
@Suite("soup-run --watch: API failures", .serialized)
struct WatchFailureEndToEndTests {
    static let good = ["WATCHED": "one"]

    /// Runs the child against a scripted API, switches it to `failure`, waits for `polls`
    /// failed polls, then answers with a change and expects exactly one restart.
    func leavesTheChildAloneDuring(_ failure: WatchScriptedAPI.Answer, expectInLog: String, polls: Int = 2) throws {
        let api = try WatchScriptedAPI(.secrets(Self.good))
        let script = try WatchScript()
        let run = try startWatch(apiURL: api.apiURL, command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        #expect(run.stdoutText.contains("value=one"))

        api.set(failure)
        #expect(
            watchWaitUntil(run, timeout: 60) { watchCount(of: "cannot refresh secrets", in: run.stderrText) >= polls },
            "stderr: \(run.stderrText)")
        #expect(watchCount(of: "warning: cannot refresh secrets", in: run.stderrText) == 1, "logged once per state")
        #expect(run.stderrText.contains(expectInLog), "stderr: \(run.stderrText)")
        #expect(!run.stdoutText.contains("ready 2") && !run.stdoutText.contains("got TERM"), "the child is untouched")

        api.set(.secrets(["WATCHED": "two"]))
        #expect(run.waitForOutput("ready 2 ", in: .stdout, timeout: 60), "stderr: \(run.stderrText)")
        #expect(run.stdoutText.contains("value=two"))
        #expect(run.stderrText.contains("secrets API answering again"))
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(0))
        #expect(watchCount(of: "ready ", in: result.stdoutText) == 2)
    }

    @Test func serverError500() throws {
        try leavesTheChildAloneDuring(.status(500, body: #"{"error":"boom"}"#, headers: []), expectInLog: "HTTP 500")
    }

    @Test func garbageJSON() throws {
        try leavesTheChildAloneDuring(
            .status(200, body: "{\"data\": {\"A\": ", headers: []), expectInLog: "not valid JSON")
    }

    @Test func tokenRevoked401() throws {
        try leavesTheChildAloneDuring(
            .status(401, body: #"{"error":"invalid token"}"#, headers: []), expectInLog: "HTTP 401")
    }

    @Test func invalidKeyNeverReplacesTheGoodEnvironment() throws {
        try leavesTheChildAloneDuring(
            .status(200, body: #"{"data":{"bad-key":"x"}}"#, headers: []), expectInLog: "bad-key")
    }

    @Test func rateLimited429WithRetryAfterIsHonoured() throws {
        let api = try WatchScriptedAPI(.secrets(Self.good))
        let script = try WatchScript()
        let run = try startWatch(apiURL: api.apiURL, command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        api.set(.status(429, body: "", headers: [("Retry-After", "2")]))
        #expect(watchWaitUntil(run, timeout: 30) { run.stderrText.contains("rate limiting") })
        let limitedAt = api.requests
        let since = Date()
        // The next poll waits for Retry-After (2 s) plus a random share of the effective interval
        // (doubled to at least Retry-After, so 2 s more at most), not the 0.2 s interval.
        #expect(watchWaitUntil(run, timeout: 30) { api.requests > limitedAt })
        #expect(Date().timeIntervalSince(since) >= 1.5)
        #expect(run.stderrText.contains(#/next attempt in (2|3)(\.\d)? s/#), "\(run.stderrText)")
        api.set(.secrets(["WATCHED": "two"]))
        #expect(run.waitForOutput("ready 2 ", in: .stdout, timeout: 60))
        #expect(!run.stdoutText.contains("got TERM 2"))
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
    }

    @Test func serverStoppedThenStartedAgain() throws {
        let directory = try TemporaryDirectory(prefix: "soup-watch-server")
        let data = directory.path + "/state.json"
        func startServer(port: String) throws -> ChildProcess {
            let server = try ChildProcess(
                Binaries.soupDevServer, ["--port", port, "--data", data], environment: ["PATH": "/usr/bin:/bin"])
            #expect(server.waitForOutput("/api/v1", in: .stdout, timeout: 30))
            return server
        }
        let first = try startServer(port: "0")
        let apiURL = try #require(first.stdoutText.split(separator: " ").last { $0.contains("/api/v1") })
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let port = try #require(apiURL.split(separator: ":").last?.split(separator: "/").first.map(String.init))
        let script = try WatchScript()
        let run = try startWatch(apiURL: apiURL, command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))

        first.signal(SIGTERM)
        #expect(first.wait(timeout: 30).termination == .exited(0))
        #expect(watchWaitUntil(run, timeout: 60) { watchCount(of: "cannot refresh secrets", in: run.stderrText) >= 3 })
        #expect(watchCount(of: "warning: cannot refresh secrets", in: run.stderrText) == 1)
        #expect(run.stderrText.contains("cannot reach the API"))
        #expect(!run.hasExited && !run.stdoutText.contains("got TERM"), "the child kept running")

        let second = try startServer(port: port)
        let server = WatchDevServerClient(apiURL: apiURL)
        try server.setSecret("WATCHED", "after-outage")
        #expect(run.waitForOutput("ready 2 ", in: .stdout, timeout: 60), "stderr: \(run.stderrText)")
        #expect(run.stdoutText.contains("value=after-outage"))
        #expect(run.stderrText.contains("secrets API answering again"))
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
        second.signal(SIGTERM)
        _ = second.wait(timeout: 30)
    }
}

/// POSTs to a running soup-dev-server that this test did not start through `DevServer`.
struct WatchDevServerClient {
    let apiURL: String

    func setSecret(_ key: String, _ value: String) throws {
        let body = #"{"key":"\#(key)","value":"\#(value)"}"#
        let result = try runProcess(
            "/usr/bin/env",
            [
                "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                "Authorization: Bearer \(DevServer.demoToken)",
                "-H", "Content-Type: application/json", "--data-binary", body,
                apiURL + "/projects/my-app/environments/prod/secrets",
            ],
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"], timeout: 30)
        guard result.stdoutText == "201" else {
            throw SpawnError(description: "POST \(key) answered \(result.stdoutText)")
        }
    }
}
