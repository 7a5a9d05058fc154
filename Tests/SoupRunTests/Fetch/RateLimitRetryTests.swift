import Testing

@testable import SoupRun

/// The start-up fetch under 429: waited out within --max-wait, never counted against --retries.
@Suite struct RateLimitRetryTests {
    let policy = RetryPolicy(retries: 3, jitter: .none, maxWait: 120)

    func decide(
        _ policy: RetryPolicy, rateLimited: Bool = true, failures: Int = 0, rateLimits: Int = 1,
        retryAfter: Double? = nil, elapsed: Double = 0, random: Double = 0.5
    ) -> RetryPolicy.Decision {
        policy.decide(
            rateLimited: rateLimited, failures: failures, rateLimits: rateLimits, retryAfter: retryAfter,
            elapsed: elapsed, random: random)
    }

    @Test func a429WaitsRetryAfterInFullPlusUpToATwentieth() {
        #expect(decide(policy, retryAfter: 40, random: 0) == .retry(after: 40))
        #expect(decide(policy, retryAfter: 40, random: 0.5) == .retry(after: 41))
        #expect(decide(policy, retryAfter: 40, random: 1) == .retry(after: 42))
        #expect(decide(policy, retryAfter: 0, random: 0) == .retry(after: 0.5), "Retry-After: 0 is no busy loop")
    }

    @Test func a429DoesNotUseUpRetries() {
        let none = RetryPolicy(retries: 0, maxWait: 120)
        #expect(decide(none, rateLimits: 50, retryAfter: 1, elapsed: 60) == .retry(after: 1.025))
        #expect(decide(none, rateLimits: 50, retryAfter: 1, elapsed: 119.5) == .maxWaitReached)
        #expect(decide(none, rateLimited: false, failures: 1, rateLimits: 50) == .retriesUsed)
    }

    @Test func theNextAttemptMustBeginWithinMaxWait() {
        #expect(decide(policy, retryAfter: 30, elapsed: 91) == .maxWaitReached)
        // Retry-After fits, its random extra does not: the attempt begins at the bound.
        #expect(decide(policy, retryAfter: 30, elapsed: 89, random: 0.999) == .retry(after: 31))
        #expect(decide(policy, rateLimited: false, failures: 1, elapsed: 119.9) == .maxWaitReached)
        #expect(decide(policy, rateLimited: false, failures: 1, elapsed: 100) == .retry(after: 0.5))
    }

    @Test func maxWaitZeroTriesOnce() {
        let once = RetryPolicy(retries: 3, maxWait: 0)
        #expect(decide(once, retryAfter: 1) == .maxWaitReached)
        #expect(decide(once, rateLimited: false, failures: 1) == .maxWaitReached)
    }

    @Test func without429RetryAfterTheWaitDoublesUpToHalfAMinute() {
        #expect(decide(policy, rateLimits: 1, random: 0) == .retry(after: 0.25))
        #expect(decide(policy, rateLimits: 4, random: 0) == .retry(after: 2))
        #expect(decide(policy, rateLimits: 20, random: 0) == .retry(after: 15))
        #expect(decide(policy, rateLimits: 20, random: 1) == .retry(after: 31.5))
    }

    @Test func aClientWaitsOutManyRefusalsWithRetriesZero() throws {
        let transport = FetchScriptedTransport(
            Array(repeating: FetchFixtures.status(429, retryAfter: "10"), count: 5) + [FetchFixtures.ok(["A": "1"])])
        let sleeper = FetchSleepRecorder()
        let log = FetchLogBuffer()
        let fetched = try FetchFixtures.client(
            transport, configuration: FetchFixtures.configuration(retries: 0), log: log, verbosity: .normal,
            sleeper: sleeper, random: 0
        ).startUpFetch()
        #expect(fetched.secrets == ["A": "1"])
        #expect(fetched.rateLimitWait == 10)
        #expect(sleeper.waits == [10, 10, 10, 10, 10])
        #expect(
            log.lines == [
                "soup-run: the API is rate limiting requests (HTTP 429); waiting 10 s and retrying for up to --max-wait 2m\n"
            ])
    }

    @Test func givingUpSaysHowLongItWaitedAndWhy() {
        let clock = FetchTimeBoundTests.FakeClock()
        var configuration = FetchFixtures.configuration()
        configuration.maxWait = 60
        let transport = FetchScriptedTransport([], fallback: FetchFixtures.status(429, retryAfter: "25"))
        let client = SecretsClient(
            configuration: configuration, token: Secret(FetchFixtures.token), transport: transport,
            logger: FetchLogBuffer().logger(.quiet), sleep: { clock.wait($0) }, random: { 0 },
            monotonic: { clock.now })
        let expected = FetchError.maxWaitReached(
            waited: 50, attempts: 3, maxWait: 60, last: .rateLimited(retryAfter: 25))
        #expect(throws: expected) { try client.fetch() }
        #expect(expected.exitCode == .unavailable)
        #expect(
            expected.description.hasSuffix(
                "(gave up after waiting 50 s over 3 attempts: the next attempt (the API asked for 25 s more) "
                    + "could not begin within --max-wait 1m)"))
    }

    @Test func maxWaitZeroSaysItDidNotWait() throws {
        var configuration = FetchFixtures.configuration()
        configuration.maxWait = 0
        let transport = FetchScriptedTransport([], fallback: FetchFixtures.status(429, retryAfter: "5"))
        let error = FetchError.maxWaitReached(waited: 0, attempts: 1, maxWait: 0, last: .rateLimited(retryAfter: 5))
        #expect(throws: error) { try FetchFixtures.client(transport, configuration: configuration).fetch() }
        #expect(transport.requests.count == 1)
        #expect(error.description.hasSuffix("(not waiting for a retry: --max-wait 0s)"))
    }

    /// With --fallback a 429 is an ordinary failure again: it uses up --retries (Retry-After
    /// honoured up to 4 s), so a rate-limited start-up reaches the copy instead of waiting out
    /// --max-wait.
    @Test func withFallbackA429UsesUpRetriesAndItsWaitIsCapped() {
        let clock = FetchTimeBoundTests.FakeClock()
        var configuration = FetchFixtures.configuration()
        configuration.retries = 2
        configuration.fallback = Configuration.Fallback(path: "/tmp/copy")
        let transport = FetchScriptedTransport([], fallback: FetchFixtures.status(429, retryAfter: "25"))
        let client = SecretsClient(
            configuration: configuration, token: Secret(FetchFixtures.token), transport: transport,
            logger: FetchLogBuffer().logger(.quiet), sleep: { clock.wait($0) }, random: { 0 },
            monotonic: { clock.now })
        #expect(throws: FetchError.gaveUp(attempts: 3, last: .rateLimited(retryAfter: 25))) { try client.fetch() }
        #expect(transport.requests.count == 3)
        #expect(clock.now == 8, "two waits of Retry-After capped at 4 s")
    }
}
