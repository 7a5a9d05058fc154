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

    /// The effective interval after an answer: a twentieth closer to `interval` each time, so a
    /// fleet that was refused comes back to its pace over many polls rather than all at once (a
    /// tenth made the fleet's demand outgrow the grant within a few polls: see the fleet simulation).
    public static func recovered(_ effective: Double, interval: Double) -> Double {
        max(interval, effective * recoveryFactor)
    }

    /// How much of the effective interval is kept per answered poll.
    public static let recoveryFactor = 0.95

    /// The wait after an answered poll: the effective interval ±10% at `--interval`'s pace, ±50%
    /// while slowed down, so admissions that a window of refusals bunched together spread over the
    /// window instead of repeating in step every minute.
    public static func answered(effective: Double, interval: Double, unit: Double) -> Double {
        effective > interval ? effective * (0.5 + clampUnit(unit)) : jittered(effective, unit: unit)
    }

    /// The part of the effective interval a refused poll's random share is taken from, at most:
    /// longer shares would leave some clients of a fleet unanswered for many minutes.
    public static let maxRateLimitShare: Double = 120

    /// The least fraction of the share a refused poll waits beyond `Retry-After`: more than the
    /// spread of a refused start-up (`RetryPolicy.rateLimitSpread`), so start-ups refused with
    /// the same `Retry-After` come back first and take the slots that open.
    public static let minRateLimitShare = 0.25

    /// The wait after a poll refused for the rate limit (429): its `Retry-After` (capped like any
    /// wait) plus a random share of the effective interval (at least a quarter of it), so clients
    /// refused together spread out instead of coming back in step when the window opens. The
    /// share shrinks with each refusal in a row (`refusals`, 1 for the first): a client refused
    /// again and again comes closer to the moment a slot opens, so none is left out for long.
    public static func rateLimitedDelay(
        retryAfter: Double?, effective: Double, interval: Double, refusals: Int = 1, unit: Double
    ) -> Double {
        let cap = max(maxBackoff, interval)
        let floor = min(max(retryAfter ?? 0, 0), cap)
        let share = min(effective, max(maxRateLimitShare, interval)) / Double(min(max(refusals, 1), 1000))
        return floor + share * (minRateLimitShare + (1 - minRateLimitShare) * clampUnit(unit))
    }

    /// The effective interval after a start-up the rate limit held back for `wait` seconds: three
    /// times that wait (at least twice `--interval`, at most the cap). A start-up that had to wait
    /// means at least twice as many clients as the API grants per window; the polls keep clear of
    /// the start-ups still waiting and begin near the pace the fleet can have.
    public static func afterRateLimitedStartUp(wait: Double, interval: Double) -> Double {
        min(max(maxBackoff, interval), max(2 * interval, 3 * max(wait, 0)))
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
