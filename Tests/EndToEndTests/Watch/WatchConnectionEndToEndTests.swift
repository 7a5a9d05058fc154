import Foundation
import SoupHTTP
import Testing

/// `--watch` keeps one connection for its start-up fetch and every poll, and reconnects without
/// a failed poll when the server closed it.
@Suite("soup-run --watch: one kept connection")
struct WatchConnectionEndToEndTests {
    /// An API that answers 304 to every conditional request after the first answer.
    static func notModifiedAfterTheFirst(idleTimeout: Double) throws -> FakeAPI {
        try FakeAPI(idleTimeout: idleTimeout) { request in
            if request.header("If-None-Match") == "\"v1\"" { return HTTPResponse(status: 304) }
            var response = FakeAPI.secrets(["WATCHED": "one"])
            response.headers.append(("ETag", "\"v1\""))
            return response
        }
    }

    @Test func theStartUpAndEveryPollShareOneConnection() throws {
        let api = try Self.notModifiedAfterTheFirst(idleTimeout: 10)
        let script = try WatchScript()
        let run = try startWatch(apiURL: api.apiURL, command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        #expect(watchWaitUntil(run, timeout: 60) { api.requests.count >= 8 })
        #expect(api.connections == 1, "\(api.requests.count) requests over \(api.connections) connections")
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
    }

    @Test func aConnectionTheServerClosedIsReopenedWithoutAFailedPoll() throws {
        let api = try Self.notModifiedAfterTheFirst(idleTimeout: 0.3)
        let script = try WatchScript()
        // Polls 0.5 s apart, the server closes idle connections after 0.3 s: every poll reconnects.
        let run = try startWatch(apiURL: api.apiURL, options: ["--interval", "0.5"], command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        #expect(watchWaitUntil(run, timeout: 60) { api.requests.count >= 5 })
        #expect(api.connections >= 3)
        #expect(!run.stderrText.contains("cannot refresh secrets"), "\(run.stderrText)")
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
    }
}
