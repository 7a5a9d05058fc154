/// What one run of soup-run was asked to do: the result of parsing argv and the environment.
public enum Invocation: Equatable, Sendable {
    /// `-h` / `--help`: print `HelpText.text(version:)` to stdout, exit 0.
    case help
    /// `--version`: print `soup-run <version>` to stdout, exit 0.
    case version
    /// `--completions SHELL`: print `Completions.script(for:)` to stdout, exit 0.
    case completions(Shell)
    /// `--man` alone (hidden, for maintainers): print `ManPage.text(version:)`, the source of
    /// `docs/soup-run.1`.
    case manPage
    /// Fetch secrets, then run a command or export them (`Configuration.mode`).
    case run(Configuration)
}

/// The shells `--completions` writes scripts for.
public enum Shell: String, CaseIterable, Sendable {
    case bash, zsh, fish
}

/// soup-run's version: the one source of truth for `--version`, `--help` and the User-Agent.
public enum SoupRunVersion {
    public static let string = "0.1.0"
}
