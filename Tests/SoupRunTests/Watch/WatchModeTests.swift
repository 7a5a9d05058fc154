import Testing
@testable import SoupRun

/// A secrets source answering from a script; counts calls.
final class WatchFakeSource: SecretsSource, @unchecked Sendable {
    var initial: Result<[String: String], FetchError>
    var initialETag: String?
    var polls: [Result<FetchResult, FetchError>]
    /// What the start-up reports a rate limit made it wait (`startUpFetch`).
    var rateLimitWait: Double? = nil
    private(set) var sentTags: [String?] = []
    /// What `currentToken` says (a rotated token file's newest token; nil: fixed at start).
    var rotatedToken: Secret? = nil
    var currentToken: Secret? { rotatedToken }

    init(
        initial: Result<[String: String], FetchError>, initialETag: String? = nil,
        polls: [Result<FetchResult, FetchError>] = []
    ) {
        self.initial = initial
        self.initialETag = initialETag
        self.polls = polls
    }

    func fetchWithETag() throws(FetchError) -> (secrets: [String: String], etag: String?) {
        (try initial.get(), initialETag)
    }

    func startUpFetch() throws(FetchError) -> StartUpFetch {
        StartUpFetch(secrets: try initial.get(), etag: initialETag, rateLimitWait: rateLimitWait)
    }

    func fetch(ifNoneMatch etag: String?) throws(FetchError) -> FetchResult {
        sentTags.append(etag)
        return try polls.removeFirst().get()
    }
}

@Suite("WatchMode: one poll, start-up failures")
struct WatchModeTests {
    static func configuration(only: [String]? = nil) -> Configuration {
        var configuration = Configuration(
            project: "my-app", environment: "prod", mode: .run(command: ["/bin/true"]),
            token: .literal(Secret("t")))
        configuration.only = only
        configuration.watch = Configuration.Watch()
        return configuration
    }

    static let inherited = ["PATH": "/usr/bin:/bin", "HOME": "/root", "SOUP_TOKEN": "tok"]
    static let setup = ChildSetupBuilder(configuration: configuration(), inherited: inherited)

    func poll(
        _ answer: Result<FetchResult, FetchError>, configuration: Configuration = configuration(),
        command: [String] = ["/bin/true"]
    ) -> PollResult {
        let source = WatchFakeSource(initial: .success([:]), polls: [answer])
        return WatchMode.pollOnce(
            source: source, etag: "e1",
            setup: ChildSetupBuilder(configuration: configuration, inherited: Self.inherited),
            command: command)
    }

    @Test func aPollBuildsTheChildEnvironmentWithTheSameMergeAsTheStart() {
        let result = poll(.success(.secrets(["API_KEY": "k", "HOME": "/srv"], etag: "e2")))
        // Token stripped, secrets win, inherited kept: exactly EnvironmentMerge's result.
        let expected = try? EnvironmentMerge.merge(
            inherited: Self.inherited, secrets: ["API_KEY": "k", "HOME": "/srv"],
            configuration: Self.configuration()
        ).environment
        #expect(result == .environment(expected ?? [:], etag: "e2"))
        #expect(expected?["SOUP_TOKEN"] == nil)
    }

    @Test func notModifiedPassesThroughAndTheEtagIsSent() {
        let source = WatchFakeSource(initial: .success([:]), polls: [.success(.notModified)])
        let result = WatchMode.pollOnce(
            source: source, etag: "e1", setup: Self.setup, command: ["/bin/true"])
        #expect(result == .notModified)
        #expect(source.sentTags == ["e1"])
    }

    @Test(arguments: [
        (FetchError.network(origin: "http://h:1", message: "refused"), "network"),
        (.timedOut(origin: "http://h:1", seconds: 1), "timeout"),
        (.serverError(status: 503, serverMessage: nil, retryAfter: 7), "http 503"),
        (.rateLimited(retryAfter: 30), "http 429"),
        (.permission(status: 401, serverMessage: nil), "http 401"),
        (.notFound(serverMessage: nil, project: "p", environment: "e"), "http 404"),
        (.invalidData("invalid key"), "invalid data"),
        (.gaveUp(attempts: 2, last: .rateLimited(retryAfter: nil)), "http 429"),
    ])
    func fetchErrorsBecomeFailuresWithAStateAndRetryAfter(error: FetchError, state: String) {
        let expected = PollFailure(
            state: state, message: error.description, retryAfter: error.retryAfter, rateLimited: state == "http 429")
        #expect(poll(.failure(error)) == .failed(expected))
    }

