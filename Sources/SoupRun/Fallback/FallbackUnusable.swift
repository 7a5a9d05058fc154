import SoupCore

/// Why the fallback copy could not be used: one line naming the path and the reason, never
/// anything of its content. The failure that made soup-run look for it keeps its exit code.
public struct FallbackUnusable: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Error, Sendable, Equatable {
        case missing
        case unreadable(FileError)
        case opened(FallbackEnvelope.OpenError)
        /// Older than `--fallback-max-age`.
        case tooOld(age: Double, limit: Double)
    }

    public var path: String
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        "the fallback copy \(path) cannot be used: \(reasonText)"
    }

    private var reasonText: String {
        switch reason {
        case .missing: return "there is none yet (it is written after a successful fetch)"
        case .unreadable(let error): return error.description
        case .tooOld(let age, let limit):
            return "it is \(FallbackTime.age(age)) old, older than --fallback-max-age (\(FallbackTime.age(limit)))"
        case .opened(let error):
            switch error {
            case .notAFallbackFile: return "it is not a soup-run fallback file"
            case .unknownVersion(let version):
                return "it has format version \(version), which this soup-run cannot read (it reads version 1)"
            case .truncated: return "it is truncated"
            case .rejected:
                return
                    "it does not open with this token for this API URL, project, environment and resolve setting, "
                    + "or it was changed"
            case .invalidContents(let problem): return "it holds no usable secrets (\(problem))"
            case .crypto(.unavailable): return "this build of soup-run has no libcrypto (OpenSSL)"
            case .crypto: return "libcrypto failed to decrypt it"
            }
        }
    }
}
