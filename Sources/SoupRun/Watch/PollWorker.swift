import CSoupProcess
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one poll at a time off the main thread, so a slow API never delays signal handling
/// or reaping; the result waits in a slot and the main loop is woken through the self-pipe.
final class PollWorker: @unchecked Sendable {
    private let queue = DispatchQueue(label: "soup-run.watch.poll")
    private let poll: @Sendable (String?) -> PollResult
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var finished: PollResult? = nil

    /// - Parameter poll: one conditional fetch turned into a `PollResult` (blocking).
    init(poll: @escaping @Sendable (String?) -> PollResult) {
        self.poll = poll
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Starts a poll in the background; `take()` returns its result once the loop is woken.
    func start(ifNoneMatch etag: String?) {
        queue.async { [self] in
            // Signals belong to the main loop; a fetch thread must never run the handlers.
            var signals = WatchDriver.handledSignals
            _ = soup_block_signals_on_this_thread(&signals, Int32(signals.count))
            let result = poll(etag)
            pthread_mutex_lock(lock)
            finished = result
            pthread_mutex_unlock(lock)
            soup_signals_wake()
        }
    }

    /// The finished poll's result, once (nil while it runs).
    func take() -> PollResult? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        let result = finished
        finished = nil
        return result
    }
}