    @Test func aMergeThatFailsIsAFailureNotAnEmptyEnvironment() {
        let result = poll(
            .success(.secrets(["OTHER": "x"], etag: nil)), configuration: Self.configuration(only: ["API_KEY"]))
        guard case .failed(let failure) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(failure.state == "merge")
        #expect(failure.message.contains("API_KEY"))
    }

    @Test func secretsThatWouldStopTheCommandFromStartingAreRefused() {
        // A secret PATH without the command in it: the running child stays.
        let result = poll(.success(.secrets(["PATH": "/nonexistent"], etag: nil)), command: ["true"])
        guard case .failed(let failure) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(failure.state == "cannot exec")
        #expect(failure.message.contains("command not found: true"))
        #expect(!failure.message.contains("/nonexistent"), "PATH may be a secret value")
    }

    /// Starts a machine from `source` the way `WatchMode.run` does and returns the first poll's
    /// If-None-Match, after checking the first child gets the start-up environment.
    func firstPollTag(_ source: WatchFakeSource) throws -> String? {
        var (machine, _) = try WatchMode.initialMachine(
            configuration: Self.configuration(), inherited: Self.inherited, source: source,
            logger: Logger(verbosity: .quiet) { _ in })
        let expected = try EnvironmentMerge.merge(
            inherited: Self.inherited, secrets: try source.initial.get(), configuration: Self.configuration()
        ).environment
        #expect(machine.start(now: 0) == [.spawn(environment: expected)])
        _ = machine.handle(.spawned(pid: 10), now: 0)
        let due = try #require(machine.nextDeadline)
        let actions = machine.handle(.tick, now: due)
        guard case .poll(let tag) = actions.last, actions.count == 1 else {
            Issue.record("expected one poll, got \(actions)")
            return nil
        }
        return tag
    }

    @Test func theFirstPollSendsTheStartUpFetchsETag() throws {
        let source = WatchFakeSource(
            initial: .success(["API_KEY": "k"]), initialETag: "\"v1\"", polls: [.success(.notModified)])
        let tag = try firstPollTag(source)
        #expect(tag == "\"v1\"")
        // And pollOnce hands it to the source as If-None-Match; a 304 changes nothing.
        let result = WatchMode.pollOnce(source: source, etag: tag, setup: Self.setup, command: ["/bin/true"])
        #expect(source.sentTags == ["\"v1\""])
        #expect(result == .notModified)
    }

    @Test func withoutAStartUpETagTheFirstPollIsUnconditional() throws {
        let source = WatchFakeSource(initial: .success(["API_KEY": "k"]))
        #expect(try firstPollTag(source) == nil)
    }

    @Test func startUpFetchFailureExitsWithTheOneShotCode() {
        let lines = WatchLogLines()
        let source = WatchFakeSource(initial: .failure(.permission(status: 401, serverMessage: nil)))
        let code = WatchMode.run(
            configuration: Self.configuration(), command: ["/bin/true"], inherited: Self.inherited,
            source: source, logger: Logger(verbosity: .normal, sink: lines.append))
        #expect(code == ExitCode.permission.rawValue)
        #expect(lines.text.hasPrefix("soup-run: error: the API rejected the token (HTTP 401)"))
    }

    @Test func startUpMergeFailureExitsWithItsCode() {
        let lines = WatchLogLines()
        let source = WatchFakeSource(initial: .success(["OTHER": "x"]))
        let code = WatchMode.run(
            configuration: Self.configuration(only: ["API_KEY"]), command: ["/bin/true"],
            inherited: Self.inherited, source: source, logger: Logger(verbosity: .normal, sink: lines.append))
        #expect(code == ExitCode.notFound.rawValue)
        #expect(lines.text.contains("API_KEY"))
    }
}

/// Collects logger output.
final class WatchLogLines: @unchecked Sendable {
    private(set) var text = ""
    func append(_ line: String) { text += line }
}
