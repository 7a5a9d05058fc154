/// When to try again and how long to wait: exponential backoff with jitter, `Retry-After` honoured
/// up to a cap; a rate limit (429) waited out in full within `maxWait`. Pure: randomness and the
/// time elapsed come in as numbers.
///
/// The defaults bound a whole fetch: with `--timeout 10 --retries 3` there are at most 4 failed
/// attempts of 10 s and 3 waits of at most 4 s, so an unreachable or hanging API fails within 52 s.
/// A 429 does not use up a retry: its `Retry-After` is waited in full (plus a random twentieth, so a
/// fleet refused together does not come back together) as long as the next attempt can begin
/// within `maxWait` of the first; so a rate-limited start-up ends within `maxWait` + `--timeout`,
/// and every start-up within `maxWait` + 52 s.
public struct RetryPolicy: Sendable, Equatable {
    public enum Jitter: Sendable, Equatable {
        /// A uniform wait in `0...backoff`: spreads many clients out best (the default).
        case full
        /// Half the backoff plus a uniform wait in `0...backoff/2`: never retries at once.
        case equal
        /// Exactly the backoff (for tests and reasoning).
        case none
    }

    /// Attempts after the first.
    public var retries: Int
    /// The backoff before the first retry; it doubles for each further retry.
    public var baseDelay: Double = 0.5
    /// The longest backoff, in seconds.
    public var maxDelay: Double = 4
    /// The longest `Retry-After` honoured, in seconds; longer requests wait this long.
    public var maxRetryAfter: Double = 4
    public var jitter: Jitter = .full
    /// Seconds after the first attempt within which another attempt may begin (`--max-wait`).
    public var maxWait: Double = 120
    /// The share of a 429's `Retry-After` added at random to it: small, so start-ups refused
    /// together come back as the slots they wait for open (a refused poll waits longer, see
    /// `PollSchedule.minRateLimitShare`), and an attempt rarely lands at the `maxWait` bound.
    public static let rateLimitSpread = 0.05
    /// The longest wait after a 429 without `Retry-After`.
    public static let maxRateLimitBackoff: Double = 30

    public init(retries: Int, jitter: Jitter = .full, maxWait: Double = 120) {
        self.retries = max(0, retries)
        self.jitter = jitter
        self.maxWait = maxWait.isFinite ? max(0, maxWait) : 0
    }

    /// What to do after a failed attempt that can succeed later.
    public enum Decision: Sendable, Equatable {
        /// Wait this many seconds, then try again.
        case retry(after: Double)
        /// Every retry `retries` allows is used.
        case retriesUsed
        /// The next attempt could not begin within `maxWait` of the first.
        case maxWaitReached
    }

    /// The decision after a retryable failure.
    /// - Parameters:
    ///   - rateLimited: the failure was a 429 (it does not count against `retries`).
    ///   - failures: failures so far that were not 429s (this one included, when it is one).
    ///   - rateLimits: 429s so far (this one included, when it is one).
    ///   - retryAfter: the server's `Retry-After`, in seconds, if any.
    ///   - elapsed: seconds since the first attempt began.
    ///   - random: a number in `0..<1`.
    public func decide(
        rateLimited: Bool, failures: Int, rateLimits: Int, retryAfter: Double?, elapsed: Double, random: Double
    ) -> Decision {
        let left = maxWait - elapsed
        if rateLimited {
            let floor = rateLimitFloor(retryAfter: retryAfter, rateLimits: rateLimits, random: random)
            guard floor <= left else { return .maxWaitReached }
            let extra = floor * Self.rateLimitSpread * Self.unit(random)
            return .retry(after: min(floor + extra, left))
        }
        guard shouldRetry(afterAttempt: failures) else { return .retriesUsed }
        let wait = delay(beforeRetry: failures, retryAfter: retryAfter, random: random)
        return wait <= left ? .retry(after: wait) : .maxWaitReached
    }

    /// The least wait after a 429: `Retry-After` in full (at least `baseDelay`: `Retry-After: 0`
    /// must not make a busy loop), or without one a backoff doubling per 429 from `baseDelay` up to
    /// `maxRateLimitBackoff` (half fixed, half random).
    func rateLimitFloor(retryAfter: Double?, rateLimits: Int, random: Double) -> Double {
        if let retryAfter, retryAfter.isFinite { return max(retryAfter, baseDelay) }
        let exponent = min(max(rateLimits - 1, 0), 30)
        let backoff = min(baseDelay * Double(1 << exponent), Self.maxRateLimitBackoff)
        return backoff / 2 + backoff / 2 * Self.unit(random)
    }

    private static func unit(_ random: Double) -> Double {
        random.isFinite ? min(max(random, 0), 1) : 0
    }

    /// Whether another attempt follows attempt number `attempt` (1-based) when it failed retryably.
    public func shouldRetry(afterAttempt attempt: Int) -> Bool { attempt <= retries }

    /// Seconds to wait before retry number `retry` (1-based).
    /// - Parameters:
    ///   - retryAfter: the server's `Retry-After` in seconds, if it sent one; it replaces the backoff.
    ///   - random: a number in `0..<1` (clamped), the jitter's source.
    public func delay(beforeRetry retry: Int, retryAfter: Double?, random: Double) -> Double {
        if let retryAfter, retryAfter.isFinite {
            return min(max(retryAfter, 0), maxRetryAfter)
        }
        let exponent = min(max(retry - 1, 0), 30)
        let backoff = min(baseDelay * Double(1 << exponent), maxDelay)
        let r = random.isFinite ? min(max(random, 0), 1) : 0
        switch jitter {
        case .full: return backoff * r
        case .equal: return backoff / 2 + backoff / 2 * r
        case .none: return backoff
        }
    }
}

/// Parses `Retry-After`: delta-seconds (`120`) or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
public enum RetryAfter {
    /// Seconds to wait from `now` (seconds since the Unix epoch), or nil when the value is malformed.
    /// A date in the past means 0.
    public static func seconds(_ value: String, now: Double) -> Double? {
        let v = trimSpaces(value)
        if !v.isEmpty, v.utf8.count <= 10, v.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Double(v) }
        guard let date = imfFixdate(v) else { return nil }
        return max(0, date - now)
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` as seconds since the epoch.
    static func imfFixdate(_ s: String) -> Double? {
        let parts = s.split(separator: " ")
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int(parts[1]), parts[1].count == 2, (1...31).contains(day),
            let monthIndex = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3]), parts[3].count == 4
        else { return nil }
        let time = parts[4].split(separator: ":")
        guard time.count == 3, time.allSatisfy({ $0.count == 2 }),
            let h = Int(time[0]), let m = Int(time[1]), let sec = Int(time[2]), h < 24, m < 60, sec < 61
        else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return Double(days * 86400 + h * 3600 + m * 60 + sec)
    }

    private static func trimSpaces(_ s: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = s.firstIndex(where: { !isSpace($0) }), let end = s.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(s[start...end])
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
