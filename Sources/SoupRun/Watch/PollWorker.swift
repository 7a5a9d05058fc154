import CSoupProcess
import SoupCore

/// Runs polls on one thread of its own, started with the first poll and kept for the process's
/// life, so a slow API never delays signal handling or reaping: the thread waits for a request,
/// fetches, leaves the result in a slot and wakes the loop through the self-pipe.
/// `WatchMachine` asks for one poll at a time, so at most one runs.
///
/// One kept thread rather than one per poll: with the transport's kept connection, an idle poll is
/// then a few system calls (a futex wake, the request and its answer, the self-pipe) instead of a
/// thread's creation and teardown. A plain pthread (every signal blocked from its first
/// instruction) rather than Dispatch keeps libdispatch's signal handling out of soup-run. Between
/// polls the thread sleeps on a condition variable (no timer ticks).
final class PollWorker: Sendable {
    private let poll: @Sendable (String?) -> PollResult
    private let slots = Locked(Slots())

    /// What the loop and the thread pass each other, under one lock.
    private struct Slots {
        /// A poll asked for and not yet begun (its `If-None-Match`).
        var request: Request?
        /// The last poll's result, until `take()`.
        var finished: PollResult?
        var threadStarted = false
    }

    private struct Request {
        var etag: String?
    }

    /// How long the thread sleeps before looking again when no poll is asked for (it is woken at
    /// once when one is): only a bound on the wait, not a schedule.
    static let idleWait: Double = 3600

    /// - Parameter poll: one conditional fetch turned into a `PollResult` (blocking).
    init(poll: @escaping @Sendable (String?) -> PollResult) {
        self.poll = poll
    }

    /// Starts a poll; `take()` returns its result once the loop has been woken.
    /// - Returns: nil, or an errno when the thread could not be started.
    @discardableResult
    func start(ifNoneMatch etag: String?) -> Int32? {
        let needsThread = slots.update { slots -> Bool in
            slots.request = Request(etag: etag)
            defer { slots.threadStarted = true }
            return !slots.threadStarted
        }
        guard needsThread else { return nil }
        let context = Unmanaged.passRetained(self).toOpaque()
        let failure = soup_thread_start(
            { context in
                Unmanaged<PollWorker>.fromOpaque(context!).takeRetainedValue().serve()
            }, context)
        guard failure == 0 else {
            Unmanaged<PollWorker>.fromOpaque(context).release()
            slots.withLock { slots in
                slots.request = nil
                slots.threadStarted = false
            }
            return failure
        }
        return nil
    }

    /// The finished poll's result, once (nil while it runs).
    func take() -> PollResult? {
        slots.withLock { slots in
            defer { slots.finished = nil }
            return slots.finished
        }
    }

    /// The thread's body: wait for a request, fetch, publish, wake the loop; for ever (the thread
    /// ends with the process).
    private func serve() {
        while true {
            guard slots.wait(seconds: Self.idleWait, for: { $0.request != nil }) else { continue }
            guard
                let request = slots.withLock({ slots -> Request? in
                    defer { slots.request = nil }
                    return slots.request
                })
            else { continue }
            let result = poll(request.etag)
            slots.withLock { $0.finished = result }
            soup_signals_wake()
        }
    }
}
