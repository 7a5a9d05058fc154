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

/// Which keys differ between two child environments (never their values).
public struct EnvironmentDiff: Sendable, Equatable {
    public var changed: [String]
    public var added: [String]
    public var removed: [String]

    public init(old: [String: String], new: [String: String]) {
        changed = old.keys.filter { key in new[key].map { $0 != old[key] } ?? false }.sorted()
        added = new.keys.filter { old[$0] == nil }.sorted()
        removed = old.keys.filter { new[$0] == nil }.sorted()
    }

    public var isEmpty: Bool { changed.isEmpty && added.isEmpty && removed.isEmpty }

    /// `changed: A, B; added: C; removed: D` (only the non-empty parts).
    public var summary: String {
        [("changed", changed), ("added", added), ("removed", removed)]
            .filter { !$0.1.isEmpty }
            .map { "\($0.0): \($0.1.joined(separator: ", "))" }
            .joined(separator: "; ")
    }
}
