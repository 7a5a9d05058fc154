/// Where the supervisor gets secrets: the start-up fetch (with the one-shot mode's retries)
/// and one conditional attempt per poll. `SecretsClient` is one API environment; `LayerStack`
/// combines several layers (what soup-run uses); tests pass fakes.
public protocol SecretsSource<Failure>: Sendable {
    associatedtype Failure: SourceFailure
    /// The one-shot fetch with its retries, and the response's `ETag` (the first poll sends it
    /// as `If-None-Match`); its error decides soup-run's exit code at start.
    func fetchWithETag() throws(Failure) -> (secrets: [String: String], etag: String?)
    /// One attempt, with `If-None-Match` when `etag` is given (each poll).
    func fetch(ifNoneMatch etag: String?) throws(Failure) -> FetchResult
    /// The start-up fetch, also saying how long a rate limit last made it wait.
    func startUpFetch() throws(Failure) -> StartUpFetch
    /// The start-up fetch, the secrets as a `SecretSet` (`--export`; see `SecretSetFetch`).
    func startUpSetFetch() throws(Failure) -> SecretSetFetch
    /// The token the source fetches with now, when it can change while soup-run runs (a rotated
    /// token file); nil for one fixed at start. The fallback copy is sealed with it.
    var currentToken: Secret? { get }
    /// The layers behind the last answer, lowest precedence first, so `-v` can name where each
    /// key came from; nil for a source without layers (the default), or with no answer yet.
    func layerParts() -> [LayerCombination.Part]?
}

extension SecretsSource {
    public var currentToken: Secret? { nil }

    /// A source that knows nothing of rate limits: `fetchWithETag()`, never rate limited.
    public func startUpFetch() throws(Failure) -> StartUpFetch {
        let fetched = try fetchWithETag()
        return StartUpFetch(secrets: fetched.secrets, etag: fetched.etag)
    }

    public func layerParts() -> [LayerCombination.Part]? { nil }
}

/// A source's failure: a message and exit code at start, one failing poll under `--watch`.
public protocol SourceFailure: SoupRunFailure, Sendable {
    var pollFailure: PollFailure { get }
}

extension FetchError: SourceFailure {
    public var pollFailure: PollFailure { PollFailure(self) }
}

extension SecretsClient: SecretsSource {
    public func fetch(ifNoneMatch etag: String?) throws(FetchError) -> FetchResult {
        try fetchOnce(ifNoneMatch: etag)
    }
}

extension PollFailure {
    /// A failed fetch as a poll failure. Failures of one kind (and status) are one state, so
    /// a server that keeps answering 500 is logged once, while 500 then 429 is logged twice.
    public init(_ error: FetchError) {
        self.init(state: Self.state(of: error), message: error.description, retryAfter: error.retryAfter)
        self.rateLimited = Self.state(of: error) == Self.state(of: .rateLimited(retryAfter: nil))
    }

    static func state(of error: FetchError) -> String {
        switch error {
        case .network: return "network"
        case .timedOut: return "timeout"
        case .tls, .noTrustStore: return "tls"
        case .serverError(let status, _, _), .permission(let status, _), .rejected(let status, _),
            .unexpectedStatus(let status):
            return "http \(status)"
        case .rateLimited: return "http 429"
        case .forbidden: return "http 403"
        case .notFound, .noAPI: return "http 404"
        case .invalidData, .bodyTooLarge, .headersTooLarge: return "invalid data"
        case .tooLargeForExec: return "too large for exec"
        case .badURL, .redirectRefused, .tooManyRedirects, .invalidToken, .notHTTP: return "configuration"
        case .proxyRefused(_, _, let status): return "proxy \(status)"
        case .gaveUp(_, let last), .maxWaitReached(_, _, _, let last): return state(of: last)
        case .fallbackUnusable: return "fallback"
        }
    }
}
