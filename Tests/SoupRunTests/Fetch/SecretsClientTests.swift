import Testing
@testable import SoupRun

@Suite struct SecretsClientTests {
    @Test func sendsTheRequestTheContractDescribes() throws {
        let transport = FetchScriptedTransport([FetchFixtures.ok(["A": "1"])])
        let secrets = try FetchFixtures.client(transport, configuration: FetchFixtures.configuration(resolve: false))
            .fetch()
        #expect(secrets == ["A": "1"])
        let request = try #require(transport.requests.first)
        #expect(
            request.url == "https://api.example.test/api/v1/projects/my-app/environments/prod/secrets?resolve=false")
        #expect(request.headers["Authorization"] == "Bearer \(FetchFixtures.token)")
        #expect(request.headers["Accept"] == "application/json")
        #expect(request.headers["User-Agent"]?.hasPrefix("soup-run/") == true)
        #expect(request.headers["If-None-Match"] == nil)
        #expect(request.timeout == 10)
        #expect(request.maxBodyBytes == 16 << 20)
    }

    @Test func fetchOnceIsConditional() throws {
        let transport = FetchScriptedTransport([
            FetchFixtures.status(304), FetchFixtures.ok(["B": "2"], etag: "\"e2\""),
        ])
        let client = FetchFixtures.client(transport)
        #expect(try client.fetchOnce(ifNoneMatch: "\"e1\"") == .notModified)
        #expect(try client.fetchOnce(ifNoneMatch: "\"e1\"") == .secrets(["B": "2"], etag: "\"e2\""))
        #expect(transport.requests.map { $0.headers["If-None-Match"] } == ["\"e1\"", "\"e1\""])
    }

    @Test func fetchOnceNeverRetries() {
        let transport = FetchScriptedTransport([FetchFixtures.status(500)])
        #expect(throws: FetchError.serverError(status: 500, serverMessage: nil, retryAfter: nil)) {
            try FetchFixtures.client(transport).fetchOnce(ifNoneMatch: nil)
        }
        #expect(transport.requests.count == 1)
    }

    @Test func retriesRetryableErrorsWithBackoff() throws {
        let transport = FetchScriptedTransport([
            .failure(TransportFailure(.network, "Connection refused")), FetchFixtures.status(503),
            .failure(TransportFailure(.timedOut, "timeout")), FetchFixtures.ok(["A": "1"]),
        ])
        let sleeper = FetchSleepRecorder()
        let log = FetchLogBuffer()
        let secrets = try FetchFixtures.client(transport, log: log, sleeper: sleeper, random: 0.5).fetch()
        #expect(secrets == ["A": "1"])
        #expect(transport.requests.count == 4)
        #expect(sleeper.waits == [0.25, 0.5, 1])
        #expect(log.text.contains("attempt 1 of 4"))
        #expect(log.text.contains("attempt 4 of 4"))
        #expect(log.text.contains("retrying in 250 ms"))
    }

    @Test func honoursRetryAfterOfA429InFullPlusARandomTwentieth() throws {
        let transport = FetchScriptedTransport([FetchFixtures.status(429, retryAfter: "20"), FetchFixtures.ok([:])])
        let sleeper = FetchSleepRecorder()
        _ = try FetchFixtures.client(transport, sleeper: sleeper).fetch()
        #expect(sleeper.waits == [20.5], "the fixture's random 0.5: half of a twentieth")
    }

    @Test func givesUpAfterTheRetriesAndSaysHowManyAttempts() {
        let transport = FetchScriptedTransport([], fallback: FetchFixtures.status(500))
        let sleeper = FetchSleepRecorder()
        #expect(
            throws: FetchError.gaveUp(attempts: 3, last: .serverError(status: 500, serverMessage: nil, retryAfter: nil))
        ) {
            try FetchFixtures.client(
                transport, configuration: FetchFixtures.configuration(retries: 2), sleeper: sleeper
            ).fetch()
        }
        #expect(transport.requests.count == 3)
        #expect(sleeper.waits.count == 2)
    }

    @Test func retriesZeroTriesOnce() {
        let transport = FetchScriptedTransport([], fallback: .failure(TransportFailure(.network, "Connection refused")))
        #expect(throws: FetchError.network(origin: "https://api.example.test:443", message: "Connection refused")) {
            try FetchFixtures.client(transport, configuration: FetchFixtures.configuration(retries: 0)).fetch()
        }
        #expect(transport.requests.count == 1)
    }

    @Test(arguments: [401, 403, 404, 400])
    func clientErrorsFailAtOnce(status: Int) {
        let transport = FetchScriptedTransport([], fallback: FetchFixtures.status(status))
        let sleeper = FetchSleepRecorder()
        #expect(throws: FetchError.self) { try FetchFixtures.client(transport, sleeper: sleeper).fetch() }
        #expect(transport.requests.count == 1)
        #expect(sleeper.waits.isEmpty)
    }

    @Test func invalidDataIsNotRetried() {
        let transport = FetchScriptedTransport(
            [], fallback: .success(TransportResponse(status: 200, body: Array("<html>".utf8))))
        #expect(throws: FetchError.self) { try FetchFixtures.client(transport).fetch() }
        #expect(transport.requests.count == 1)
    }

    @Test func oversizedBodiesAreInvalidData() {
        let transport = FetchScriptedTransport([.failure(TransportFailure(.bodyTooLarge, "too large"))])
        #expect(throws: FetchError.bodyTooLarge(limit: 16 << 20)) { try FetchFixtures.client(transport).fetch() }
    }

    @Test func followsSameOriginRedirectsWithTheToken() throws {
        let transport = FetchScriptedTransport([
            FetchFixtures.status(301, location: "/api/v2/projects/my-app/environments/prod/secrets"),
            FetchFixtures.status(307, location: "https://API.example.test:443/final"),
            FetchFixtures.ok(["A": "1"]),
        ])
        #expect(try FetchFixtures.client(transport).fetch() == ["A": "1"])
        #expect(
            transport.requests.map(\.url) == [
                "https://api.example.test/api/v1/projects/my-app/environments/prod/secrets",
                "https://api.example.test/api/v2/projects/my-app/environments/prod/secrets",
                "https://api.example.test:443/final",
            ])
        #expect(transport.requests.allSatisfy { $0.headers["Authorization"] == "Bearer \(FetchFixtures.token)" })
    }

    @Test(arguments: [
        ("https://evil.example/steal", "https://evil.example:443"),
        ("//evil.example/steal", "https://evil.example:443"),
        ("https://api.example.test:8443/x", "https://api.example.test:8443"),
        ("http://api.example.test/x", "http://api.example.test:80"),
    ])
    func neverFollowsARedirectToAnotherOrigin(location: String, origin: String) {
        let transport = FetchScriptedTransport(
            [FetchFixtures.status(302, location: location)], fallback: FetchFixtures.ok(["A": "1"]))
        do {
            _ = try FetchFixtures.client(transport).fetch()
            Issue.record("followed a cross-origin redirect")
        } catch {
            guard case .redirectRefused(let target, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(target == origin)
            #expect(error.exitCode == .configuration)
            #expect(!error.description.contains(FetchFixtures.token))
        }
        #expect(transport.requests.count == 1)
    }

    @Test func refusesHTTPSToHTTPEvenOnTheSameHost() {
        let transport = FetchScriptedTransport([FetchFixtures.status(302, location: "http://api.example.test:443/x")])
        #expect(throws: FetchError.self) { try FetchFixtures.client(transport).fetch() }
        #expect(transport.requests.count == 1)
    }

    @Test func stopsARedirectLoop() {
        let transport = FetchScriptedTransport([], fallback: FetchFixtures.status(302, location: "/loop"))
        #expect(throws: FetchError.tooManyRedirects(5)) { try FetchFixtures.client(transport).fetch() }
        #expect(transport.requests.count == 6)
    }

    @Test(arguments: ["", "line\r\nX-Evil: 1", "tab\there", "tök"])
    func refusesTokensThatCannotBeAHeader(token: String) {
        let transport = FetchScriptedTransport([FetchFixtures.ok([:])])
        let client = SecretsClient(
            configuration: FetchFixtures.configuration(), token: Secret(token), transport: transport,
            logger: FetchLogBuffer().logger(), sleep: { _ in }, random: { 0 })
        #expect(throws: FetchError.self) { try client.fetch() }
        #expect(transport.requests.isEmpty)
    }

    @Test func warnsBeforeSendingTheTokenOverPlainHTTPToAnotherMachine() throws {
        let log = FetchLogBuffer()
        _ = try FetchFixtures.client(
            FetchScriptedTransport([FetchFixtures.ok([:])]),
            configuration: FetchFixtures.configuration(api: "http://10.1.2.3/api/v1"), log: log, verbosity: .normal
        ).fetch()
        #expect(
            log.lines == [
                "soup-run: warning: sending the token over plain http to 10.1.2.3; use https for anything but local testing\n"
            ])

        let quiet = FetchLogBuffer()
        _ = try FetchFixtures.client(
            FetchScriptedTransport([FetchFixtures.ok([:])]),
            configuration: FetchFixtures.configuration(api: "http://10.1.2.3/api/v1"), log: quiet, verbosity: .quiet
        ).fetch()
        #expect(quiet.lines.isEmpty)

        for api in ["http://127.0.0.1:8080/api/v1", "http://localhost/api/v1", "https://10.1.2.3/api/v1"] {
            let local = FetchLogBuffer()
            _ = try FetchFixtures.client(
                FetchScriptedTransport([FetchFixtures.ok([:])]), configuration: FetchFixtures.configuration(api: api),
                log: local, verbosity: .normal
            ).fetch()
            #expect(local.lines.isEmpty, "warned for \(api)")
        }
    }

    @Test func verboseLogsTellTheStoryWithoutTheToken() throws {
        let log = FetchLogBuffer()
        let transport = FetchScriptedTransport([
            FetchFixtures.status(500, body: #"{"error":"boom"}"#), FetchFixtures.ok(["A": "1", "B": "2"]),
        ])
        _ = try FetchFixtures.client(transport, log: log).fetch()
        let text = log.text
        #expect(
            text.contains(
                "GET https://api.example.test/api/v1/projects/my-app/environments/prod/secrets (attempt 1 of 4)"))
        #expect(text.contains("HTTP 500 in "))
        #expect(text.contains("received 2 keys"))
        #expect(!text.contains(FetchFixtures.token))
        #expect(!text.contains("Bearer"))
    }

    @Test func normalVerbosityLogsNothingOnSuccess() throws {
        let log = FetchLogBuffer()
        _ = try FetchFixtures.client(
            FetchScriptedTransport([FetchFixtures.ok(["A": "1"])]), log: log, verbosity: .normal
        ).fetch()
        #expect(log.lines.isEmpty)
    }
}

