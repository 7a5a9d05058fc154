import SoupCore

/// A `SecretsSource` that keeps the fallback copy: every successful answer is kept (written when
/// it differs), an unavailable API at start-up falls back to the copy, and a 401/403/404 deletes
/// it. The one-shot run and `--watch` both fetch through it, so they behave alike.
public struct FallbackSource: SecretsSource {
    let upstream: any SecretsSource
    let store: FallbackStore
    let logger: Logger
    /// The last secrets the API returned, so a 304 can refresh an old copy with them.
    private let lastFetched = Locked<[String: String]?>(nil)

    public init(upstream: any SecretsSource, store: FallbackStore, logger: Logger) {
        self.upstream = upstream
        self.store = store
        self.logger = logger
    }

    /// The start-up fetch (with retries); from the copy under `--offline` or when the API is
    /// unavailable. Then the ETag is nil, so the first `--watch` poll asks for the full answer.
    public func fetchWithETag() throws(FetchError) -> (secrets: [String: String], etag: String?) {
        if store.settings.offline { return (try startFromCopy(after: nil), nil) }
        do {
            let fetched = try upstream.fetchWithETag()
            kept(fetched.secrets)
            return fetched
        } catch {
            switch FallbackPolicy.action(for: error) {
            case .useCopy: return (try startFromCopy(after: error), nil)
            case .deleteCopy: store.delete(because: error, logger: logger)
            case .none: break
            }
            throw error
        }
    }

    /// One `--watch` poll: a changed answer is kept; a 401/403/404 deletes the copy (the running
    /// command keeps its secrets, as without a copy); other failures leave the copy alone.
    public func fetch(ifNoneMatch etag: String?) throws(FetchError) -> FetchResult {
        do {
            let result = try upstream.fetch(ifNoneMatch: etag)
            switch result {
            case .secrets(let secrets, _): kept(secrets)
            case .notModified:
                if let secrets = lastFetched.withLock({ $0 }) { store.keep(secrets, logger: logger) }
            }
            return result
        } catch {
            if FallbackPolicy.action(for: error) == .deleteCopy { store.delete(because: error, logger: logger) }
            throw error
        }
    }

    private func kept(_ secrets: [String: String]) {
        lastFetched.withLock { $0 = secrets }
        store.keep(secrets, logger: logger)
    }

    /// The copy's secrets, with the one warning that says where they come from; or the failure
    /// (`error`, or for `--offline` exit 69) with the reason the copy cannot be used.
    private func startFromCopy(after error: FetchError?) throws(FetchError) -> [String: String] {
        let copy: UsableFallbackCopy
        do {
            copy = try store.loadUsableCopy()
        } catch let unusable {
            throw .fallbackUnusable(original: error, unusable)
        }
        let why = error.map { "API unavailable (\($0))" } ?? "--offline"
        logger.warning(
            "using the fallback copy from \(FallbackTime.utc(copy.writtenAt)) (\(FallbackTime.age(copy.age)) old): \(why)"
        )
        return copy.secrets
    }
}
