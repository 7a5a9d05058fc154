/// The exit codes soup-run uses before the command runs (sysexits.h values, and the shell's 126/127).
/// Once the command runs, its own exit code is soup-run's (it was exec'd, or, under --watch, passed on).
public enum ExitCode: Int32, Sendable, CaseIterable {
    case success = 0
    /// Command-line usage error.
    case usage = 64
    /// The API answered with data soup-run will not use (bad JSON, invalid key, NUL in a value), a
    /// `--template` file cannot be parsed, or an `--env-file` is not in the dotenv dialect.
    case invalidData = 65
    /// Project, environment or secret not found (404), a key `--only`, `--file` or a template names
    /// missing, a template file that cannot be read, or an `--env-file` that does not exist.
    case notFound = 66
    /// API unavailable after retries: network, timeout, 5xx, 429.
    case unavailable = 69
    /// A file soup-run writes for the command (`--file`, `--mount`, `--template`) cannot be created.
    case cannotCreate = 73
    /// soup-run's own output could not be written (`--export` to a closed stdout).
    case ioError = 74
    /// Authentication or permission (401/403).
    case permission = 77
    /// Configuration: no token, bad URL, unreadable token file, refused redirect, a request the API
    /// refuses with another 4xx (the URL or names do not fit the server).
    case configuration = 78
    /// The command exists but cannot be executed, or the environment is too large for exec.
    case cannotExecute = 126
    /// The command was not found in the final environment's PATH.
    case commandNotFound = 127
}

/// An error soup-run reports to a person and maps to an exit code.
/// `description` is the message (without the `soup-run:` prefix); it names keys, flags and
/// status codes, never a secret value or a token.
public protocol SoupRunFailure: Error, CustomStringConvertible {
    var exitCode: ExitCode { get }
}

extension ExitCode {
    /// One line for the exit-code table in `--help` and the README.
    public var summary: String {
        switch self {
        case .success: return "success (--export, --help, --version); otherwise the command's own code"
        case .usage: return "usage error: unknown option, missing or invalid value, missing operand"
        case .invalidData:
            return "invalid data from the API (bad JSON, invalid key, NUL in a value), a template, an --env-file"
        case .notFound:
            return "not found: project, environment, secret (404); keys in --only, --file, templates; --env-file"
        case .unavailable: return "API unavailable after retries: network, timeout, 5xx, 429"
        case .cannotCreate:
            return "a --file, --mount or --template destination cannot be written"
        case .ioError: return "output error: --export could not write to standard output"
        case .permission: return "authentication or permission refused (401, 403)"
        case .configuration:
            return "configuration: no token, bad API URL, unreadable token file, refused redirect, other 4xx"
        case .cannotExecute: return "command not executable, or the environment too large for exec"
        case .commandNotFound: return "command not found in the final environment's PATH"
        }
    }
}
