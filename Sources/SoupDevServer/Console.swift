#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
