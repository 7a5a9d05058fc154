/// The text `--help` prints: usage, every option (from `OptionTable`), the environment
/// variables and the exit codes.
public enum HelpText {
    /// One line on what soup-run does (help's first line, the man page's NAME).
    public static let purpose = "run a command with secrets from the Soup Secrets API"

    /// The usage forms, without indentation (help and the man page's SYNOPSIS).
    public static let usage = [
        "soup-run [options] <project> <environment> [--] <command> [args...]",
        "soup-run [options] <project> <environment> --export [--format \(Configuration.ExportFormat.alternatives)]",
        "soup-run [options] -- <command> [args...]      (SOUP_PROJECT and SOUP_ENVIRONMENT set)",
        "soup-run --completions \(Shell.allCases.map(\.rawValue).joined(separator: "|")) | --help | --version",
    ]

    /// How the command line is read (help and the man page's DESCRIPTION).
    public static let grammar = [
        "Options may come anywhere before the command. The command starts after -- or at the",
        "first word after <environment> that does not start with '-'; it is passed on verbatim.",
        "Values: --opt VALUE or --opt=VALUE (a value starting with '-' needs the = form).",
        "Without --watch, --file, --mount, --template or --mask, soup-run replaces itself with the",
        "command (exec); with them it stays its parent, and removes its files when it ends (not if",
        "SIGKILLed).",
        "--token on a command line is visible to other users (ps, /proc) while soup-run starts,",
        "before it masks it as ***: prefer SOUP_TOKEN_FILE or --token-file.",
    ]

    public static func text(version: String) -> String {
        var lines = ["soup-run \(version): \(purpose).", "", "Usage:"]
        lines += usage.map { "  " + $0 }
        lines += [""] + grammar
        let width = OptionTable.all.map { spelling(of: $0).count }.max() ?? 0
        for group in OptionSpec.Group.allCases {
            lines += ["", group.rawValue + ":"]
            for spec in OptionTable.all where spec.group == group {
                lines.append(row(spelling(of: spec), spec.summary, width: width))
            }
        }
        lines += ["", "Environment variables (flags win; an empty variable counts as unset):"]
        let variableWidth = EnvironmentVariables.all.map(\.name.count).max() ?? 0
        for variable in EnvironmentVariables.all {
            lines.append(row(variable.name, variable.summary, width: variableWidth))
        }
        lines += ["", "Exit codes (before the command runs; then the command's own code):"]
        for code in ExitCode.allCases {
            lines.append(row(String(code.rawValue), code.summary, width: 3))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `-q, --quiet`, `    --timeout SECONDS`, `    --preserve-env[=KEY,...]`.
    static func spelling(of spec: OptionSpec) -> String {
        var text = spec.shortSpelling.map { "\($0), " } ?? "    "
        text += spec.long
        switch spec.argument {
        case .none: break
        case .required(let placeholder): text += " " + placeholder
        case .optional(let placeholder): text += "[=\(placeholder)]"
        }
        return text
    }

    private static func row(_ left: String, _ right: String, width: Int) -> String {
        "  " + left + String(repeating: " ", count: max(1, width - left.count + 2)) + right
    }
}
