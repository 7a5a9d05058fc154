#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGTERM and SIGINT as a request to stop, received by one thread with `sigwait`.
///
/// `block()` must run in `main` before any other thread exists: threads inherit the mask, so
/// the signals then stay pending until `wait()` takes them, and no handler runs at an arbitrary
/// point of some connection's thread.
public enum ShutdownSignals {
    static let watched = [SIGTERM, SIGINT]

    /// Blocks the shutdown signals in the calling thread (and every thread it starts later) and
    /// ignores SIGPIPE, so a client that disconnects mid-reply cannot kill the server.
    public static func block() {
        signal(SIGPIPE, SIG_IGN)
        var set = signalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits until SIGTERM or SIGINT arrives; returns its number.
    public static func wait() -> Int32 {
        var set = signalSet()
        // sigwait returns only to deliver one of the blocked signals (or on EINTR on some systems);
        // nothing else wakes it, and waiting for a signal has no other end.
        while true {
            var received: Int32 = 0
            if sigwait(&set, &received) == 0, watched.contains(received) { return received }
        }
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in watched { sigaddset(&set, signal) }
        return set
    }
}
