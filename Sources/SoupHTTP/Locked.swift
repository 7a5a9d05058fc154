#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value guarded by a mutex, with a condition variable to wait for it to change.
///
/// Hand-written on pthreads because `Synchronization.Mutex` needs macOS 15 and the package
/// supports macOS 13.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(_ value: Value) {
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

    func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Changes the value and wakes every thread waiting in `wait(until:for:)`.
    func update<Result>(_ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return body(&value)
    }

    /// Waits until `done` holds for the value or the deadline passes; returns whether it holds.
    func wait(until deadline: ContinuousClock.Instant, for done: (Value) -> Bool) -> Bool {
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

/// Starting detached threads with every asynchronous signal blocked.
///
/// A process that waits for signals with sigwait (as an init or a server's main thread does) needs
/// them blocked on every thread, or one of ours would take SIGTERM's default action. The mask is
/// set around pthread_create, so the thread never runs unmasked.
enum DetachedThread {
    /// Runs `body` on a new thread; returns 0 or the errno of pthread_create.
    static func start(_ body: @escaping @Sendable () -> Void) -> Int32 {
        var blocked = sigset_t()
        sigfillset(&blocked)
        for fault in [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT] { sigdelset(&blocked, fault) }
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }

        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        #if canImport(Glibc)
            var thread = pthread_t()
        #else
            var thread: pthread_t?
        #endif
        let status = pthread_create(&thread, &attributes, threadEntry, box)
        if status != 0 { Unmanaged<Box>.fromOpaque(box).release() }
        return status
    }

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    #if canImport(Glibc)
        private static let threadEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = {
            Unmanaged<Box>.fromOpaque($0!).takeRetainedValue().body()
            return nil
        }
    #else
        private static let threadEntry: @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? = {
            Unmanaged<Box>.fromOpaque($0).takeRetainedValue().body()
            return nil
        }
    #endif
}
