import SoupCore

/// A `SecretsSource` that keeps the fallback copy: every successful answer is kept (written when
/// it differs), an unavailable API at start-up falls back to the copy, and a 401/403/404 deletes
/// it. The one-shot run and `--watch` both fetch through it, so they behave alike.
public struct FallbackSource<Upstream: SecretsSource>: SecretsSource where Upstream.Failure: FallbackFailure {
    public typealias Failure = Upstream.Failure
    let upstream: Upstream
    let store: FallbackStore
    let logger: Logger
    /// The last secrets the API returned, so a 304 can refresh an old copy with them.
    private let lastFetched = Locked<[String: String]?>(nil)

    public init(upstream: Upstream, store: FallbackStore, logger: Logger) {
        self.upstream = upstream
        self.store = store
        self.logger = logger
    }

    /// The start-up fetch (with retries); from the copy under `--offline` or when the API is
    /// unavailable. Then the ETag is nil, so the first `--watch` poll asks for the full answer.
    public func fetchWithETag() throws(Failure) -> (secrets: [String: String], etag: String?) {
        let fetched = try startUpFetch()
        return (fetched.secrets, fetched.etag)
    }

    /// `fetchWithETag`, with the upstream's rate-limit wait passed on for `--watch`'s first polls.
    public func startUpFetch() throws(Failure) -> StartUpFetch {
        if store.settings.offline { return StartUpFetch(secrets: try startFromCopy(after: nil), etag: nil) }
        do {
            let fetched = try upstream.startUpFetch()
            kept(fetched.secrets)
            return fetched
        } catch {
            // Only an API's failure concerns the copy (an env file's does not).
            guard let apiError = error.apiError else { throw error }
            switch FallbackPolicy.action(for: apiError) {
            case .useCopy: return StartUpFetch(secrets: try startFromCopy(after: error), etag: nil)
            case .deleteCopy: store.delete(because: apiError, logger: logger)
            case .none: break
            }
            throw error
        }
    }

    /// One `--watch` poll: a changed answer is kept; a 401/403/404 deletes the copy (the running
    /// command keeps its secrets, as without a copy); other failures leave the copy alone.
    public func fetch(ifNoneMatch etag: String?) throws(Failure) -> FetchResult {
        do {
            let result = try upstream.fetch(ifNoneMatch: etag)
            switch result {
            case .secrets(let secrets, _): kept(secrets)
            case .notModified:
                if let secrets = lastFetched.withLock({ $0 }) {
                    store.keep(secrets, token: upstream.currentToken, logger: logger)
                }
            }
            return result
        } catch {
            if let apiError = error.apiError, FallbackPolicy.action(for: apiError) == .deleteCopy {
                store.delete(because: apiError, logger: logger)
            }
            throw error
        }
    }

    /// The upstream's layers (none after starting from the copy: it holds their combination).
    public func layerParts() -> [LayerCombination.Part]? { upstream.layerParts() }

    private func kept(_ secrets: [String: String]) {
        lastFetched.withLock { $0 = secrets }
        store.keep(secrets, token: upstream.currentToken, logger: logger)
    }

    /// The copy's secrets, with the one warning that says where they come from; or the failure
    /// (`error`, or for `--offline` exit 69) with the reason the copy cannot be used.
    private func startFromCopy(after error: Failure?) throws(Failure) -> [String: String] {
        let copy: UsableFallbackCopy
        do {
            copy = try store.loadUsableCopy()
        } catch let unusable {
            throw error.map { $0.withUnusableCopy(unusable) } ?? Failure.offline(unusable)
        }
        let why = error.map { "API unavailable (\($0))" } ?? "--offline"
        logger.warning(
            "using the fallback copy from \(FallbackTime.utc(copy.writtenAt)) (\(FallbackTime.age(copy.age)) old): \(why)"
        )
        return copy.secrets
    }
}

/// A source's failure as the fallback copy sees it: the API's error inside it, if any, and the
/// same failure saying why the copy could not stand in (`FetchError`, `LayerError`).
public protocol FallbackFailure: SourceFailure {
    /// The API's failure (nil for one that is not the API's, such as an unreadable env file).
    var apiError: FetchError? { get }
    /// This failure, its message ending with why the copy cannot be used; the same exit code.
    func withUnusableCopy(_ unusable: FallbackUnusable) -> Self
    /// `--offline` with no usable copy (69).
    static func offline(_ unusable: FallbackUnusable) -> Self
}

extension FetchError: FallbackFailure {
    public var apiError: FetchError? { self }
    public func withUnusableCopy(_ unusable: FallbackUnusable) -> FetchError {
        .fallbackUnusable(original: self, unusable)
    }
    public static func offline(_ unusable: FallbackUnusable) -> FetchError {
        .fallbackUnusable(original: nil, unusable)
    }
}

extension LayerError: FallbackFailure {
    public var apiError: FetchError? {
        if case .fetch(let error) = cause { return error }
        return nil
    }
    public func withUnusableCopy(_ unusable: FallbackUnusable) -> LayerError {
        guard let apiError else { return self }
        return LayerError(layer: layer, cause: .fetch(apiError.withUnusableCopy(unusable)))
    }
    public static func offline(_ unusable: FallbackUnusable) -> LayerError {
        LayerError(layer: nil, cause: .fetch(.offline(unusable)))
    }
}
