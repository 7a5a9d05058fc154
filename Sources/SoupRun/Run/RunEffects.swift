/// The side effects of one soup-run run, as values: the binary uses `live`, tests pass fakes.
/// Everything else `SoupRunMain` does is decisions on values.
struct RunEffects: Sendable {
    /// Writes to stdout (help, version, completions, `--export`). False when it could not.
    var writeOutput: @Sendable (String) -> Bool
    /// Writes one of soup-run's own lines to stderr.
    var writeError: @Sendable (String) -> Void
    /// Reads a token file.
    var readFile: @Sendable (String) throws -> [UInt8]
    /// The HTTP transport, configured from the environment (CA files).
    var makeTransport: @Sendable ([String: String]) -> any HTTPTransport
    var sleep: @Sendable (Double) -> Void
    /// Reads, writes and deletes the `--fallback` copy.
    var fallbackFiles: FallbackFiles = .live
    /// Reads `--env-file` files.
    var envFiles: EnvFileAccess = .live
    /// Replaces the process with the command; returns only on failure.
    var exec: @Sendable ([String], [String: String]) -> ExecError
    /// Overwrites the token where other processes can read it back (soup-run's argv, environ).
    var conceal: @Sendable (Secret) -> Void = { _ in }
    /// `stat` of a file: the token file's permissions, and whether it changed under `--watch`.
    var fileStamp: @Sendable (String) -> FileStamp? = { _ in nil }
    /// The ARG_MAX in force: what exec takes, so a response that cannot fit is refused while read.
    var argMax: Int = ProcessSystem.Limits.current.argMax

    static let live = RunEffects(
        writeOutput: { Platform.writeStandardOutput($0) },
        writeError: { Platform.writeStandardError($0) },
        // One byte over the limit, so TokenLoader can tell a too-large file from a full one.
        readFile: { path in try Platform.readFile(path, limit: TokenLoader.maxFileBytes + 1) },
        makeTransport: { CurlTransport(environment: $0) },
        sleep: { Platform.sleep(seconds: $0) },
        exec: { Exec.replaceProcess(command: $0, environment: $1) },
        conceal: { TokenProtection.conceal($0) },
        fileStamp: { path in (try? Platform.fileStamp(path)) ?? nil }
    )
}

/// A failure of soup-run's own making in the run story (not the parser's, fetch's or exec's).
enum RunError: SoupRunFailure, Equatable {
    /// `--export` output could not be written (stdout closed).
    case cannotWriteOutput

    var exitCode: ExitCode { .ioError }

    var description: String { "cannot write to standard output" }
}
