import CSoupProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A command ready for execve: the resolved file, argv as typed, the environment as
/// `KEY=value` strings. Built by `prepare`, which does the PATH lookup and the limit check.
public struct PreparedCommand: Sendable, Equatable {
    /// The file execve opens (the lookup result).
    public var path: String
    /// The arguments, argv[0] as the user typed it.
    public var argv: [String]
    /// `KEY=value`, sorted by key so runs are reproducible.
    public var environment: [String]

    /// Resolves `command[0]` in the PATH of `environment` and checks the kernel's limits.
    public static func prepare(
        command: [String],
        environment: [String: String],
        probe: (String) -> FileKind = ProcessSystem.probe,
        limits: ProcessSystem.Limits = .current
    ) -> Result<PreparedCommand, ExecError> {
        guard let name = command.first else {
            return .failure(.notFound(command: "", searched: .asGiven))
        }
        let path: String
        switch ExecutableLookup.resolve(name, path: environment["PATH"], probe: probe) {
        case .failure(let error): return .failure(error)
        case .success(let found): path = found
        }
        if let problem = ExecLimits.check(
            path: path, argv: command, environment: environment,
            argMax: limits.argMax, pageSize: limits.pageSize
        ) {
            return .failure(.tooLarge(problem))
        }
        let strings = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return .success(PreparedCommand(path: path, argv: command, environment: strings))
    }

    /// The error for an errno execve returned for this command.
    func error(forExecErrno code: Int32, environment: [String: String]) -> ExecError {
        guard code == E2BIG else { return ExecError.fromExec(errno: code, command: argv[0]) }
        // Measure against a zero limit: the sizes and the largest keys, for the message.
        let measured = ExecLimits.check(path: path, argv: argv, environment: environment, argMax: 0, pageSize: nil)
        guard case .totalTooLarge(let bytes, _, let largest)? = measured else {
            return .tooLarge(.refusedByKernel(bytes: 0, largest: []))
        }
        return .tooLarge(.refusedByKernel(bytes: bytes, largest: largest))
    }

    /// Calls `body` with NUL-terminated C arrays for execve; they live only during the call.
    func withCArrays<R>(
        _ body: (UnsafePointer<CChar>, UnsafePointer<UnsafeMutablePointer<CChar>?>, UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        let argvC = argv.map { strdup($0) } + [nil]
        let envC = environment.map { strdup($0) } + [nil]
        defer {
            argvC.forEach { free($0) }
            envC.forEach { free($0) }
        }
        return path.withCString { pathC in
            argvC.withUnsafeBufferPointer { argvBuffer in
                envC.withUnsafeBufferPointer { envBuffer in
                    body(pathC, argvBuffer.baseAddress!, envBuffer.baseAddress!)
                }
            }
        }
    }
}

/// The system calls exec needs: a file probe and the limits in force.
public enum ProcessSystem {
    /// The kernel's exec limits on this machine (see `ExecLimits`).
    public struct Limits: Sendable, Equatable {
        public var argMax: Int
        public var pageSize: Int?
        public init(argMax: Int, pageSize: Int?) {
            self.argMax = argMax
            self.pageSize = pageSize
        }

        /// `sysconf(_SC_ARG_MAX)`, which on Linux follows RLIMIT_STACK / 4, capped at the
        /// kernel's 6 MiB; Linux adds the 32-page limit for one string.
        public static var current: Limits {
            let reported = sysconf(Int32(_SC_ARG_MAX))
            #if os(Linux)
            let cap = 6 * 1024 * 1024
            let argMax = reported > 0 ? min(reported, cap) : cap
            return Limits(argMax: argMax, pageSize: max(sysconf(Int32(_SC_PAGESIZE)), 4096))
            #else
            return Limits(argMax: reported > 0 ? reported : 256 * 1024, pageSize: nil)
            #endif
        }
    }

    /// How `path` looks to exec, for the effective user (root needs one execute bit).
    @Sendable public static func probe(_ path: String) -> FileKind {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == EACCES ? .notExecutable : .missing
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .directory }
        return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0 ? .executable : .notExecutable
    }
}

/// Starting the command: in place of soup-run (one-shot mode) or as a child (`--watch`).
public enum Exec {
    /// Replaces soup-run with `command` run in `environment`; returns only on failure.
    ///
    /// `command[0]` is looked up in `environment`'s PATH (see `ExecutableLookup`), the kernel's
    /// size limits are checked first (see `ExecLimits`), and the command starts with an empty
    /// signal mask, default dispositions (signals ignored when soup-run started stay ignored,
    /// as with `nohup`) and none of soup-run's own descriptors (inherited ones stay open).
    public static func replaceProcess(command: [String], environment: [String: String]) -> ExecError {
        switch PreparedCommand.prepare(command: command, environment: environment) {
        case .failure(let error):
            return error
        case .success(let prepared):
            let code = prepared.withCArrays { path, argv, envp in soup_exec_replace(path, argv, envp) }
            return prepared.error(forExecErrno: code, environment: environment)
        }
    }
}
