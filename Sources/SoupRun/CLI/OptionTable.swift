/// Every option soup-run accepts, in one table: the parser, `--help` and the completion scripts
/// are all derived from it, so none of them can forget a flag.
public enum OptionID: String, CaseIterable, Sendable {
    case apiURL = "api-url"
    case token
    case tokenFile = "token-file"
    case noResolve = "no-resolve"
    case only
    case preserveEnv = "preserve-env"
    case pristine
    case keepToken = "keep-token"
    case also
    case envFile = "env-file"
    case envFileOptional = "env-file-optional"
    case timeout, retries
    case maxWait = "max-wait"
    case export, format
    case watch, interval
    case stopSignal = "stop-signal"
    case stopTimeout = "stop-timeout"
    case splay
    case fallback
    case fallbackMaxAge = "fallback-max-age"
    case fallbackReadonly = "fallback-readonly"
    case offline
    case reloadSignal = "reload-signal"
    case file, mount
    case mountFormat = "mount-format"
    case template
    case mask
    case maskMinLength = "mask-min-length"
    case quiet, verbose, help, version, completions
}

/// One option: its spellings, whether it takes a value, and how to describe and complete it.
public struct OptionSpec: Sendable, Equatable {
    /// Whether the option takes a value.
    public enum Argument: Sendable, Equatable {
        /// A flag: `--pristine`.
        case none
        /// `--opt VALUE` or `--opt=VALUE`.
        case required(placeholder: String)
        /// `--opt` alone, or `--opt=VALUE` (never the next word).
        case optional(placeholder: String)
    }

    /// What a completion script offers for the value.
    public enum ValueCompletion: Sendable, Equatable {
        case nothing, files, url, signals, reloadSignals, exportFormats, shells
    }

    /// The section of `--help` the option is listed in.
    public enum Group: String, Sendable, CaseIterable {
        case api = "API and token"
        case secrets = "Which secrets, and how they are merged"
        case layers = "More sources, later wins: --also, then <project> <environment>, then --env-file"
        case export = "Export instead of running a command"
        case files = "Secrets as files (soup-run stays the parent and removes them at the end)"
        case watch = "Watch mode (supervise and restart on change)"
        case fallback = "Fallback copy (start when the API is down)"
        case mask = "Masking (soup-run stays the parent and filters the output)"
        case output = "Output and information"
    }

    public let id: OptionID
    public let short: Character?
    public let argument: Argument
    public let completion: ValueCompletion
    public let group: Group
    /// One line for `--help` and the completion scripts (no quotes, brackets or colons, so it
    /// can be embedded in any shell's completion syntax unescaped).
    public let summary: String

    /// `--api-url`.
    public var long: String { "--" + id.rawValue }
    /// `-q`, or nil.
    public var shortSpelling: String? { short.map { "-\($0)" } }
    /// Only meaningful with `--watch`.
    public var isWatchOnly: Bool { group == .watch && id != .watch }
}

