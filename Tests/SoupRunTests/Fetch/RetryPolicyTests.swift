import Testing
@testable import SoupRun

@Suite struct RetryPolicyTests {
    @Test func backoffDoublesFromHalfASecondUpToTheCap() {
        let policy = RetryPolicy(retries: 10, jitter: .none)
        let delays = (1...6).map { policy.delay(beforeRetry: $0, retryAfter: nil, random: 0.3) }
        #expect(delays == [0.5, 1, 2, 4, 4, 4])
        #expect(policy.delay(beforeRetry: 1000, retryAfter: nil, random: 0) == 4)
    }

    @Test func fullJitterScalesTheWholeBackoff() {
        let policy = RetryPolicy(retries: 3, jitter: .full)
        #expect(policy.delay(beforeRetry: 3, retryAfter: nil, random: 0) == 0)
        #expect(policy.delay(beforeRetry: 3, retryAfter: nil, random: 0.25) == 0.5)
        #expect(policy.delay(beforeRetry: 3, retryAfter: nil, random: 1) == 2)
    }

    @Test func equalJitterKeepsHalfTheBackoff() {
        let policy = RetryPolicy(retries: 3, jitter: .equal)
        #expect(policy.delay(beforeRetry: 2, retryAfter: nil, random: 0) == 0.5)
        #expect(policy.delay(beforeRetry: 2, retryAfter: nil, random: 0.5) == 0.75)
        #expect(policy.delay(beforeRetry: 2, retryAfter: nil, random: 1) == 1)
    }

    @Test(arguments: [-5.0, 2.0, .nan, .infinity])
    func randomOutsideTheUnitIntervalIsClamped(random: Double) {
        let d = RetryPolicy(retries: 3, jitter: .full).delay(beforeRetry: 1, retryAfter: nil, random: random)
        #expect(d >= 0 && d <= 0.5)
    }

    @Test func retryAfterReplacesTheBackoffUpToItsCap() {
        let policy = RetryPolicy(retries: 3)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 1.5, random: 0) == 1.5)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 3600, random: 0) == 4)
        #expect(policy.delay(beforeRetry: 1, retryAfter: -1, random: 0) == 0)
    }

    @Test func retriesCountsAttemptsAfterTheFirst() {
        let none = RetryPolicy(retries: 0)
        #expect(!none.shouldRetry(afterAttempt: 1))
        let three = RetryPolicy(retries: 3)
        #expect((1...4).map { three.shouldRetry(afterAttempt: $0) } == [true, true, true, false])
        #expect(RetryPolicy(retries: -2).retries == 0)
    }
}

@Suite struct RetryAfterTests {
    @Test(arguments: [("0", 0.0), ("7", 7), (" 120 ", 120)])
    func deltaSeconds(text: String, seconds: Double) {
        #expect(RetryAfter.seconds(text, now: 1_000) == seconds)
    }

    @Test func httpDateIsRelativeToNow() {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(RetryAfter.imfFixdate(date) == 784_111_777)
        #expect(RetryAfter.seconds(date, now: 784_111_767) == 10)
        #expect(RetryAfter.seconds(date, now: 784_111_999) == 0)
        #expect(RetryAfter.imfFixdate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryAfter.imfFixdate("Tue, 29 Feb 2000 23:59:59 GMT") == 951_868_799)
    }

    @Test(arguments: [
        "", "soon", "-3", "1.5", "12345678901", "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
    ])
    func malformedValuesAreIgnored(text: String) {
        #expect(RetryAfter.seconds(text, now: 0) == nil)
    }
}
