import CSoupProcess

/// Keeps the token out of reach of the command and of other users once soup-run has read it.
///
/// Under `--watch` the command runs as soup-run's uid, and anything of the same uid may read
/// a dumpable process's `/proc/PID/environ` and `/proc/PID/mem`; anyone may read
/// `/proc/PID/cmdline`. So soup-run makes itself non-dumpable first (no core file either; the
/// command is dumpable again after its exec) and overwrites the token in its own argv and
/// initial environment once it is loaded: `ps` shows `--token ***`, `SOUP_TOKEN=***`.
/// What remains: the token is visible on a command line while the process starts, before it
/// is overwritten; `SOUP_TOKEN_FILE` has no such window.
public enum TokenProtection {
    /// The variable whose value is overwritten in the initial environment.
    public static let variable = "SOUP_TOKEN"

    /// PR_SET_DUMPABLE 0 (Linux; nothing elsewhere).
    public static func makeUndumpable() { _ = soup_make_undumpable() }

    /// Overwrites `token` in argv (`--token=TOKEN`, `--token TOKEN`) and `SOUP_TOKEN`'s value.
    public static func conceal(_ token: Secret) {
        _ = token.value.withCString { secret in variable.withCString { soup_conceal_secret(secret, $0) } }
    }
}