/// The bound the issue promises: with the default `--timeout` and `--retries`, an API that never
/// answers (or keeps asking for a long `Retry-After`) fails the fetch in under a minute. Each attempt
/// is charged the full per-attempt timeout on a fake clock, each wait its full length, with the
/// jitter at its maximum: the worst case the retry loop can produce.
@Suite struct FetchTimeBoundTests {
    /// A transport whose every attempt takes the whole timeout, then fails as `result` says.
    final class SlowTransport: HTTPTransport, @unchecked Sendable {
        let clock: FakeClock
        let result: TransportResult
        init(clock: FakeClock, result: TransportResult) {
            self.clock = clock
            self.result = result
        }
        func get(_ request: TransportRequest) -> TransportResult {
            clock.advance(request.timeout)
            return result
        }
    }

    final class FakeClock: @unchecked Sendable {
        private(set) var now = 0.0
        private(set) var attempts = 0
        func advance(_ seconds: Double) {
            now += seconds
            attempts += 1
        }
        func wait(_ seconds: Double) { now += seconds }
    }

    static let defaults = Configuration(
        project: "my-app", environment: "prod", mode: .run(command: ["true"]), token: .literal(Secret("t")))

    @Test(arguments: [
        (TransportResult.failure(TransportFailure(.timedOut, "timed out")), 4),
        (FetchFixtures.status(503, retryAfter: "100000"), 4),
        // A rate limit longer than --max-wait is not waited for at all.
        (FetchFixtures.status(429, retryAfter: "86400"), 1),
    ])
    func defaultsGiveUpInUnderAMinute(result: TransportResult, attempts: Int) {
        let clock = FakeClock()
        var configuration = Self.defaults
        configuration.apiURL = FetchFixtures.api
        let client = SecretsClient(
            configuration: configuration, token: Secret(FetchFixtures.token),
            transport: SlowTransport(clock: clock, result: result), logger: FetchLogBuffer().logger(.quiet),
            sleep: { clock.wait($0) }, random: { 0.999_999 }, monotonic: { clock.now })
        #expect(throws: FetchError.self) { try client.fetch() }
        #expect(clock.attempts == attempts)
        #expect(clock.now < 60, "the fetch would take \(clock.now) s")
    }
}
