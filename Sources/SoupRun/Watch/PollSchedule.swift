/// When to poll next and how long to delay a restart: pure functions of a few numbers and a
/// random unit value in [0, 1), so the schedule is tested without clocks or randomness.
public enum PollSchedule {
    /// The longest wait between polls after failures (or for a `Retry-After`), unless the
    /// interval itself is longer.
    public static let maxBackoff: Double = 300

    /// `seconds` spread by ±10% so a fleet started together does not poll in step.
    public static func jittered(_ seconds: Double, unit: Double) -> Double {
        seconds * (0.9 + 0.2 * clampUnit(unit))
    }

    /// The wait after `failures` consecutive failed polls (1 for the first): the interval
    /// doubled per failure, jittered, capped at `maxBackoff` (or the interval when longer),
    /// and never shorter than a `Retry-After` the server sent (itself capped).
    public static func backoff(failures: Int, interval: Double, retryAfter: Double?, unit: Double) -> Double {
        let cap = max(maxBackoff, interval)
        let doublings = Double(min(max(failures, 1), 32))
        var delay = min(cap, jittered(min(cap, interval * pow2(doublings)), unit: unit))
        if let retryAfter, retryAfter > 0 {
            delay = max(delay, min(retryAfter, cap))
        }
        return delay
    }

    /// The effective interval after a poll refused for the rate limit: doubled, at least the
    /// `Retry-After`, at most `maxBackoff` (or the interval when longer).
    public static func slowedDown(_ effective: Double, interval: Double, retryAfter: Double?) -> Double {
        let cap = max(maxBackoff, interval)
        return min(cap, max(effective * 2, retryAfter ?? 0, interval))
    }

    /// The effective interval after an answer: a tenth closer to `interval` each time, so a fleet
    /// that was refused comes back to its pace over several polls rather than all at once.
    public static func recovered(_ effective: Double, interval: Double) -> Double {
        max(interval, effective * recoveryFactor)
    }

    /// How much of the effective interval is kept per answered poll.
    public static let recoveryFactor = 0.9

    /// The part of the effective interval a refused poll's random share is taken from, at most:
    /// longer shares would leave some clients of a fleet unanswered for many minutes.
    public static let maxRateLimitShare: Double = 120

    /// The wait after a poll refused for the rate limit (429): its `Retry-After` (capped like any
    /// wait) plus a random share of the effective interval, so clients refused together spread out
    /// instead of coming back in step when the window opens.
    public static func rateLimitedDelay(retryAfter: Double?, effective: Double, interval: Double, unit: Double)
        -> Double
    {
        let cap = max(maxBackoff, interval)
        let floor = min(max(retryAfter ?? 0, 0), cap)
        return floor + min(effective, max(maxRateLimitShare, interval)) * clampUnit(unit)
    }

    /// The random delay before one restart, in [0, splay).
    public static func splayDelay(_ splay: Double, unit: Double) -> Double {
        splay > 0 ? splay * clampUnit(unit) : 0
    }

    private static func clampUnit(_ unit: Double) -> Double {
        unit.isFinite ? min(max(unit, 0), 0.999_999_999) : 0.5
    }

    private static func pow2(_ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(exponent) { result *= 2 }
        return result
    }
}

/// Seconds for messages: `0.2 s`, `10 s`, `1.5 s`.
enum Seconds {
    static func format(_ seconds: Double) -> String {
        let tenths = (seconds * 10).rounded()
        let whole = Int(tenths / 10)
        let fraction = Int(tenths) % 10
        return fraction == 0 ? "\(whole) s" : "\(whole).\(fraction) s"
    }
}
