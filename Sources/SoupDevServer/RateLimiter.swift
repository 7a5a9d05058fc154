import SoupCore

/// Per-token request limits over a sliding one-minute window.
///
/// A request is admitted when fewer than `limit` requests of the same token were admitted in the
/// last `window`; refused requests do not count. The clock is a parameter, so tests step time
/// instead of waiting. Memory is bounded: only known tokens reach the limiter, each with at most
/// `limit` timestamps.
public final class RateLimiter: Sendable {
    /// The outcome for one request.
    public enum Decision: Sendable, Equatable {
        case allowed
        /// Refused; a slot frees in this many whole seconds (at least 1).
        case limited(retryAfter: Int)
    }

    public let window: Duration
    private let admitted: Locked<[String: Timestamps]>

    public init(window: Duration = .seconds(60)) {
        self.window = window
        self.admitted = Locked([:])
    }

    /// Decides on one request of `token` at time `now`; a nil `limit` is unlimited.
    public func admit(token: String, limit: Int?, now: Duration) -> Decision {
        guard let limit else { return .allowed }
        return admitted.withLock { all in
            var times = all[token] ?? Timestamps()
            times.dropOlder(than: now - window)
            defer { all[token] = times }
            if times.count < limit {
                times.append(now)
                return .allowed
            }
            // The oldest admitted request leaves the window first; round up so a client that
            // waits exactly Retry-After seconds is admitted.
            let wait = times.oldest! + window - now
            let (seconds, attoseconds) = wait.components
            return .limited(retryAfter: max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0)))
        }
    }
}

/// Admission times in increasing order, as a queue that drops from the front in amortized O(1).
struct Timestamps {
    private var times: [Duration] = []
    private var head = 0

    var count: Int { times.count - head }
    var oldest: Duration? { head < times.count ? times[head] : nil }

    mutating func append(_ time: Duration) { times.append(time) }

    /// Forgets times at or before `cutoff`: they are outside the window ending now.
    mutating func dropOlder(than cutoff: Duration) {
        while head < times.count, times[head] <= cutoff { head += 1 }
        if head > 64, head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
    }
}
