import CSoupProcess
import SoupCore

/// Runs a few blocking jobs at once on plain threads (every signal blocked, as for the poll
/// worker): the fetches of several layers overlap instead of adding up. Bounded twice: at most
/// `limit` jobs run at a time, and the caller waits at most `bound` seconds for all of them.
enum Concurrently {
    /// `body(0) ... body(count - 1)`, at most `limit` at a time, on threads while the caller
    /// waits; one job (the common case) runs on the calling thread and starts no thread at all.
    /// A job still running after `bound` seconds comes back as nil (the jobs soup-run runs are
    /// bounded by their own timeouts, so this is a safety net). If a thread cannot be started the
    /// others do its share; if none can, the caller does all the work itself.
    static func map<T: Sendable>(
        _ count: Int, limit: Int, bound: Double, _ body: @escaping @Sendable (Int) -> T
    ) -> [T?] {
        guard count > 1, limit > 1 else { return (0..<count).map(body) }
        let run = Run<T>(count: count, body: body)
        var started = 0
        for _ in 0..<min(limit, count) {
            let context = Unmanaged.passRetained(Thread { run.work() }).toOpaque()
            let failure = soup_thread_start(
                { context in Unmanaged<Thread>.fromOpaque(context!).takeRetainedValue().body() }, context)
            if failure == 0 {
                started += 1
            } else {
                Unmanaged<Thread>.fromOpaque(context).release()
            }
        }
        if started == 0 { run.work() }
        _ = run.state.wait(seconds: bound) { $0.finished == count }
        return run.state.withLock { $0.results }
    }

    /// A thread's body, passed through C as its context (retained until it runs); not generic,
    /// since a C function pointer cannot capture a generic parameter.
    private final class Thread: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// The shared queue of one `map`: the next job to take, and the results so far.
    private final class Run<T: Sendable>: Sendable {
        struct State {
            var next = 0
            var finished = 0
            var results: [T?]
        }

        let state: Locked<State>
        let count: Int
        let body: @Sendable (Int) -> T

        init(count: Int, body: @escaping @Sendable (Int) -> T) {
            self.count = count
            self.body = body
            state = Locked(State(results: Array(repeating: nil, count: count)))
        }

        /// Takes jobs until none is left.
        func work() {
            while true {
                let index = state.withLock { state -> Int? in
                    guard state.next < count else { return nil }
                    defer { state.next += 1 }
                    return state.next
                }
                guard let index else { return }
                let result = body(index)
                state.update { state in
                    state.results[index] = result
                    state.finished += 1
                }
            }
        }
    }
}
