import Foundation
import SoupHTTP
import Testing

/// A hostile server that puts the token into the strings soup-run prints: it never gets out.
@Suite("soup-run: server strings are checked for the token")
struct ServerStringEndToEndTests {
    static let token = "hostile-test-token-42"

    static func run(_ api: FakeAPI) throws -> ProcessResult {
        try runSoupRun(
            ["-v", "--retries", "0", "--api-url", api.apiURL, "my-app", "prod", "--", "/bin/true"],
            environment: ["SOUP_TOKEN": token])
    }

    @Test func anInvalidKeyMadeOfTheTokenIsNotPrinted() throws {
        let api = try FakeAPI { _ in FakeAPI.json(200, "{\"data\":{\"\(Self.token)\":\"v\"}}") }
        let result = try Self.run(api)
        #expect(result.termination == .exited(65))
        #expect(result.stderrText.contains("an invalid key of \(Self.token.utf8.count) bytes (not shown)"))
        #expect(!result.stderrText.contains("hostile-"), "stderr: \(result.stderrText)")
    }

    @Test func aRedirectCarryingTheTokenIsNeitherLoggedNorNamed() throws {
        let api = try FakeAPI { request in
            if request.target.contains("/elsewhere/") { return FakeAPI.secrets(["A": "1"]) }
            return HTTPResponse(status: 302, headers: [("Location", "/elsewhere/\(Self.token)?sig=\(Self.token)")])
        }
        let followed = try Self.run(api)
        #expect(followed.termination == .exited(0), "stderr: \(followed.stderrText)")
        #expect(followed.stderrText.contains("to a URL that contains the token (not shown)"))
        #expect(!followed.stderrText.contains("hostile-"), "stderr: \(followed.stderrText)")

        let refusing = try FakeAPI { _ in
            HTTPResponse(status: 302, headers: [("Location", "http://\(Self.token).example.test/x")])
        }
        let refused = try Self.run(refusing)
        #expect(refused.termination == .exited(78))
        #expect(refused.stderrText.contains("a host that contains the token (not shown)"))
        #expect(!refused.stderrText.contains("hostile-"), "stderr: \(refused.stderrText)")
    }
}
