import SoupCore

/// A command line soup-run cannot act on (exit 64). The message names the flag, operand or key
/// that is wrong; it never repeats a token or the value of `--token`.
public struct UsageError: SoupRunFailure, Equatable, Sendable {
    /// What is wrong, with the names needed to say so.
    public enum Reason: Equatable, Sendable {
        /// An option soup-run does not know, with the closest known one if there is a close one.
        /// `afterOperand`: the first operand before it, when there was one (for the hint below).
        case unknownOption(String, suggestion: String?, afterOperand: String? = nil)
        /// An unknown option after one operand while SOUP_PROJECT and SOUP_ENVIRONMENT are set:
        /// most likely `soup-run sh -c ...` without the `--` that makes `sh` the command.
        case unknownOptionAfterCommand(String, command: String)
        /// `-qv`: short options are not bundled.
        case bundledShortOptions(String)
        /// `--timeout` at the end of argv, or followed by another option.
        case missingValue(flag: String)
        /// `--timeout=`.
        case emptyValue(flag: String)
        /// `--pristine=yes`: the flag takes no value.
        case unexpectedValue(flag: String)
        /// A value that does not fit the flag; `value` is shown, so never use this for tokens.
        case invalidValue(flag: String, value: String, expected: String)
        /// A value that does not fit the flag and must not be shown (`--token`).
        case invalidSecretValue(flag: String, problem: String)
        /// A key in `--only` / `--preserve-env=` that breaks the key rule.
        case invalidKey(flag: String, key: String)
        /// An empty element in a comma-separated key list (`A,,B`, `A,`).
        case emptyKey(flag: String)
        /// `--file KEY` twice for one key (its variable can hold one path).
        case repeatedKey(flag: String, key: String)
        /// Two of `--file`, `--mount` and `--template` write the same file.
        case sameDestination(path: String)
        /// A `--file`, `--mount` or `--template` destination that is a template's source.
        case outputIsTemplate(path: String)
        /// Two flags that cannot be used together.
        case conflict(String, String)
        /// `--pristine` with the bare `--preserve-env` (keep everything): contradictory.
        case pristineWithPreserveAll
        /// A flag that only means something together with another one.
        case requires(flag: String, other: String)
        /// Neither operands nor `SOUP_PROJECT` / `SOUP_ENVIRONMENT`.
        case missingOperands
        /// `<project>` given but no `<environment>`.
        case missingEnvironmentOperand(project: String)
        /// No operands, and only one of the two variables set (names the missing one).
        case missingVariable(String)
        /// `""` as project or environment (operand or variable).
        case emptyOperand(String)
        /// Run mode without a command.
        case missingCommand(project: String, environment: String)
        /// `""` as the command name.
        case emptyCommand
        /// `--export` together with a command.
        case commandWithExport
        /// Both a token and a token file, at the same level (two flags, or two variables).
        case tokenAndTokenFile(String, String)
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var exitCode: ExitCode { .usage }

    public var description: String {
        switch reason {
        case .unknownOption(let option, let suggestion, _):
            if let suggestion { return "unknown option \(option) (did you mean \(suggestion)?)" }
            return "unknown option \(option)"
        case .unknownOptionAfterCommand(let option, let command):
            return "unknown option \(option): SOUP_PROJECT and SOUP_ENVIRONMENT are set, so if "
                + "'\(Self.shown(command))' is the command, put -- before it (soup-run [options] -- "
                + "\(Self.shown(command)) \(option) ...)"
        case .bundledShortOptions(let word):
            let letters = word.dropFirst().map { "-\($0)" }.joined(separator: " ")
            return "short options cannot be combined in \(word): write them separately (\(letters))"
        case .missingValue(let flag):
            return "\(flag) needs a value (a value starting with '-' must be written \(flag)=VALUE)"
        case .emptyValue(let flag):
            return "\(flag)= needs a value after '='"
        case .unexpectedValue(let flag):
            return "\(flag) takes no value"
        case .invalidValue(let flag, let value, let expected):
            return "invalid value '\(Self.shown(value))' for \(flag): expected \(expected)"
        case .invalidSecretValue(let flag, let problem):
            return "the value of \(flag) \(problem)"
        case .invalidKey(let flag, let key):
            return "invalid key '\(Self.shown(key))' in \(flag): \(SecretKey.rule)"
        case .emptyKey(let flag):
            return "empty key in the list of \(flag) (keys are separated by single commas)"
        case .repeatedKey(let flag, let key):
            return "\(flag) \(key) is given twice: its variable can hold one path"
        case .sameDestination(let path):
            return "\(Self.shown(path)) is written twice (by --file, --mount or --template): give each its own path"
        case .outputIsTemplate(let path):
            return "\(Self.shown(path)) is a --template source: soup-run would overwrite it and remove it at the end"
        case .conflict(let a, let b):
            return "\(a) and \(b) cannot be used together"
        case .pristineWithPreserveAll:
            return "--pristine and --preserve-env (all variables) cannot be used together: "
                + "list the variables to keep with --preserve-env=KEY,..."
        case .requires(let flag, let other):
            return "\(flag) is only valid with \(other)"
        case .missingOperands:
            return "missing <project> and <environment>: give them as operands, "
                + "or set SOUP_PROJECT and SOUP_ENVIRONMENT and put -- before the command"
        case .missingEnvironmentOperand(let project):
            return "missing <environment> after project '\(Self.shown(project))' "
                + "(give both operands, or neither and set SOUP_PROJECT and SOUP_ENVIRONMENT)"
        case .missingVariable(let name):
            return "\(name) is not set: without operands, both SOUP_PROJECT and SOUP_ENVIRONMENT are needed"
        case .emptyOperand(let name):
            return "\(name) must not be empty"
        case .missingCommand(let project, let environment):
            return "no command to run after '\(Self.shown(project))' '\(Self.shown(environment))' "
                + "(give the command after the environment or after --, or use --export)"
        case .emptyCommand:
            return "the command name is empty"
        case .commandWithExport:
            return "--export prints the secrets and runs no command: remove the command or --export"
        case .tokenAndTokenFile(let a, let b):
            return "both \(a) and \(b) are given: use only one way to give the token"
        }
    }

    /// `text` for a message: at most 64 characters, control characters escaped, so a stray
    /// paste cannot flood or corrupt the terminal.
    static func shown(_ text: String) -> String {
        var out = ""
        for (count, scalar) in text.unicodeScalars.enumerated() {
            if count == 64 {
                out += "..."
                break
            }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
