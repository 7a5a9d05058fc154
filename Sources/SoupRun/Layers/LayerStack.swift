import SoupCore

/// The layers of one run, combined: the source of secrets soup-run fetches from, once or (with
/// `--watch`) on every poll. Precedence, later wins: the `--also` environments in the order
/// given, the operands' environment, the env files in the order given.
///
/// Every layer is read concurrently (at most `concurrency` at once). Any failing layer fails the
/// whole read, naming the layer. The merge and the supervisor see only the combined result: one
/// `[key: value]` and one ETag, a token standing for the layers' own ETags and file stamps, kept
/// here. A poll answers `.notModified` only when no layer changed and the caller holds the
/// token of the last result, so a result the caller could not use is offered again.
public final class LayerStack: SecretsSource {
    public let layers: [Layer]
    let files: EnvFileAccess
    let logger: Logger
    let concurrency: Int
    /// The longest wait for all layers of one read (see `Concurrently.map`).
    let bound: Double
    private let state = Locked(State())

    struct State {
        /// Each layer's last good read, once the start-up read succeeded.
        var snapshots: [Layer.Snapshot]? = nil
        /// Counts combined results that differed; the token is made from it.
        var generation = 0
    }

    public init(layers: [Layer], files: EnvFileAccess, logger: Logger, concurrency: Int = 4, bound: Double) {
        self.layers = layers
        self.files = files
        self.logger = logger
        self.concurrency = concurrency
        self.bound = bound
    }

    /// The start-up read (API layers with their retries), combined; with `-v`, which layer each
    /// key set by several came from.
    public func load() throws(LayerError) -> [String: String] {
        try startUpFetch().secrets
    }

    public func fetchWithETag() throws(LayerError) -> (secrets: [String: String], etag: String?) {
        let fetched = try startUpFetch()
        return (fetched.secrets, fetched.etag)
    }

    /// The start-up read, combined, with the longest wait a rate limit made any API layer take:
    /// the layers' polls share one pace, so the first polls keep to the slowest grant.
    public func startUpFetch() throws(LayerError) -> StartUpFetch {
        let started = try readAll { layer throws(LayerError) in try layer.startUp(files: self.files) }
        let snapshots = started.map(\.snapshot)
        let combined = combine(snapshots)
        for override in combined.overrides { logger.debug("layers: \(override.summary)") }
        let generation = state.withLock { state -> Int in
            state.snapshots = snapshots
            return state.generation
        }
        return StartUpFetch(
            secrets: combined.secrets, etag: Self.token(generation),
            rateLimitWait: started.compactMap(\.rateLimitWait).max())
    }

    /// One poll of every layer: API layers with their own `If-None-Match`, env files re-read when
    /// their stamp changed. Nothing is kept unless every layer answered.
    public func fetch(ifNoneMatch token: String?) throws(LayerError) -> FetchResult {
        guard let last = state.withLock({ $0.snapshots }) else {
            let secrets = try load()
            return .secrets(secrets, etag: state.withLock { Self.token($0.generation) })
        }
        let refreshed = try readAll { layer, index throws(LayerError) in
            try layer.refresh(from: last[index], files: self.files)
        }
        let changed = refreshed.contains { $0 != nil }
        let snapshots = zip(last, refreshed).map { $1 ?? $0 }
        return state.withLock { state -> FetchResult in
            if !changed && token == Self.token(state.generation) { return .notModified }
            if changed {
                state.snapshots = snapshots
                state.generation += 1
            }
            return .secrets(combine(snapshots).secrets, etag: Self.token(state.generation))
        }
    }

    /// `read` for every layer, concurrently; the first failing layer (in precedence order) throws.
    private func readAll<T: Sendable>(
        _ read: @escaping @Sendable (Layer, Int) throws(LayerError) -> T
    ) throws(LayerError) -> [T] {
        let layers = self.layers
        let results = Concurrently.map(layers.count, limit: concurrency, bound: bound) { index in
            Result { () throws(LayerError) -> T in try read(layers[index], index) }
        }
        var values: [T] = []
        values.reserveCapacity(results.count)
        for (index, result) in results.enumerated() {
            guard let result else {
                let layer = layers[index]
                throw LayerError(
                    layer: layer.namedInErrors ? layer.name : nil,
                    cause: .fetch(.timedOut(origin: layer.name, seconds: bound)))
            }
            values.append(try result.get())
        }
        return values
    }

    private func readAll<T: Sendable>(
        _ read: @escaping @Sendable (Layer) throws(LayerError) -> T
    ) throws(LayerError) -> [T] {
        try readAll { layer, _ throws(LayerError) in try read(layer) }
    }

    private func combine(_ snapshots: [Layer.Snapshot]) -> (
        secrets: [String: String], overrides: [LayerCombination.Override]
    ) {
        LayerCombination.combine(zip(layers, snapshots).map { ($0.name, $1.secrets) })
    }

    /// The combined ETag the supervisor holds: which combined result it has.
    static func token(_ generation: Int) -> String { "layers-\(generation)" }
}
