import CSoupProcess
import SoupCore

/// Runs each poll on a short-lived thread of its own, so a slow API never delays signal
/// handling or reaping: the thread fetches, leaves the result in a slot and wakes the loop
/// through the self-pipe. `WatchMachine` asks for one poll at a time, so at most one runs.
///
/// A plain pthread (every signal blocked from its first instruction) rather than Dispatch
/// keeps libdispatch's signal handling out of soup-run. A thread per poll rather than one that
/// waits for requests: nothing sleeps on a condition between polls, and a poll every few
/// seconds makes the thread's start-up cost irrelevant.
final class PollWorker: Sendable {
    private let poll: @Sendable (String?) -> PollResult
    private let finished = Locked<PollResult?>(nil)

    /// - Parameter poll: one conditional fetch turned into a `PollResult` (blocking).
    init(poll: @escaping @Sendable (String?) -> PollResult) {
        self.poll = poll
    }

    /// Starts a poll; `take()` returns its result once the loop has been woken.
    /// - Returns: nil, or an errno when the thread could not be started.
    @discardableResult
    func start(ifNoneMatch etag: String?) -> Int32? {
        let context = Unmanaged.passRetained(Job(worker: self, etag: etag)).toOpaque()
        let failure = soup_thread_start(
            { context in
                let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
                job.worker.run(ifNoneMatch: job.etag)
            }, context)
        guard failure == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            return failure
        }
        return nil
    }

    /// The finished poll's result, once (nil while it runs).
    func take() -> PollResult? {
        finished.withLock { slot in
            defer { slot = nil }
            return slot
        }
    }

    /// The thread's body: fetch, publish, wake the loop.
    private func run(ifNoneMatch etag: String?) {
        let result = poll(etag)
        finished.withLock { $0 = result }
        soup_signals_wake()
    }

    /// What one thread needs, passed through C as its context (retained until it runs).
    private final class Job: Sendable {
        let worker: PollWorker
        let etag: String?
        init(worker: PollWorker, etag: String?) {
            self.worker = worker
            self.etag = etag
        }
    }
}
