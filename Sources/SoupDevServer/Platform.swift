#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The process-level system calls of soup-dev-server: stdout/stderr, signals, exit codes.

/// The server's writes to stdout and stderr: whole lines, unbuffered, one `write` each where the
/// kernel allows, so lines from concurrent connections never interleave mid-line.
public enum Console {
    /// Writes `text` to stdout immediately (the ready line other programs wait for).
    @Sendable public static func output(_ text: String) { writeAll(1, text) }

    /// Writes `text` to stderr.
    @Sendable public static func error(_ text: String) { writeAll(2, text) }

    private static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            // A closed or broken stream is not worth dying for: the server keeps serving.
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

/// The exit codes of soup-dev-server (sysexits.h values).
public enum ServerExitCode: Int32, Sendable, CaseIterable {
    case success = 0
    /// Command-line usage error.
    case usage = 64
    /// The server could not listen on the address and port.
    case unavailable = 69
    /// The state file did not exist and could not be created.
    case cannotCreate = 73
    /// The state file could not be read or breaks the shape.
    case configuration = 78
}

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
