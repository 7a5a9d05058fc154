/// How a child ended, as `waitpid` reports it.
public enum ChildStatus: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)

    /// The shell's convention: the exit code, or 128+N when signal N killed it.
    public var exitCode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    var text: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "was killed by \(SignalName.name(of: signal))"
        }
    }
}

/// One poll's outcome, already turned into the child's environment (or a failure).
public enum PollResult: Sendable, Equatable {
    /// The server answered with secrets; this is the child environment they make (and the
    /// files, with `--file`, `--mount` or `--template`).
    case environment([String: String], etag: String?, files: ChildFiles = .none)
    /// 304: nothing changed since the ETag we sent.
    case notModified
    /// Anything else: network, timeout, 5xx, 429, 4xx, bad data, a merge that fails.
    case failed(PollFailure)
}

/// A failed poll, described for a person and grouped into states for logging once.
public struct PollFailure: Sendable, Equatable {
    /// Failures with the same `state` are one state: logged when it is entered, not per poll.
    public var state: String
    /// The message (names status codes and keys, never values or tokens).
    public var message: String
    /// Seconds the server asked us to wait (`Retry-After`).
    public var retryAfter: Double?
    /// The API refused the request for its rate limit (429): polls slow down, see `PollSchedule`.
    public var rateLimited: Bool

    public init(state: String, message: String, retryAfter: Double? = nil, rateLimited: Bool = false) {
        self.state = state
        self.message = message
        self.retryAfter = retryAfter
        self.rateLimited = rateLimited
    }
}

/// Something that happened, fed to `WatchMachine.handle`.
public enum WatchEvent: Sendable, Equatable {
    /// Time passed (a deadline may be due).
    case tick
    case pollFinished(PollResult)
    case spawned(pid: Int32)
    case spawnFailed(ExecError)
    case signal(Int32)
    /// The child (the group leader) was reaped.
    case childExited(pid: Int32, status: ChildStatus)
    /// No process is left in the old child's process group.
    case groupGone(pgid: Int32)
    /// The files of a `.writeFiles` are in place.
    case filesWritten
    /// A `.writeFiles` failed; the message names the path and the reason.
    case filesFailed(String)
}

/// Something the driver must do, returned by `WatchMachine.handle`.
public enum WatchAction: Sendable, Equatable {
    case poll(ifNoneMatch: String?)
    case spawn(environment: [String: String])
    /// Write these files (crash-safely, in order), then feed `.filesWritten` or `.filesFailed`.
    case writeFiles([ChildFile])
    /// Forward `signal` to the child's process group.
    case signalGroup(pgid: Int32, signal: Int32)
    /// Send `signal` to the group and to every process that left it and is soup-run's child
    /// (re-parented orphans, daemons): a teardown step (see `Teardown`).
    case signalTree(pgid: Int32, signal: Int32)
    /// Stop soup-run itself (SIGTSTP at its default action, so not as PID 1), then continue
    /// `pgid` once soup-run is continued.
    case suspend(resuming: Int32)
    case log(LogLevel, String)
    case exit(Int32)

    public enum LogLevel: Sendable, Equatable {
        case error, warning, info, debug
    }
}

/// Which keys differ between two child environments (never their values).
public struct EnvironmentDiff: Sendable, Equatable {
    public var changed: [String]
    public var added: [String]
    public var removed: [String]

    public init(old: [String: String], new: [String: String]) {
        changed = old.keys.filter { key in new[key].map { $0 != old[key] } ?? false }.sorted()
        added = new.keys.filter { old[$0] == nil }.sorted()
        removed = old.keys.filter { new[$0] == nil }.sorted()
    }

    public var isEmpty: Bool { changed.isEmpty && added.isEmpty && removed.isEmpty }

    /// `changed: A, B; added: C; removed: D` (only the non-empty parts).
    public var summary: String {
        [("changed", changed), ("added", added), ("removed", removed)]
            .filter { !$0.1.isEmpty }
            .map { "\($0.0): \($0.1.joined(separator: ", "))" }
            .joined(separator: "; ")
    }
}
