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
        #if os(Linux)
            // Timed waits on the monotonic clock: a wall-clock jump cannot stretch or cut them.
            var attributes = pthread_condattr_t()
            pthread_condattr_init(&attributes)
            pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
            pthread_cond_init(condition, &attributes)
            pthread_condattr_destroy(&attributes)
        #else
            pthread_cond_init(condition, nil)
        #endif
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

    /// Changes the value and wakes every thread waiting in `wait(seconds:for:)`.
    public func update<Result>(_ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return body(&value)
    }

    /// Waits until `done` holds for the value or `seconds` pass; returns whether it holds.
    ///
    /// Timed on CLOCK_MONOTONIC through clock_gettime rather than `ContinuousClock`, which would link
    /// the Swift Concurrency runtime (and libdispatch) into every binary that uses this type.
    public func wait(seconds: Double, for done: (Value) -> Bool) -> Bool {
        let deadline = Self.monotonic() + max(0, seconds)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !done(value) {
            let left = deadline - Self.monotonic()
            if left <= 0 { return false }
            // An absolute time on the condition's clock. On Linux it is monotonic, so one wait to
            // the deadline (a thread waiting long wakes no sooner than needed). On Darwin (no
            // pthread_condattr_setclock) it is the wall clock: short slices, where a jump can only
            // stretch one slice, since the monotonic deadline above is what bounds the wait.
            var now = timespec()
            #if os(Linux)
                clock_gettime(CLOCK_MONOTONIC, &now)
                let slice = min(left, 365 * 24 * 3600)
            #else
                clock_gettime(CLOCK_REALTIME, &now)
                let slice = min(left, 0.1)
            #endif
            let nanoseconds = Int(now.tv_nsec) + Int(slice.truncatingRemainder(dividingBy: 1) * 1_000_000_000)
            var wake = now
            wake.tv_sec += Int(slice) + nanoseconds / 1_000_000_000
            wake.tv_nsec = nanoseconds % 1_000_000_000
            pthread_cond_timedwait(condition, mutex, &wake)
        }
        return true
    }

    private static func monotonic() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }
}
