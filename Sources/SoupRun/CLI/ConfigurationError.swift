/// Configuration soup-run cannot work with (exit 78): no token, an unreadable or malformed token
/// file, a bad API URL. Messages name the variable, flag or path, never a token.
public struct ConfigurationError: SoupRunFailure, Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        /// Neither `--token`, `--token-file`, `SOUP_TOKEN` nor `SOUP_TOKEN_FILE`.
        case noToken
        /// The API URL (shown without user information) and what is wrong with it; `source` is
        /// `--api-url` or `SOUP_API_URL`.
        case invalidAPIURL(url: String, source: String, problem: String)
        /// A token given literally (`SOUP_TOKEN`) that cannot go into an HTTP header.
        case invalidToken(source: String, problem: String)
        /// The token file could not be read; `detail` is the system's reason.
        case unreadableTokenFile(path: String, detail: String)
        /// The token file was read but its content is not a usable token.
        case invalidTokenFile(path: String, problem: String)
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var exitCode: ExitCode { .configuration }

    public var description: String {
        switch reason {
        case .noToken:
            return "no API token: give one with --token TOKEN or --token-file PATH, "
                + "or set SOUP_TOKEN or SOUP_TOKEN_FILE"
        case .invalidAPIURL(let url, let source, let problem):
            return "invalid API URL '\(UsageError.shown(url))' (from \(source)): \(problem)"
        case .invalidToken(let source, let problem):
            return "the token in \(source) \(problem)"
        case .unreadableTokenFile(let path, let detail):
            return "cannot read the token file \(path): \(detail)"
        case .invalidTokenFile(let path, let problem):
            return "the token file \(path) \(problem)"
        }
    }
}

/// Why `CommandLineParser.parse` failed: a usage error (64) or a configuration error (78).
/// Both carry their own exit code, so a caller just prints `description` and exits with
/// `exitCode.rawValue`.
public enum ParseFailure: SoupRunFailure, Equatable, Sendable {
    case usage(UsageError)
    case configuration(ConfigurationError)

    public var exitCode: ExitCode {
        switch self {
        case .usage(let e): return e.exitCode
        case .configuration(let e): return e.exitCode
        }
    }

    public var description: String {
        switch self {
        case .usage(let e): return e.description
        case .configuration(let e): return e.description
        }
    }

    /// A second line to print after a usage error, pointing at `--help`; nil otherwise.
    public var hint: String? {
        if case .usage = self { return "run 'soup-run --help' for usage" }
        return nil
    }
}
