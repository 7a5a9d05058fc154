/// The decisions about the fallback copy, as pure functions of values: which failures use it,
/// which delete it, when to write it, whether it is too old.
public enum FallbackPolicy {
    /// What a failed fetch means for the copy.
    public enum Action: Sendable, Equatable {
        /// The API is unavailable (or sent data soup-run will not use): start from the copy.
        case useCopy
        /// The API said this token may not read this environment: delete the copy, so a revoked
        /// token cannot bring old secrets back.
        case deleteCopy
        /// Neither (a configuration problem: bad URL, refused redirect, another 4xx, 407).
        case none
    }

    /// The action for `error`: exit codes 69 (network, timeout, TLS, 5xx, 429 after the retries)
    /// and 65 (not valid secrets data) use the copy; 401, 403 and 404 delete it.
    public static func action(for error: FetchError) -> Action {
        switch error {
        case .permission(let status, _) where status == 401 || status == 403: return .deleteCopy
        case .notFound, .forbidden: return .deleteCopy
        case .gaveUp(_, let last): return action(for: last)
        default:
            switch error.exitCode {
            case .unavailable, .invalidData: return .useCopy
            default: return .none
            }
        }
    }

    /// Unchanged secrets are rewritten only when the copy is this old (an hour, or half the
    /// maximum age when that is shorter), so the age shown stays close to the last time the API
    /// confirmed them while an unchanged start normally writes nothing.
    public static func refreshAge(maxAge: Double?) -> Double {
        min(3600, (maxAge ?? .infinity) / 2)
    }

    /// Whether a successful fetch of `fetched` should replace what the file holds (`held`, nil
    /// when there is no usable copy).
    public static func shouldWrite(
        fetched: [String: String], held: FallbackContents?, now: Double, maxAge: Double?
    ) -> Bool {
        guard let held else { return true }
        if held.secrets != fetched { return true }
        return age(of: held, now: now) >= refreshAge(maxAge: maxAge)
    }

    /// Seconds since `contents` was written (0 when the clock is behind the file's time).
    public static func age(of contents: FallbackContents, now: Double) -> Double {
        max(0, now - Double(contents.writtenAt))
    }

    /// Whether a copy of age `age` may be used under `--fallback-max-age` (nil: no limit).
    public static func isFresh(age: Double, maxAge: Double?) -> Bool {
        maxAge.map { age <= $0 } ?? true
    }
}
