import Foundation
import SoupCore
import SoupHTTP
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An API that accepts one token at a time (the test rotates it) and answers
/// `WATCHED=<suffix of the token>`; any other token gets 401.
final class RotatingTokenAPI: @unchecked Sendable {
    private let accepted: Locked<String>
    private let server: HTTPServer
    let apiURL: String

    init(accepting token: String) throws {
        let accepted = Locked(token)
        self.accepted = accepted
        server = HTTPServer { request in
            let current = accepted.withLock { $0 }
            guard request.header("Authorization") == "Bearer \(current)" else {
                return HTTPResponse(status: 401, body: Array(#"{"error":"invalid token"}"#.utf8))
            }
            let value = String(current.split(separator: "-").last ?? "")
            let body = JSONValue.object(["data": .stringObject(["WATCHED": value])]).encoded()
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        }
        apiURL = "http://127.0.0.1:\(try server.start())/api/v1"
    }

    deinit { server.shutdown() }

    func accept(_ token: String) { accepted.withLock { $0 = token } }
}

@Suite("soup-run: the token file", .serialized)
struct TokenFileEndToEndTests {
    #if os(Linux)
        @Test(arguments: [false, true])
        func aFifoTokenFileIsRefusedWith78NamingThePath(watch: Bool) throws {
            let dir = try TemporaryDirectory(prefix: "soup-fifo")
            let fifo = dir.path + "/token"
            #expect(mkfifo(fifo, 0o600) == 0)
            let server = try DevServer()
            let mode = watch ? ["--watch"] : []
            let result = try runSoupRun(
                mode + ["--token-file", fifo, "--api-url", server.apiURL, "my-app", "prod", "--", "/bin/true"],
                timeout: 30)
            #expect(!result.timedOut, "a FIFO without a writer must not block")
            #expect(result.termination == .exited(78))
            #expect(
                result.stderrText.contains("cannot read the token file \(fifo): it is a FIFO, not a regular file"),
                "stderr: \(result.stderrText)")
        }
    #endif

    @Test func aTokenFileReadableByOthersIsWarnedAbout() throws {
        let server = try DevServer()
        let dir = try TemporaryDirectory(prefix: "soup-token")
        let open = try dir.write("token", DevServer.demoToken + "\n", mode: 0o644)
        let closed = try dir.write("private", DevServer.demoToken + "\n", mode: 0o600)
        let args = ["--api-url", server.apiURL, "my-app", "prod", "--", "/bin/true"]
        let warned = try runSoupRun(["--token-file", open] + args)
        #expect(warned.termination == .exited(0), "stderr: \(warned.stderrText)")
        #expect(warned.stderrText.contains("the token file \(open) is readable by its group or by others (mode 0644)"))
        let quiet = try runSoupRun(["--token-file", closed] + args)
        #expect(quiet.termination == .exited(0))
        #expect(!quiet.stderrText.contains("readable by"))
    }

    @Test func aRotatedTokenFileIsPickedUpWithoutARestartOfSoupRun() throws {
        let api = try RotatingTokenAPI(accepting: "rotating-token-one")
        let script = try WatchScript()
        let file = try script.directory.write("token", "rotating-token-one\n", mode: 0o600)
        let run = try startWatch(
            apiURL: api.apiURL, options: ["--token-file", file], command: script.command(), token: "")
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
        #expect(run.stdoutText.contains("value=one"))
        // As Vault Agent and kubelet do: a new file renamed over the old one; the old token revoked.
        let staged = try script.directory.write("token.new", "rotating-token-two\n", mode: 0o600)
        api.accept("rotating-token-two")
        #expect(rename(staged, file) == 0)
        #expect(run.waitForOutput("ready 2 pid", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
        #expect(run.stdoutText.contains("value=two"))
        #expect(run.stderrText.contains("the token file \(file) holds a new token"))
        #expect(!run.stderrText.contains("rotating-token"))
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
    }

    @Test func aRotatedTokenFileReSealsTheFallbackCopyWithTheNewToken() throws {
        let api = try RotatingTokenAPI(accepting: "rotating-token-one")
        let script = try WatchScript()
        let file = try script.directory.write("token", "rotating-token-one\n", mode: 0o600)
        let copy = script.directory.path + "/copy"
        let run = try startWatch(
            apiURL: api.apiURL, options: ["--token-file", file, "--fallback", copy], command: script.command(),
            token: "")
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
        let staged = try script.directory.write("token.new", "rotating-token-two\n", mode: 0o600)
        api.accept("rotating-token-two")
        #expect(rename(staged, file) == 0)
        #expect(run.waitForOutput("ready 2 pid", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
        // The next start has only the new token: the copy must open with it.
        let offline = try runSoupRun(
            [
                "--token-file", file, "--api-url", api.apiURL, "--offline", "--fallback", copy, "my-app", "prod", "--",
                "/bin/sh", "-c", "echo watched=$WATCHED",
            ],
            timeout: 30)
        #expect(offline.termination == .exited(0), "stderr: \(offline.stderrText)")
        #expect(offline.stdoutText.contains("watched=two"))
        let bytes = try #require(FileManager.default.contents(atPath: copy))
        #expect(!String(decoding: bytes, as: UTF8.self).contains("rotating-token"))
    }
}