/// The table itself.
public enum OptionTable {
    public static let all: [OptionSpec] = [
        spec(
            .apiURL, .required(placeholder: "URL"), .url, .api,
            "API base URL (env SOUP_API_URL; see its default below)"),
        spec(
            .token, .required(placeholder: "TOKEN"), .nothing, .api,
            "API token (env SOUP_TOKEN); others see it in ps as soup-run starts"),
        spec(
            .tokenFile, .required(placeholder: "PATH"), .files, .api,
            "token file, trailing line breaks trimmed (env SOUP_TOKEN_FILE)"),
        spec(
            .timeout, .required(placeholder: "SECONDS"), .nothing, .api,
            "per-attempt timeout, fractions allowed (default 10, max 3600)"),
        spec(
            .retries, .required(placeholder: "N"), .nothing, .api,
            "retries of failures that can succeed later (default 3, 0 to 100)"),
        spec(
            .maxWait, .required(placeholder: "DURATION"), .nothing, .api,
            "longest start-up wait for rate limits, 0 tries once (default 2m)"),
        spec(
            .noResolve, .none, .nothing, .secrets,
            "fetch raw values, leaving references unresolved (resolve=false)"),
        spec(
            .only, .required(placeholder: "KEY,..."), .nothing, .secrets,
            "inject only these keys (repeatable); each one must exist"),
        spec(
            .preserveEnv, .optional(placeholder: "KEY,..."), .nothing, .secrets,
            "inherited variables win over secrets (all, or the listed keys)"),
        spec(
            .pristine, .none, .nothing, .secrets,
            "the command gets only the secrets (and what --preserve-env= lists)"),
        spec(
            .keepToken, .none, .nothing, .secrets,
            "keep SOUP_TOKEN and SOUP_TOKEN_FILE (removed by default)"),
        spec(
            .also, .required(placeholder: "PROJECT/ENV"), .nothing, .layers,
            "fetch this environment too (repeatable; a slash in a name is %2F)"),
        spec(
            .envFile, .required(placeholder: "PATH"), .files, .layers,
            "read variables from a dotenv file (repeatable); it must exist"),
        spec(
            .envFileOptional, .required(placeholder: "PATH"), .files, .layers,
            "the same for a file that may be absent, such as .env.local"),
        spec(
            .export, .none, .nothing, .export,
            "print the secrets instead of running a command, keys sorted"),
        spec(
            .format, .required(placeholder: "FORMAT"), .exportFormats, .export,
            "export format, " + Configuration.ExportFormat.withDefault),
        spec(
            .file, .required(placeholder: "KEY[=PATH]"), .nothing, .files,
            "put KEY in a file, its path in KEY (no PATH, a private 0700 dir)"),
        spec(
            .mount, .required(placeholder: "PATH"), .files, .files,
            "write all secrets to PATH, not the env (path in SOUP_SECRETS_FILE)"),
        spec(
            .mountFormat, .required(placeholder: "FORMAT"), .exportFormats, .files,
            "format of --mount, " + Configuration.ExportFormat.spelledOut + " (default by suffix)"),
        spec(
            .template, .required(placeholder: "SRC:DEST"), .files, .files,
            "render SRC to DEST, {{ KEY }} or {{ KEY | json, shell, base64 }}"),
        spec(
            .watch, .none, .nothing, .watch,
            "supervise the command, restart it when its environment changes"),
        spec(
            .interval, .required(placeholder: "SECONDS"), .nothing, .watch,
            "time between polls, jittered by 10 percent (default 10, min 0.1)"),
        spec(
            .stopSignal, .required(placeholder: "SIGNAL"), .signals, .watch,
            "signal that stops the child, name or number (default TERM)"),
        spec(
            .stopTimeout, .required(placeholder: "SECONDS"), .nothing, .watch,
            "time the child gets to stop before SIGKILL (default 10, max 3600)"),
        spec(
            .splay, .required(placeholder: "SECONDS"), .nothing, .watch,
            "random delay before each restart, up to this long (default 0)"),
        spec(
            .fallback, .required(placeholder: "PATH"), .files, .fallback,
            "keep an encrypted copy of the API answer (env SOUP_FALLBACK_FILE)"),
        spec(
            .fallbackMaxAge, .required(placeholder: "AGE"), .nothing, .fallback,
            "refuse an older copy, e.g. 90s, 30m, 72h, 7d, seconds (default none)"),
        spec(
            .fallbackReadonly, .none, .nothing, .fallback,
            "use the copy, never write or delete it (a copy baked into an image)"),
        spec(
            .offline, .none, .nothing, .fallback,
            "never contact the API, run from the copy (needs --fallback)"),
        spec(
            .reloadSignal, .required(placeholder: "SIG|none"), .reloadSignals, .watch,
            "when only files change, send SIG (or none) instead of restarting"),
        spec(
            .mask, .none, .nothing, .mask,
            "mask secret values and their encodings as ***; a pty in a terminal"),
        spec(
            .maskMinLength, .required(placeholder: "N"), .nothing, .mask,
            "mask only values of at least N bytes (default 8, 1 to 4096)"),
        spec(.quiet, .none, .nothing, .output, "print errors only", short: "q"),
        spec(
            .verbose, .none, .nothing, .output,
            "also print URL (never the token), status, timing, key count", short: "v"),
        spec(
            .completions, .required(placeholder: "SHELL"), .shells, .output,
            "print a completion script for bash, zsh or fish"),
        spec(.help, .none, .nothing, .output, "print this help", short: "h"),
        spec(.version, .none, .nothing, .output, "print the version"),
    ]

    /// The spec of `id`.
    public static func spec(_ id: OptionID) -> OptionSpec {
        // The table holds every OptionID exactly once (tested), so this always finds one.
        all.first { $0.id == id }!
    }

    /// The spec spelled `--name` (without `=value`) or `-x`.
    static func lookup(_ spelling: String) -> OptionSpec? {
        all.first { $0.long == spelling || $0.shortSpelling == spelling }
    }

    private static func spec(
        _ id: OptionID, _ argument: OptionSpec.Argument, _ completion: OptionSpec.ValueCompletion,
        _ group: OptionSpec.Group, _ summary: String, short: Character? = nil
    ) -> OptionSpec {
        OptionSpec(id: id, short: short, argument: argument, completion: completion, group: group, summary: summary)
    }
}

/// The environment variables soup-run reads, for `--help` and the README.
public enum EnvironmentVariables {
    public static let all: [(name: String, summary: String)] = [
        ("SOUP_PROJECT", "the project, when no operands are given (then -- comes before the command)"),
        ("SOUP_ENVIRONMENT", "the environment, when no operands are given"),
        ("SOUP_API_URL", "API base URL, default https://api.soup.dev/api/v1; --api-url wins"),
        ("SOUP_TOKEN", "API token; --token and --token-file win"),
        ("SOUP_TOKEN_FILE", "file holding the API token; --token and --token-file win"),
        ("SOUP_FALLBACK_FILE", "where to keep the encrypted fallback copy; --fallback wins"),
        // The trust store for https (TrustStore): with none set, /etc/ssl/certs, then the usual bundles.
        ("CURL_CA_BUNDLE", "CA bundle (PEM) for https, instead of SSL_CERT_FILE (missing: exit 78)"),
        ("SSL_CERT_FILE", "CA bundle (PEM) for https (missing: exit 78)"),
        (
            "SSL_CERT_DIR",
            "hashed CA directory for https; none set: /etc/ssl/certs, then usual bundles"
        ),
        ("SOUP_MASK", "1: as --mask; 0 or unset: no masking"),
        ("XDG_RUNTIME_DIR", "where --file KEY puts its private directory (else /dev/shm, else TMPDIR)"),
        ("http_proxy", "proxy for http API URLs, as curl reads it (lower case only)"),
        ("https_proxy", "proxy for https API URLs (also HTTPS_PROXY; all_proxy for both)"),
        ("no_proxy", "hosts reached without a proxy, comma-separated (also NO_PROXY)"),
    ]
}
