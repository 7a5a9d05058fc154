#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
