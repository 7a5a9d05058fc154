import CSoupProcess

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs polls one at a time on a thread of its own, so a slow API never delays signal
/// handling or reaping: the main loop posts a request, the thread fetches, leaves the result
/// in a slot and wakes the loop through the self-pipe. A plain pthread (every signal blocked)
/// rather than Dispatch keeps libdispatch out of soup-run.
final class PollWorker: @unchecked Sendable {
    private let poll: @Sendable (String?) -> PollResult
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// A poll to start; the inner optional is its If-None-Match.
    private var request: String?? = nil
    private var finished: PollResult? = nil
    private var threadStarted = false

    /// - Parameter poll: one conditional fetch turned into a `PollResult` (blocking).
    init(poll: @escaping @Sendable (String?) -> PollResult) {
        self.poll = poll
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    // No deinit: the thread holds the worker for the life of the process (it is never joined).

    /// Starts a poll; `take()` returns its result once the loop has been woken.
    /// - Returns: nil, or an errno when the thread could not be started.
    @discardableResult
    func start(ifNoneMatch etag: String?) -> Int32? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if !threadStarted {
            let context = Unmanaged.passRetained(self).toOpaque()
            let failure = soup_thread_start(
                { context in
                    Unmanaged<PollWorker>.fromOpaque(context!).takeUnretainedValue().serve()
                }, context)
            guard failure == 0 else {
                Unmanaged<PollWorker>.fromOpaque(context).release()
                return failure
            }
            threadStarted = true
        }
        request = .some(etag)
        pthread_cond_signal(condition)
        return nil
    }

    /// The finished poll's result, once (nil while it runs).
    func take() -> PollResult? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let result = finished
        finished = nil
        return result
    }

    /// The thread: wait for a request, fetch, publish, wake the loop; forever.
    private func serve() {
        while true {
            pthread_mutex_lock(mutex)
            while request == nil { pthread_cond_wait(condition, mutex) }
            let etag = request!
            request = nil
            pthread_mutex_unlock(mutex)

            let result = poll(etag)

            pthread_mutex_lock(mutex)
            finished = result
            pthread_mutex_unlock(mutex)
            soup_signals_wake()
        }
    }
}
