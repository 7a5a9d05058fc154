import SoupCore
import SoupHTTP
import Testing

@testable import SoupDevServer

/// A clock tests move by hand, for the rate limiter.
final class ManualClock: Sendable {
    private let time = Locked<Duration>(.zero)
    var now: Duration { time.withLock { $0 } }
    func advance(by step: Duration) { time.withLock { $0 += step } }
    var function: @Sendable () -> Duration { { [self] in self.now } }
}

/// The demo data plus tokens limited in project or tier, for auth and rate-limit tests.
func testState() -> DevServerState {
    var state = DevServerState.demo
    state.tokens["tok-other"] = TokenGrant(projects: ["other-app"])
    state.tokens["tok-free"] = TokenGrant(projects: ["my-app"], tier: .free)
    state.tokens["tok-free-2"] = TokenGrant(projects: ["my-app"], tier: .free)
    state.tokens["tok-pro"] = TokenGrant(projects: ["*"], tier: .pro)
    state.projects["other-app"] = ProjectState(environments: ["main": EnvironmentState()])
    return state
}

func makeAPI(_ state: DevServerState = testState(), clock: ManualClock = ManualClock()) -> SecretsAPI {
    SecretsAPI(store: Store(state: state), now: clock.function)
}

let prefix = "/api/v1/projects/my-app/environments"

extension SecretsAPI {
    /// Sends one request with the demo token (or `token`; nil sends no Authorization).
    func send(
        _ method: String, _ target: String, token: String? = DevServerState.demoToken,
        headers: [(name: String, value: String)] = [], body: String? = nil
    ) -> HTTPResponse {
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        if body != nil { all.append(("Content-Type", "application/json")) }
        return handle(HTTPRequest(method: method, target: target, headers: all, body: Array((body ?? "").utf8)))
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSON.parse(body) }
}

/// Asserts `response` is a JSON error with `status` and exactly `message`.
func expectError(
    _ response: HTTPResponse, _ status: Int, _ message: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status, sourceLocation: sourceLocation)
    #expect(response.header("Content-Type") == "application/json", sourceLocation: sourceLocation)
    #expect(response.json == .object(["error": .string(message)]), sourceLocation: sourceLocation)
}
