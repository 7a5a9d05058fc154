#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value guarded by a mutex, with a condition variable to wait for it to change.
///
/// Hand-written on pthreads because `Synchronization.Mutex` needs macOS 15 and the package
/// supports macOS 13, and full Foundation (`NSLock`) is kept out of Sources/. Shared by the
/// HTTP server, the dev server and the tests.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure)
        -> Result
    {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Changes the value and wakes every thread waiting in `wait(until:for:)`.
    public func update<Result>(_ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return body(&value)
    }

    /// Waits until `done` holds for the value or the deadline passes; returns whether it holds.
    public func wait(until deadline: ContinuousClock.Instant, for done: (Value) -> Bool) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !done(value) {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return false }
            // Short slices against the wall clock; the monotonic deadline above is what bounds the wait.
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let slice = min(left, .milliseconds(100)).components
            let nanoseconds = slice.seconds * 1_000_000_000 + slice.attoseconds / 1_000_000_000
            var wake = timespec(tv_sec: now.tv_sec, tv_nsec: now.tv_nsec + Int(nanoseconds))
            if wake.tv_nsec >= 1_000_000_000 {
                wake.tv_sec += 1
                wake.tv_nsec -= 1_000_000_000
            }
            pthread_cond_timedwait(condition, mutex, &wake)
        }
        return true
    }
}
