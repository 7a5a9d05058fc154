import SoupDevServer
import SoupTestSupport

@testable import SoupRun

/// A fleet of `soup-run --watch` against one rate-limited API on a virtual clock: the
/// dev server's real `RateLimiter`, each watcher's real start-up retry decisions
/// (`RetryPolicy.decide`, as `SecretsClient.startUpFetch` makes them) and its real
/// `WatchMachine`, driven by seeded randomness, so the pacing is checked by design and in
/// milliseconds, not by a fleet benchmark on a loaded machine. Requests take no time; each
/// watcher is started `launch / watchers` seconds after the previous one.
struct FleetSimulation {
    var watchers = 200
    /// Requests per minute (nil: unlimited, self-hosted).
    var limit: Int? = 100
    /// Seconds over which the watchers are started, one after another.
    var launch: Double = 1
    var interval: Double = 1
    var maxWait: Double = 120
    /// When the secrets change.
    var change: Double = 180
    /// When the simulation stops.
    var horizon: Double = 600

    /// What happened to the fleet.
    struct Outcome {
        /// Seconds from each watcher's launch to its first child (nil: it never started).
        var starts: [Double?] = []
        /// Watchers whose start-up gave up (`--max-wait` reached: exit 69).
        var gaveUp = 0
        /// Every request: when, and whether the API admitted it.
        var requests: [(time: Double, admitted: Bool)] = []
        /// Seconds from the change to each watcher's poll that brought it (nil: never).
        var reached: [Double?] = []
        /// The most children any watcher had at once.
        var mostChildren = 0

        /// The share of requests in `[from, to)` that were refused.
        func refusedShare(from: Double, to: Double) -> Double {
            let window = requests.filter { $0.time >= from && $0.time < to }
            guard !window.isEmpty else { return 0 }
            return Double(window.filter { !$0.admitted }.count) / Double(window.count)
        }
    }

    /// One watcher: starting (the start-up's retries), running (its machine), or gone.
    private struct Watcher {
        enum Phase {
            case starting(rateLimits: Int, lastWait: Double?)
            case running(WatchMachine)
            case gaveUp
        }
        var launchedAt: Double
        var next: Double
        var phase: Phase
        var children = 0
        var nextPid: Int32
    }

