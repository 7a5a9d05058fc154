import Foundation
import SoupCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--watch --fallback`, end to end: a start from the copy while the API is down, a restart
/// when it answers differently, a refusal that deletes the copy and leaves the child alone,
/// and `kill -9` in the middle of writes never leaving a torn copy.
@Suite("soup-run --watch --fallback", .serialized)
struct WatchFallbackEndToEndTests {
    @Test func startsFromTheCopyThenFollowsTheAPIAndARefusalDeletesTheCopy() throws {
        let api = try WatchScriptedAPI(.secrets(["WATCHED": "from-copy"]))
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/soup.fb"
        expectExit(try soupRun(["--fallback", copy, "my-app", "prod", "--", "true"], api: api.apiURL), 0)
        api.set(.status(503, body: #"{"error":"maintenance"}"#, headers: []))

        let script = try WatchScript()
        let run = try startWatch(
            apiURL: api.apiURL, options: ["--retries", "0", "--fallback", copy], command: script.command(),
            token: e2eToken)
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        #expect(run.stdoutText.contains("value=from-copy"))
        #expect(run.stderrText.contains("warning: using the fallback copy from "))
        #expect(run.stderrText.contains("API unavailable (the API failed with HTTP 503: maintenance)"))

        // The API comes back with other secrets: the child is restarted with them, the copy rewritten.
        api.set(.secrets(["WATCHED": "from-api"]))
        #expect(run.waitForOutput("ready 2 ", in: .stdout, timeout: 30))
        #expect(run.stdoutText.contains("value=from-api"))
        #expect(run.waitForOutput("wrote the fallback copy", in: .stderr, timeout: 30))
        let offline = try soupRun(
            ["--offline", "--fallback", copy, "--export", "--format", "dotenv", "my-app", "prod"], api: api.apiURL)
        #expect(offline.stdoutText.contains("from-api"))

        // The token is revoked: the copy goes, the running child stays.
        api.set(.status(401, body: #"{"error":"revoked"}"#, headers: []))
        #expect(run.waitForOutput("deleted the fallback copy \(copy)", in: .stderr, timeout: 30))
        #expect(!FileManager.default.fileExists(atPath: copy))
        #expect(watchWaitUntil(run, timeout: 30) { watchCount(of: "HTTP 401", in: run.stderrText) >= 2 })
        #expect(!run.stdoutText.contains("ready 3"), "the child keeps running")
        #expect(!run.hasExited)
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(0))
        expectNoToken(result)
        #expect(!result.stderrText.contains("from-api") && !result.stderrText.contains("from-copy"))
    }

    /// A large environment (4 MiB, the child gets one key of it) that changes on every poll is
    /// written on every poll. Each round soup-run is killed with SIGKILL the moment a temporary
    /// file of a write appears (or, every third round, just after a fetch), and the copy left
    /// behind always opens: the old one or the new one, never a torn one.
    @Test func killNineDuringWritesNeverLeavesATornCopy() throws {
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/soup.fb"
        let api = try ChangingAPI(keys: 2000, valueBytes: 2000)
        let script = try WatchScript()
        let options = ["--only", "K0001", "--fallback", copy]
        expectExit(try soupRun(options + ["my-app", "prod", "--", "true"], api: api.apiURL), 0)
        var interrupted = 0
        for round in 1...8 {
            let before = Set(temporaries(in: dir.path))
            let run = try startWatch(
                apiURL: api.apiURL, options: ["--interval", "0.1"] + options, command: script.command(), token: e2eToken
            )
            if round % 3 == 0 {
                #expect(
                    watchWaitUntil(run, timeout: 60) { watchCount(of: "received 2000 keys", in: run.stderrText) >= 2 })
            } else {
                // A bounded tight loop: the write lasts milliseconds, a pump of the output would miss it.
                let deadline = Date().addingTimeInterval(60)
                while Set(temporaries(in: dir.path)).subtracting(before).isEmpty && Date() < deadline && !run.hasExited
                {
                    sched_yield()
                }
            }
            run.signalGroup(SIGKILL)
            _ = run.wait(timeout: 30)
            watchKillChildren(of: run)
            if !Set(temporaries(in: dir.path)).subtracting(before).isEmpty { interrupted += 1 }

            let check = try soupRun(
                ["--offline", "--fallback", copy, "--export", "--only", "K1999", "my-app", "prod"], api: api.apiURL)
            expectExit(check, 0)
            #expect(check.stdoutText.hasPrefix("export K1999='"), "round \(round): \(check.stderrText)")
        }
        // The test itself: at least one kill landed between a write's start and its rename.
        #expect(interrupted >= 1, "no round killed soup-run during a write")
    }

    private func temporaries(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.contains(".tmp-") }
    }
}

/// An API whose answer differs on every request: `keys` secrets of `valueBytes` bytes and a counter.
final class ChangingAPI: @unchecked Sendable {
    private let api: FakeAPI
    var apiURL: String { api.apiURL }

    init(keys: Int, valueBytes: Int) throws {
        let counter = Locked(0)
        api = try FakeAPI { _ in
            let round = counter.withLock { count -> Int in
                count += 1
                return count
            }
            return FakeAPI.secrets(Self.secrets(keys: keys, valueBytes: valueBytes, round: round))
        }
    }

    static func secrets(keys: Int, valueBytes: Int, round: Int) -> [String: String] {
        var secrets: [String: String] = [:]
        let padding = String(repeating: "x", count: valueBytes)
        for i in 0..<keys { secrets[String(format: "K%04d", i)] = "\(round)-\(padding)" }
        return secrets
    }
}
