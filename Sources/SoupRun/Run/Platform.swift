import CSoupProcess
import SoupCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every call soup-run makes into the operating system outside fetch and exec: the environment,
/// stdout/stderr, files, sleeping, the clock, exiting. Logic elsewhere takes these as values.
public enum Platform {
    /// The process environment as a dictionary. On a duplicate name the first entry wins, as `getenv` does.
    public static func environment() -> [String: String] {
        environTable.map(environment(table:)) ?? [:]
    }

    /// A NULL-terminated table of `NAME=value` C strings (the shape of `environ`) as a dictionary.
    /// Split at the first "=" byte; entries without one are skipped; the first of two entries with
    /// one name wins; invalid UTF-8 is repaired to U+FFFD, as `String(cString:)` does (see
    /// `undecodableEnvironment` for how the command still gets the original bytes).
    static func environment(table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> [String: String] {
        var result: [String: String] = [:]
        forEachEntry(in: table) { name, value, _ in
            if result[name] == nil { result[name] = value }
        }
        return result
    }

    /// The inherited entries whose bytes are not well-formed UTF-8 (a Latin-1 value, say), by the
    /// name `environment()` gives them, with their exact bytes: the command gets those back when
    /// the variable reaches it unchanged. Empty in the usual case, where every entry decodes.
    public static func undecodableEnvironment() -> [String: RawEnvironmentEntry] {
        environTable.map(undecodableEnvironment(table:)) ?? [:]
    }

    static func undecodableEnvironment(
        table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    ) -> [String: RawEnvironmentEntry] {
        // The usual case, every entry well-formed, costs one scan of the bytes.
        var anyInvalid = false
        forEachEntryBytes(in: table) { bytes in
            anyInvalid = UTF8Validation.firstInvalidOffset(in: bytes) != nil
            return !anyInvalid
        }
        guard anyInvalid else { return [:] }
        var seen: Set<String> = []
        var result: [String: RawEnvironmentEntry] = [:]
        forEachEntry(in: table) { name, value, bytes in
            // Only the entry `environment(table:)` keeps for this name (the first) counts.
            guard seen.insert(name).inserted, UTF8Validation.firstInvalidOffset(in: bytes) != nil else { return }
            result[name] = RawEnvironmentEntry(value: value, bytes: Array(bytes))
        }
        return result
    }

    /// The process's `environ`.
    private static var environTable: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        #if canImport(Darwin)
            _NSGetEnviron().pointee
        #else
            environ
        #endif
    }

    /// Calls `body` with the decoded name and value and the raw bytes of each `NAME=value` entry.
    private static func forEachEntry(
        in table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
        _ body: (String, String, UnsafeBufferPointer<UInt8>) -> Void
    ) {
        forEachEntryBytes(in: table) { bytes in
            // Split on the first "=" in the bytes (a String search would walk grapheme clusters).
            if let eq = bytes.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<eq]), as: UTF8.self)
                let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[(eq + 1)...]), as: UTF8.self)
                body(name, value, bytes)
            }
            return true
        }
    }

    /// Calls `body` with the bytes of each entry of `table` (without the NUL) while it returns true.
    private static func forEachEntryBytes(
        in table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
        _ body: (UnsafeBufferPointer<UInt8>) -> Bool
    ) {
        var entry = table
        while let pointer = entry.pointee {
            let length = strlen(pointer)
            let more = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                body(UnsafeBufferPointer(start: $0, count: length))
            }
            if !more { return }
            entry += 1
        }
    }

    /// Removes `name` from soup-run's own process environment (`unsetenv`), for variables that
    /// must reach the command (which gets the environment read at start) but not libraries inside
    /// soup-run. Call before any thread starts: `unsetenv` races with `getenv` elsewhere.
    public static func removeFromOwnEnvironment(_ name: String) { unsetenv(name) }

    /// Writes all of `text` to standard error (best effort: a closed stderr is not an error).
    /// On a terminal soup-run made raw (`--mask`), each `\n` goes as `\r\n`: the terminal no
    /// longer returns the carriage itself.
    public static func writeStandardError(_ text: String) {
        write(soup_terminal_made_raw(2) != 0 ? text.replacing("\n", with: "\r\n") : text, to: 2)
    }

    /// Writes all of `text` to standard output. False when it could not be written (closed pipe).
    @discardableResult
    public static func writeStandardOutput(_ text: String) -> Bool { write(text, to: 1) }

    @discardableResult
    private static func write(_ text: String, to fd: Int32) -> Bool {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                    let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                    let n = Darwin.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }

    /// Why a file could not be read: the system's reason (callers name the path themselves).
    public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { reason }
    }

    /// The bytes of the regular file at `path`, at most `limit` of them: a longer file comes back
    /// cut at `limit`, so a caller that asks for one byte more than it accepts can say "too large"
    /// itself. Opened non-blocking, and anything but a regular file is refused: a FIFO without a
    /// writer (or a terminal, a socket) would block forever, a device never end.
    public static func readFile(_ path: String, limit: Int = 1 << 20) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        if let kind = irregularKind(info.st_mode) {
            throw FileError(path: path, reason: "it is \(kind), not a regular file")
        }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw FileError(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { return result }
            result += chunk[0..<n]
            if result.count >= limit { return Array(result.prefix(limit)) }
        }
    }

    /// What a file that is not regular is, for a message (nil for a regular file).
    static func irregularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFDIR: return "a directory"
        default: return "a special file"
        }
    }

    /// The current working directory (`/` when it cannot be read, as for a directory removed
    /// since: relative paths then fail on their own, with their own message).
    public static func currentDirectory() -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let found = buffer.withUnsafeMutableBufferPointer { pointer in
            pointer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pointer.count) {
                getcwd($0, pointer.count) != nil
            }
        }
        guard found else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Sleeps for `seconds` (resuming after signal interruptions until the time has passed).
    public static func sleep(seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// Seconds since the Unix epoch (for HTTP dates such as `Retry-After`).
    public static func wallClock() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Seconds on a clock that never jumps (for elapsed times). Plain clock_gettime rather than
    /// `ContinuousClock`, which would link Swift Concurrency and libdispatch into the binary.
    public static func monotonicClock() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Ends the process with `code` at once: `_exit`, not `exit`. soup-run writes unbuffered, so there
    /// is nothing to flush, and skipping the atexit handlers means libcurl's and OpenSSL's global
    /// cleanup cannot run while a `--watch` poll thread may still be inside them.
    public static func exit(_ code: Int32) -> Never {
        #if canImport(Glibc)
            Glibc._exit(code)
        #else
            Darwin._exit(code)
        #endif
    }
}