    func run(seed: UInt64) -> Outcome {
        let random = SeededUnit(seed: seed)
        let limiter = RateLimiter()
        let policy = RetryPolicy(retries: 3, maxWait: maxWait)
        let settings = Configuration.Watch(interval: interval, stopSignal: 15, stopTimeout: 5, splay: 0)
        var outcome = Outcome(
            starts: Array(repeating: nil, count: watchers), reached: Array(repeating: nil, count: watchers))
        var fleet = (0..<watchers).map { index in
            let at = launch * Double(index) / Double(watchers)
            return Watcher(
                launchedAt: at, next: at, phase: .starting(rateLimits: 0, lastWait: nil),
                nextPid: Int32(index * 1000 + 1))
        }
        // Admits or refuses one request at `now`; nil when admitted, else the Retry-After.
        func request(at now: Double) -> Double? {
            let decision = limiter.admit(token: "fleet", limit: limit, now: .nanoseconds(Int64(now * 1e9)))
            outcome.requests.append((now, decision == .allowed))
            if case .limited(let retryAfter) = decision { return Double(retryAfter) }
            return nil
        }
        var queue = EventQueue()
        for index in fleet.indices { queue.push(fleet[index].next, index) }
        while let (now, index) = queue.pop(), now <= horizon {
            var watcher = fleet[index]
            switch watcher.phase {
            case .gaveUp:
                watcher.next = .infinity
            case .starting(let rateLimits, let lastWait):
                if let retryAfter = request(at: now) {
                    let decision = policy.decide(
                        rateLimited: true, failures: 0, rateLimits: rateLimits + 1, retryAfter: retryAfter,
                        elapsed: now - watcher.launchedAt, random: random.next())
                    switch decision {
                    case .retry(let wait):
                        watcher.phase = .starting(rateLimits: rateLimits + 1, lastWait: wait)
                        watcher.next = now + wait
                    case .retriesUsed, .maxWaitReached:
                        watcher.phase = .gaveUp
                        watcher.next = .infinity
                        outcome.gaveUp += 1
                    }
                } else {
                    var machine = WatchMachine(
                        settings: settings, environment: ["V": version(at: now)], etag: version(at: now),
                        random: random.next)
                    if let lastWait { machine.startRateLimited(retryAfter: lastWait) }
                    outcome.starts[index] = now - watcher.launchedAt
                    perform(machine.start(now: now), on: &machine, watcher: &watcher, now: now, outcome: &outcome)
                    watcher.phase = .running(machine)
                    watcher.next = machine.nextDeadline ?? .infinity
                }
            case .running(var machine):
                for action in machine.handle(.tick, now: now) {
                    guard case .poll(let etag) = action else { continue }
                    let result: PollResult
                    if let retryAfter = request(at: now) {
                        result = .failed(
                            PollFailure(
                                state: "http 429", message: "HTTP 429", retryAfter: retryAfter, rateLimited: true))
                    } else if etag == version(at: now) {
                        result = .notModified
                    } else {
                        if now >= change && outcome.reached[index] == nil { outcome.reached[index] = now - change }
                        result = .environment(["V": version(at: now)], etag: version(at: now))
                    }
                    perform(
                        machine.handle(.pollFinished(result), now: now), on: &machine, watcher: &watcher, now: now,
                        outcome: &outcome)
                }
                watcher.phase = .running(machine)
                watcher.next = machine.nextDeadline ?? .infinity
            }
            fleet[index] = watcher
            if watcher.next.isFinite { queue.push(watcher.next, index) }
        }
        return outcome
    }

    private func version(at now: Double) -> String { now >= change ? "v1" : "v0" }

    /// The driver's part, without processes: a spawn succeeds at once, a stopped child's group
    /// is gone at once.
    private func perform(
        _ actions: [WatchAction], on machine: inout WatchMachine, watcher: inout Watcher, now: Double,
        outcome: inout Outcome
    ) {
        for action in actions {
            switch action {
            case .spawn:
                watcher.children += 1
                outcome.mostChildren = max(outcome.mostChildren, watcher.children)
                let pid = watcher.nextPid
                watcher.nextPid += 1
                perform(
                    machine.handle(.spawned(pid: pid), now: now), on: &machine, watcher: &watcher, now: now,
                    outcome: &outcome)
            case .signalTree(let pgid, _), .signalGroup(let pgid, _):
                guard case .stopping(let stop) = machine.phase, stop.pid == pgid, !stop.leaderExited else { continue }
                watcher.children -= 1
                perform(
                    machine.handle(.childExited(pid: pgid, status: .signaled(15)), now: now)
                        + machine.handle(.groupGone(pgid: pgid), now: now), on: &machine, watcher: &watcher, now: now,
                    outcome: &outcome)
            default:
                break
            }
        }
    }
}

/// Seeded unit values in [0, 1) shared by one simulation's watchers (`WatchMachine` takes a
/// closure).
final class SeededUnit {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    func next() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
}

/// Each watcher's next event, earliest first (a binary heap; ties by watcher, so runs repeat).
struct EventQueue {
    private var heap: [(time: Double, index: Int)] = []

    mutating func push(_ time: Double, _ index: Int) {
        heap.append((time, index))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (Double, Int)? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count && Self.before(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count && Self.before(heap[right], heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return (first.time, first.index)
    }

    private static func before(_ a: (time: Double, index: Int), _ b: (time: Double, index: Int)) -> Bool {
        a.time < b.time || (a.time == b.time && a.index < b.index)
    }
}
