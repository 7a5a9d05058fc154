#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the command could not be started: not found (127) or not executable (126).
/// Messages name the command word as typed and sizes by key, never a value: the final
/// environment's `PATH` may itself be a secret, so it is described, not printed.
public enum ExecError: SoupRunFailure, Equatable {
    /// Nothing executable by that name.
    case notFound(command: String, searched: SearchedPath)
    /// Found, but the kernel will not run it.
    case notExecutable(command: String, reason: Reason)
    /// The arguments and environment exceed what the kernel accepts for exec.
    case tooLarge(ExecSizeProblem)
    /// A system call needed to start the command failed (fork, pipe).
    case system(call: String, errno: Int32)

    /// Where a command name without a `/` was looked for.
    public enum SearchedPath: Sendable, Equatable {
        /// The name contained a `/` and was used as a path.
        case asGiven
        /// The directories of the command environment's PATH (how many).
        case path(directories: Int)
        /// The environment had no PATH; this default list was searched.
        case defaultPath(String)
    }

    /// What stopped an existing file from running.
    public enum Reason: Sendable, Equatable {
        case permissionDenied
        case isDirectory
        /// ENOEXEC: neither a binary for this machine nor a script with a `#!` line.
        case badFormat
        /// ENOENT from execve on a file that exists: its `#!` interpreter or loader is missing.
        case interpreterMissing
        case other(errno: Int32)
    }

    public var exitCode: ExitCode {
        switch self {
        case .notFound: return .commandNotFound
        case .notExecutable, .tooLarge, .system: return .cannotExecute
        }
    }

    public var description: String {
        switch self {
        case .notFound(let command, .asGiven):
            return "command not found: \(command) (no such file)"
        case .notFound(let command, .path(let count)):
            let dirs = count == 1 ? "directory" : "directories"
            return "command not found: \(command) (searched the \(count) \(dirs) of PATH in the command's environment)"
        case .notFound(let command, .defaultPath(let path)):
            return "command not found: \(command) (the command's environment has no PATH; searched \(path))"
        case .notExecutable(let command, let reason):
            return "cannot execute \(command): \(reason.text)"
        case .tooLarge(let problem):
            return problem.description
        case .system(let call, let code):
            return "cannot start the command: \(call) failed: \(ExecError.errnoText(code))"
        }
    }

    /// The error for an errno returned by execve after lookup found `command` executable.
    public static func fromExec(errno code: Int32, command: String) -> ExecError {
        switch code {
        case EACCES, EPERM: return .notExecutable(command: command, reason: .permissionDenied)
        case EISDIR: return .notExecutable(command: command, reason: .isDirectory)
        case ENOEXEC: return .notExecutable(command: command, reason: .badFormat)
        case ENOENT, ENOTDIR: return .notExecutable(command: command, reason: .interpreterMissing)
        default: return .notExecutable(command: command, reason: .other(errno: code))
        }
    }

    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}

extension ExecError.Reason {
    var text: String {
        switch self {
        case .permissionDenied: return "permission denied (not executable by this user, or on a noexec mount)"
        case .isDirectory: return "is a directory"
        case .badFormat: return "not an executable format (no #! line, or built for another machine)"
        case .interpreterMissing: return "its #! interpreter or dynamic loader was not found"
        case .other(let code): return ExecError.errnoText(code)
        }
    }
}
