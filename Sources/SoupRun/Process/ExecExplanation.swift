/// An `ExecError` told with what soup-run knows and exec does not: which variables are secrets.
/// Pure: the error, the command, the secrets and the final environment in; a message out.
///
/// - An environment too large for exec is measured against the secrets in it (their number, their
///   total size, the largest), since inherited variables such as PATH are rarely the cause.
/// - A command not found after a secret replaced PATH suggests `--preserve-env=PATH`.
/// - A command word with a space (`-- "node server.js"`) suggests giving separate words.
public struct ExplainedExecError: SoupRunFailure, Equatable {
    public var error: ExecError
    /// What to try, appended to the message; nil when there is nothing to add.
    public var hint: String?

    public var exitCode: ExitCode { error.exitCode }

    public var description: String {
        guard let hint else { return error.description }
        return "\(error.description); \(hint)"
    }

    /// - Parameters:
    ///   - secrets: the secrets soup-run merged (after `--only`); only those whose value is the
    ///     final environment's count as secrets there (`--preserve-env` may have kept another).
    public init(
        _ error: ExecError, command: [String], secrets: [String: String], environment: [String: String]
    ) {
        // Only for the two explanations that need it: exec failing otherwise costs nothing more.
        func inEffect() -> [String: String] { secrets.filter { environment[$0.key] == $0.value } }
        switch error {
        case .tooLarge(let problem):
            self.error = problem.measured(against: inEffect()).map { .tooLarge($0) } ?? error
            hint = nil
        case .notFound(let word, let searched):
            self.error = error
            var hints: [String] = []
            if word.contains(" ") {
                hints.append(
                    "the command word '\(word)' contains a space: give the command and its arguments as "
                        + "separate words, or run it through a shell (-- sh -c '...')")
            }
            if case .path = searched, let path = secrets["PATH"], environment["PATH"] == path {
                hints.append("a secret sets PATH, replacing yours: keep yours with --preserve-env=PATH")
            }
            hint = hints.isEmpty ? nil : hints.joined(separator: "; ")
        default:
            self.error = error
            hint = nil
        }
    }
}
