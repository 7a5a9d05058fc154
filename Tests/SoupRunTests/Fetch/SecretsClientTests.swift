import Testing
@testable import SoupRun

@Suite struct SecretsClientTests {
    @Test func sendsTheRequestTheContractDescribes() throws {
        let transport = ScriptedTransport([Fixtures.ok(["A": "1"])])
        let secrets = try Fixtures.client(transport, configuration: Fixtures.configuration(resolve: false)).fetch()
        #expect(secrets == ["A": "1"])
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://api.example.test/api/v1/projects/my-app/environments/prod/secrets?resolve=false")
        #expect(request.headers["Authorization"] == "Bearer \(Fixtures.token)")
        #expect(request.headers["Accept"] == "application/json")
        #expect(request.headers["User-Agent"]?.hasPrefix("soup-run/") == true)
        #expect(request.headers["If-None-Match"] == nil)
        #expect(request.timeout == 10)
        #expect(request.maxBodyBytes == 16 << 20)
    }

    @Test func fetchOnceIsConditional() throws {
        let transport = ScriptedTransport([Fixtures.status(304), Fixtures.ok(["B": "2"], etag: "\"e2\"")])
        let client = Fixtures.client(transport)
        #expect(try client.fetchOnce(ifNoneMatch: "\"e1\"") == .notModified)
        #expect(try client.fetchOnce(ifNoneMatch: "\"e1\"") == .secrets(["B": "2"], etag: "\"e2\""))
        #expect(transport.requests.map { $0.headers["If-None-Match"] } == ["\"e1\"", "\"e1\""])
    }

