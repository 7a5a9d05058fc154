import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a process ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): return "exited \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}

/// Everything a finished process left behind.
public struct ProcessResult: Sendable {
    public var termination: Termination
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// True when the time bound passed and the process (group) was killed.
    public var timedOut: Bool
    /// Seconds from spawn to exit.
    public var elapsed: Double

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// The exit code, or nil when a signal ended the process.
    public var exitCode: Int32? {
        if case .exited(let code) = termination { return code }
        return nil
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public var description: String
}

/// A child process with captured stdout and stderr, for tests.
///
/// Spawned with `posix_spawn`: an empty signal mask and default dispositions (test threads may have
/// signals blocked), its own process group by default (so a timeout kills grandchildren too),
/// and only the three standard descriptors. Waiting is always bounded; `deinit` kills and reaps.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let ownGroup: Bool
    private var stdoutFD: Int32
    private var stderrFD: Int32
    private var stdinFD: Int32
    private var pendingStdin: [UInt8]
    private var out: [UInt8] = []
    private var err: [UInt8] = []
    private var termination: Termination?
    private let started = Date()
    private var finishedAt: Date?

    public enum Stream: Sendable { case stdout, stderr, either }

    /// Starts `executable` (a path; no PATH search) with `arguments` (argv[1...]) and exactly `environment`.
    /// - Parameters:
    ///   - stdin: bytes written to the child's stdin, which is then closed; nil gives it `/dev/null`.
    ///   - newProcessGroup: put the child in its own process group (the default).
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: [UInt8]? = nil,
        newProcessGroup: Bool = true
    ) throws {
        // Glibc does not export pipe2: set close-on-exec by hand, under a lock that every spawn
        // from these helpers takes, so no concurrently spawned test child inherits these pipes.
        func makePipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw SpawnError(description: "pipe: \(errno)") }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            return (fds[0], fds[1])
        }
        spawnLock.lock()
        defer { spawnLock.unlock() }
        let outPipe = try makePipe()
        let errPipe = try makePipe()
        let inPipe = try makePipe()

        #if os(Linux)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t? = nil
            var attributes: posix_spawnattr_t? = nil
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        if stdin != nil {
            posix_spawn_file_actions_adddup2(&actions, inPipe.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe.write, 2)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        close(outPipe.write)
        close(errPipe.write)
        close(inPipe.read)
        guard rc == 0 else {
            close(outPipe.read)
            close(errPipe.read)
            close(inPipe.write)
            throw SpawnError(description: "posix_spawn \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
        ownGroup = newProcessGroup
        stdoutFD = outPipe.read
        stderrFD = errPipe.read
        stdinFD = inPipe.write
        pendingStdin = stdin ?? []
        for fd in [stdoutFD, stderrFD, stdinFD] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        if stdin == nil || pendingStdin.isEmpty { closeStdin() }
    }

    deinit {
        if termination == nil {
            kill(ownGroup ? -pid : pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        for fd in [stdoutFD, stderrFD, stdinFD] where fd >= 0 { close(fd) }
    }

    /// What the child has written to stdout so far.
    public var stdoutText: String { String(decoding: out, as: UTF8.self) }
    /// What the child has written to stderr so far.
    public var stderrText: String { String(decoding: err, as: UTF8.self) }
    public var hasExited: Bool { termination != nil }

    /// Sends `signal` to the child (not its group).
    public func signal(_ signal: Int32) { if termination == nil { kill(pid, signal) } }

    /// Sends `signal` to the child's process group (as a terminal does on Ctrl-C).
    public func signalGroup(_ signal: Int32) { if termination == nil { kill(-pid, signal) } }

    /// Reads output until `marker` appears in `stream`, the process exits, or `timeout` passes.
    /// Returns whether the marker was seen.
    @discardableResult
    public func waitForOutput(_ marker: String, in stream: Stream = .either, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        func seen() -> Bool {
            switch stream {
            case .stdout: return stdoutText.contains(marker)
            case .stderr: return stderrText.contains(marker)
            case .either: return stdoutText.contains(marker) || stderrText.contains(marker)
            }
        }
        while !seen() {
            if termination != nil || Date() >= deadline { return seen() }
            pump(until: deadline)
        }
        return true
    }

    /// Waits for the child to exit; after `timeout` seconds kills it (and its group) with SIGKILL.
    public func wait(timeout: Double) -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while termination == nil {
            if Date() >= deadline {
                timedOut = true
                kill(ownGroup ? -pid : pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                record(status)
                break
            }
            pump(until: deadline)
        }
        drain()
        let elapsed = (finishedAt ?? Date()).timeIntervalSince(started)
        return ProcessResult(termination: termination!, stdout: out, stderr: err, timedOut: timedOut, elapsed: elapsed)
    }

    /// One bounded round: poll the pipes for up to 20 ms, read what is there, reap if exited.
    private func pump(until deadline: Date) {
        var fds: [pollfd] = []
        for fd in [stdoutFD, stderrFD] where fd >= 0 { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
        let remaining = max(0, min(20, Int32(deadline.timeIntervalSinceNow * 1000)))
        _ = poll(&fds, nfds_t(fds.count), remaining)
        writeStdin()
        drain()
        reap()
    }

    private func writeStdin() {
        guard stdinFD >= 0 else { return }
        while !pendingStdin.isEmpty {
            let n = pendingStdin.withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
            if n > 0 {
                pendingStdin.removeFirst(n)
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { return }
            break  // EPIPE: the child closed stdin.
        }
        closeStdin()
    }

    private func closeStdin() {
        if stdinFD >= 0 { close(stdinFD) }
        stdinFD = -1
    }

    /// Reads everything currently available without blocking.
    private func drain() {
        stdoutFD = drain(stdoutFD, into: &out)
        stderrFD = drain(stderrFD, into: &err)
    }

    /// Reads what `fd` has into `bytes`; returns -1 (after closing it) at end of file.
    private func drain(_ fd: Int32, into bytes: inout [UInt8]) -> Int32 {
        guard fd >= 0 else { return fd }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                bytes += buffer[0..<n]
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n == 0 {
                close(fd)
                return -1
            }
            return fd
        }
    }

    private func reap() {
        guard termination == nil else { return }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { record(status) }
    }

    private func record(_ status: Int32) {
        // WIFEXITED / WTERMSIG are macros; decode the wait status by hand.
        let signal = status & 0x7F
        termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        finishedAt = Date()
    }
}

/// Serialises pipe creation and spawning across all `ChildProcess`es (see `init`).
private let spawnLock = NSLock()

/// Runs a process to completion within `timeout` seconds (killed after that) and returns what it left.
public func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String], stdin: [UInt8]? = nil,
    timeout: Double = 60
) throws -> ProcessResult {
    try ChildProcess(executable, arguments, environment: environment, stdin: stdin).wait(timeout: timeout)
}
