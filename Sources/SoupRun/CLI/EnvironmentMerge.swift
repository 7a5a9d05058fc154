import SoupCore

/// The command's environment from soup-run's own environment and the secrets. Pure and
/// deterministic; the one-shot and the `--watch` modes both build the child's environment here.
public enum EnvironmentMerge {
    /// Variables that change how programs are found or loaded: a secret that sets one is warned about.
    public static let sensitiveVariables = ["HOME", "LD_LIBRARY_PATH", "LD_PRELOAD", "NODE_OPTIONS", "PATH"]
    /// Variables that hold soup-run's API token; removed from the command's environment unless `--keep-token`.
    public static let tokenVariables = ["SOUP_TOKEN", "SOUP_TOKEN_FILE"]

    /// Merges, in this order:
    /// 1. `--only`: keep only the listed secrets; a listed key missing from the secrets is an
    ///    error (exit 66, "not found") naming every missing key.
    /// 2. Token stripping: `SOUP_TOKEN` and `SOUP_TOKEN_FILE` are removed from `inherited` unless
    ///    `--keep-token`. (Secrets of those names are the user's data and are injected.)
    /// 3. The inherited part: all of it; under `--pristine` only the variables `--preserve-env=KEYS`
    ///    lists (so `--pristine --preserve-env=PATH` gives the secrets plus `PATH`).
    /// 4. Secrets are added; for a key also inherited, the secret wins unless `--preserve-env`
    ///    (all) or `--preserve-env=KEYS` (listed) says the inherited value wins.
    /// Warnings (sorted by key, never holding a value) name each sensitive variable whose final
    /// value comes from a secret and differs from the inherited one.
    public static func merge(
        inherited: [String: String], secrets: [String: String], configuration: Configuration
    ) throws(MergeError) -> MergeResult {
        let selected = try selectedSecrets(secrets, configuration: configuration)
        let (base, kept) = inheritedPart(inherited, configuration: configuration)
        var environment = kept
        var warnings: [(key: String, text: String)] = []
        for (key, secretValue) in selected {
            if let inheritedValue = base[key], isPreserved(key, configuration.preserve) {
                environment[key] = inheritedValue
                continue
            }
            environment[key] = secretValue
            if sensitiveVariables.contains(key), base[key] != secretValue {
                warnings.append(
                    (
                        key,
                        base[key] == nil
                            ? "the secret \(key) sets \(key), which was not set before"
                            : "the secret \(key) overrides the inherited \(key)"
                    ))
            }
        }
        // Sorted here rather than iterating sorted keys: warnings are few, secrets many.
        warnings.sort { ByteOrder.precedes($0.key, $1.key) }
        return MergeResult(environment: environment, warnings: warnings.map(\.text))
    }

    /// Steps 2 and 3 of `merge`: `base`, what a secret is compared with (the token variables
    /// removed), and `kept`, the part of it the command gets before any secret is added.
    static func inheritedPart(
        _ inherited: [String: String], configuration: Configuration
    ) -> (base: [String: String], kept: [String: String]) {
        var base = inherited
        if !configuration.keepToken {
            for name in tokenVariables { base[name] = nil }
        }
        let kept = configuration.pristine ? base.filter { isPreserved($0.key, configuration.preserve) } : base
        return (base, kept)
    }

    /// The secrets after `--only` filtering (what `--export` prints). A listed key that the
    /// secrets lack is an error naming every such key.
    public static func selectedSecrets(
        _ secrets: [String: String], configuration: Configuration
    ) throws(MergeError) -> [String: String] {
        guard let only = configuration.only else { return secrets }
        try checkListed(only) { secrets[$0] != nil }
        var selected: [String: String] = [:]
        for key in only { selected[key] = secrets[key] }
        return selected
    }

    /// `selectedSecrets` of a `SecretSet` (`--export`'s): the same keys, the same error.
    public static func selectedSecrets(
        _ secrets: SecretSet, configuration: Configuration
    ) throws(MergeError) -> SecretSet {
        guard let only = configuration.only else { return secrets }
        try checkListed(only) { secrets[$0] != nil }
        return secrets.selecting(only)
    }

    /// Throws `onlyKeysNotFound` naming every key of `only` that `has` says is missing.
    private static func checkListed(_ only: [String], has: (String) -> Bool) throws(MergeError) {
        let missing = only.filter { !has($0) }
        if !missing.isEmpty { throw MergeError(.onlyKeysNotFound(missing.sorted())) }
    }

    static func isPreserved(_ key: String, _ preserve: Configuration.Preserve) -> Bool {
        switch preserve {
        case .none: return false
        case .all: return true
        case .keys(let keys): return keys.contains(key)
        }
    }
}

/// The command's environment and the warnings to print (not under `-q`).
public struct MergeResult: Equatable, Sendable {
    public var environment: [String: String]
    /// Messages naming keys, never values.
    public var warnings: [String]

    public init(environment: [String: String], warnings: [String]) {
        self.environment = environment
        self.warnings = warnings
    }
}

/// A merge that cannot be done: a key listed in `--only` is not among the secrets (exit 66).
public struct MergeError: SoupRunFailure, Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        /// The missing keys, sorted.
        case onlyKeysNotFound([String])
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var exitCode: ExitCode { .notFound }

    public var description: String {
        switch reason {
        case .onlyKeysNotFound(let keys):
            let list = keys.joined(separator: ", ")
            return keys.count == 1
                ? "--only lists \(list), which this environment does not have"
                : "--only lists keys this environment does not have: \(list)"
        }
    }
}
