#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

    /// `probe`, with a relative path taken from `directory` (nil: the current directory): the
    /// supervisor lives in "/" while its child runs where soup-run was started.
    public static func probe(from directory: String?) -> @Sendable (String) -> FileKind {
        guard let directory, !directory.isEmpty else { return probe }
        return { path in probe(path.hasPrefix("/") ? path : directory + "/" + path) }
    }

    /// Leaves the current directory for "/", so the supervisor pins no mount; false on failure.
    @discardableResult
    public static func leaveDirectory() -> Bool { chdir("/") == 0 }

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