    @Test func fetchOnceNeverRetries() {
        let transport = ScriptedTransport([Fixtures.status(500)])
        #expect(throws: FetchError.serverError(status: 500, serverMessage: nil, retryAfter: nil)) {
            try Fixtures.client(transport).fetchOnce(ifNoneMatch: nil)
        }
        #expect(transport.requests.count == 1)
    }

    @Test func retriesRetryableErrorsWithBackoff() throws {
        let transport = ScriptedTransport([
            .failure(TransportFailure(.network, "Connection refused")), Fixtures.status(503),
            .failure(TransportFailure(.timedOut, "timeout")), Fixtures.ok(["A": "1"]),
        ])
        let sleeper = SleepRecorder()
        let log = LogBuffer()
        let secrets = try Fixtures.client(transport, log: log, sleeper: sleeper, random: 0.5).fetch()
        #expect(secrets == ["A": "1"])
        #expect(transport.requests.count == 4)
        #expect(sleeper.waits == [0.25, 0.5, 1])
        #expect(log.text.contains("attempt 1 of 4"))
        #expect(log.text.contains("attempt 4 of 4"))
        #expect(log.text.contains("retrying in 250 ms"))
    }

    @Test func honoursRetryAfter() throws {
        let transport = ScriptedTransport([Fixtures.status(429, retryAfter: "2"), Fixtures.ok([:])])
        let sleeper = SleepRecorder()
        _ = try Fixtures.client(transport, sleeper: sleeper).fetch()
        #expect(sleeper.waits == [2])
    }

    @Test func givesUpAfterTheRetriesAndSaysHowManyAttempts() {
        let transport = ScriptedTransport([], fallback: Fixtures.status(500))
        let sleeper = SleepRecorder()
        #expect(throws: FetchError.gaveUp(attempts: 3, last: .serverError(status: 500, serverMessage: nil, retryAfter: nil))) {
            try Fixtures.client(transport, configuration: Fixtures.configuration(retries: 2), sleeper: sleeper).fetch()
        }
        #expect(transport.requests.count == 3)
        #expect(sleeper.waits.count == 2)
    }

    @Test func retriesZeroTriesOnce() {
        let transport = ScriptedTransport([], fallback: .failure(TransportFailure(.network, "Connection refused")))
        #expect(throws: FetchError.network(origin: "https://api.example.test:443", message: "Connection refused")) {
            try Fixtures.client(transport, configuration: Fixtures.configuration(retries: 0)).fetch()
        }
        #expect(transport.requests.count == 1)
    }

    @Test(arguments: [401, 403, 404, 400])
    func clientErrorsFailAtOnce(status: Int) {
        let transport = ScriptedTransport([], fallback: Fixtures.status(status))
        let sleeper = SleepRecorder()
        #expect(throws: FetchError.self) { try Fixtures.client(transport, sleeper: sleeper).fetch() }
        #expect(transport.requests.count == 1)
        #expect(sleeper.waits.isEmpty)
    }

    @Test func invalidDataIsNotRetried() {
        let transport = ScriptedTransport([], fallback: .success(TransportResponse(status: 200, body: Array("<html>".utf8))))
        #expect(throws: FetchError.self) { try Fixtures.client(transport).fetch() }
        #expect(transport.requests.count == 1)
    }

    @Test func oversizedBodiesAreInvalidData() {
        let transport = ScriptedTransport([.failure(TransportFailure(.bodyTooLarge, "too large"))])
        #expect(throws: FetchError.bodyTooLarge(limit: 16 << 20)) { try Fixtures.client(transport).fetch() }
    }

    @Test func followsSameOriginRedirectsWithTheToken() throws {
        let transport = ScriptedTransport([
            Fixtures.status(301, location: "/api/v2/projects/my-app/environments/prod/secrets"),
            Fixtures.status(307, location: "https://API.example.test:443/final"),
            Fixtures.ok(["A": "1"]),
        ])
        #expect(try Fixtures.client(transport).fetch() == ["A": "1"])
        #expect(transport.requests.map(\.url) == [
            "https://api.example.test/api/v1/projects/my-app/environments/prod/secrets",
            "https://api.example.test/api/v2/projects/my-app/environments/prod/secrets",
            "https://api.example.test:443/final",
        ])
        #expect(transport.requests.allSatisfy { $0.headers["Authorization"] == "Bearer \(Fixtures.token)" })
    }

    @Test(arguments: [
        ("https://evil.example/steal", "https://evil.example:443"),
        ("//evil.example/steal", "https://evil.example:443"),
        ("https://api.example.test:8443/x", "https://api.example.test:8443"),
        ("http://api.example.test/x", "http://api.example.test:80"),
    ])
    func neverFollowsARedirectToAnotherOrigin(location: String, origin: String) {
        let transport = ScriptedTransport([Fixtures.status(302, location: location)], fallback: Fixtures.ok(["A": "1"]))
        do {
            _ = try Fixtures.client(transport).fetch()
            Issue.record("followed a cross-origin redirect")
        } catch {
            guard case .redirectRefused(let target, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(target == origin)
            #expect(error.exitCode == .configuration)
            #expect(!error.description.contains(Fixtures.token))
        }
        #expect(transport.requests.count == 1)
    }

    @Test func refusesHTTPSToHTTPEvenOnTheSameHost() {
        let transport = ScriptedTransport([Fixtures.status(302, location: "http://api.example.test:443/x")])
        #expect(throws: FetchError.self) { try Fixtures.client(transport).fetch() }
        #expect(transport.requests.count == 1)
    }

    @Test func stopsARedirectLoop() {
        let transport = ScriptedTransport([], fallback: Fixtures.status(302, location: "/loop"))
        #expect(throws: FetchError.tooManyRedirects(5)) { try Fixtures.client(transport).fetch() }
        #expect(transport.requests.count == 6)
    }

    @Test(arguments: ["", "has space", "line\r\nX-Evil: 1", "tök"])
    func refusesTokensThatCannotBeAHeader(token: String) {
        let transport = ScriptedTransport([Fixtures.ok([:])])
        let client = SecretsClient(
            configuration: Fixtures.configuration(), token: Secret(token), transport: transport,
            logger: LogBuffer().logger(), sleep: { _ in }, random: { 0 })
        #expect(throws: FetchError.self) { try client.fetch() }
        #expect(transport.requests.isEmpty)
    }

    @Test func warnsBeforeSendingTheTokenOverPlainHTTPToAnotherMachine() throws {
        let log = LogBuffer()
        _ = try Fixtures.client(ScriptedTransport([Fixtures.ok([:])]), configuration: Fixtures.configuration(api: "http://10.1.2.3/api/v1"), log: log, verbosity: .normal).fetch()
        #expect(log.lines == ["soup-run: warning: sending the token over plain http to 10.1.2.3; use https for anything but local testing\n"])

        let quiet = LogBuffer()
        _ = try Fixtures.client(ScriptedTransport([Fixtures.ok([:])]), configuration: Fixtures.configuration(api: "http://10.1.2.3/api/v1"), log: quiet, verbosity: .quiet).fetch()
        #expect(quiet.lines.isEmpty)

        for api in ["http://127.0.0.1:8080/api/v1", "http://localhost/api/v1", "https://10.1.2.3/api/v1"] {
            let local = LogBuffer()
            _ = try Fixtures.client(ScriptedTransport([Fixtures.ok([:])]), configuration: Fixtures.configuration(api: api), log: local, verbosity: .normal).fetch()
            #expect(local.lines.isEmpty, "warned for \(api)")
        }
    }

    @Test func verboseLogsTellTheStoryWithoutTheToken() throws {
        let log = LogBuffer()
        let transport = ScriptedTransport([Fixtures.status(500, body: #"{"error":"boom"}"#), Fixtures.ok(["A": "1", "B": "2"])])
        _ = try Fixtures.client(transport, log: log).fetch()
        let text = log.text
        #expect(text.contains("GET https://api.example.test/api/v1/projects/my-app/environments/prod/secrets (attempt 1 of 4)"))
        #expect(text.contains("HTTP 500 in "))
        #expect(text.contains("received 2 keys"))
        #expect(!text.contains(Fixtures.token))
        #expect(!text.contains("Bearer"))
    }

    @Test func normalVerbosityLogsNothingOnSuccess() throws {
        let log = LogBuffer()
        _ = try Fixtures.client(ScriptedTransport([Fixtures.ok(["A": "1"])]), log: log, verbosity: .normal).fetch()
        #expect(log.lines.isEmpty)
    }
}
