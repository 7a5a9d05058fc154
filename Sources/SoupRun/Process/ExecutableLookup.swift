/// How a path looks to exec: the answer of one `stat` + `access` probe.
public enum FileKind: Sendable, Equatable {
    case missing
    case directory
    case executable
    case notExecutable
}

/// Finds the file to exec for a command word, as `execvp` and POSIX shells do, but against
/// the PATH of the command's final environment (secrets and `--pristine` included), not
/// soup-run's own.
///
/// Rules: a word containing `/` is used as is. Otherwise each PATH entry is tried in order
/// and the first executable regular file wins; an empty entry (`::`, leading or trailing `:`)
/// means the current directory, as POSIX specifies and as the user's shell would do with the
/// same PATH. Without PATH, `defaultSearchPath` is searched (glibc's `_CS_PATH`). When only
/// non-executable candidates exist the result is "permission denied" (126), as in bash; when
/// nothing exists, "not found" (127).
public enum ExecutableLookup {
    /// Searched when the command's environment has no PATH at all.
    public static let defaultSearchPath = "/bin:/usr/bin"

    /// The file to exec for `command`, or why there is none. `probe` inspects one path.
    public static func resolve(
        _ command: String,
        path: String?,
        probe: (String) -> FileKind
    ) -> Result<String, ExecError> {
        if command.isEmpty {
            return .failure(.notFound(command: command, searched: .asGiven))
        }
        if command.contains("/") {
            switch probe(command) {
            case .executable: return .success(command)
            case .missing: return .failure(.notFound(command: command, searched: .asGiven))
            case .directory: return .failure(.notExecutable(command: command, reason: .isDirectory))
            case .notExecutable: return .failure(.notExecutable(command: command, reason: .permissionDenied))
            }
        }
        let directories = searchDirectories(path: path)
        var sawNonExecutable = false
        for directory in directories {
            let candidate = directory.hasSuffix("/") ? directory + command : directory + "/" + command
            switch probe(candidate) {
            case .executable: return .success(candidate)
            case .notExecutable: sawNonExecutable = true
            case .missing, .directory: continue
            }
        }
        if sawNonExecutable {
            return .failure(.notExecutable(command: command, reason: .permissionDenied))
        }
        let searched: ExecError.SearchedPath =
            path == nil ? .defaultPath(defaultSearchPath) : .path(directories: directories.count)
        return .failure(.notFound(command: command, searched: searched))
    }

    /// The directories searched, in order: PATH split on `:`, empty entries as `.`.
    public static func searchDirectories(path: String?) -> [String] {
        (path ?? defaultSearchPath)
            .split(separator: ":", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "." : String($0) }
    }
}
