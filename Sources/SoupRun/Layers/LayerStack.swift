import SoupCore

/// The layers of one run, combined: the source of secrets soup-run fetches from, once or (with
/// `--watch`) on every poll. Precedence, later wins: the `--also` environments in the order
/// given, the operands' environment, the env files in the order given.
///
/// Every layer is read concurrently (at most `concurrency` at once). Any failing layer fails the
/// whole read, naming the layer. The merge and the supervisor see only the combined result: one
/// `SecretSet` and one ETag, a token standing for the layers' own ETags and file stamps, kept
/// here. A poll answers `.notModified` only when no layer changed and the caller holds the
/// token of the last result, so a result the caller could not use is offered again.
///
/// With env files soup-run nests two: the API environments in one (so `--fallback` keeps exactly
/// what the API returned), as the lowest layer of another holding the env files. Only the outer
/// one reports, with `-v`, which layer each key set by several comes from: at start, and again
/// whenever a changed result changes that list. Without env files the API stack is the source.
public final class LayerStack: SecretsSource {
    public let layers: [Layer]
    let files: EnvFileAccess
    let logger: Logger
    let concurrency: Int
    /// Whether `-v` lists the overridden keys (not for the inner stack: the outer lists them all).
    let reportsOverrides: Bool
    /// The longest wait for all layers of one read (see `Concurrently.map`).
    let bound: Double
    private let state = Locked(State())

    struct State {
        /// Each layer's last good read, once the start-up read succeeded.
        var snapshots: [Layer.Snapshot]? = nil
        /// Counts combined results that differed; the token is made from it.
        var generation = 0
        /// The overridden keys `-v` listed last (nil: nothing listed yet).
        var reported: [LayerCombination.Override]? = nil
    }

    public init(
        layers: [Layer], files: EnvFileAccess, logger: Logger, concurrency: Int = 4, bound: Double,
        reportsOverrides: Bool = true
    ) {
        self.layers = layers
        self.files = files
        self.logger = logger
        self.concurrency = concurrency
        self.bound = bound
        self.reportsOverrides = reportsOverrides
    }

    /// The start-up read (API layers with their retries), combined; with `-v`, which layer each
    /// key set by several came from.
    public func load() throws(LayerError) -> [String: String] {
        try startUpSetFetch().secrets.dictionary
    }

    /// Every layer's last good read, the API environments inside a nested stack each on its own.
    public func layerParts() -> [LayerCombination.Part]? {
        state.withLock { $0.snapshots }.map(parts)
    }

    public func fetchWithETag() throws(LayerError) -> (secrets: [String: String], etag: String?) {
        let fetched = try startUpSetFetch()
        return (fetched.secrets.dictionary, fetched.etag)
    }

    public func startUpFetch() throws(LayerError) -> StartUpFetch { try startUpSetFetch().startUpFetch }

    /// The start-up read, combined, with the longest wait a rate limit made any API layer take:
    /// the layers' polls share one pace, so the first polls keep to the slowest grant.
    public func startUpSetFetch() throws(LayerError) -> SecretSetFetch {
        let started = try readAll { layer throws(LayerError) in try layer.startUp(files: self.files) }
        let snapshots = started.map(\.snapshot)
        let combined = combine(snapshots)
        let generation = state.withLock { state -> Int in
            state.snapshots = snapshots
            return state.generation
        }
        report(combined.overrides)
        return SecretSetFetch(
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
        let generation = state.withLock { state -> Int? in
            if !changed && token == Self.token(state.generation) { return nil }
            if changed {
                state.snapshots = snapshots
                state.generation += 1
            }
            return state.generation
        }
        // An idle poll combines nothing.
        guard let generation else { return .notModified }
        let combined = combine(snapshots)
        // Only when the command's secrets change (a restart), not for a layer that changed alone.
        if changed, reportsOverrides, logger.verbosity >= .verbose, combined.secrets != combine(last).secrets {
            report(combined.overrides)
        }
        return .secrets(combined.secrets.dictionary, etag: Self.token(generation))
    }

    /// With `-v`, the overridden keys: at start, then only when the list differs from the last.
    private func report(_ overrides: [LayerCombination.Override]) {
        guard reportsOverrides, logger.verbosity >= .verbose else { return }
        let previous = state.withLock { state -> [LayerCombination.Override]? in
            defer { state.reported = overrides }
            return state.reported
        }
        guard let previous else {
            for override in overrides { logger.debug("layers: \(override.summary)") }
            return
        }
        guard previous != overrides else { return }
        if overrides.isEmpty { logger.debug("layers: no key is set by more than one layer now") }
        for override in overrides { logger.debug("layers: now \(override.summary)") }
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
        secrets: SecretSet, overrides: [LayerCombination.Override]
    ) {
        LayerCombination.combine(parts(snapshots))
    }

    /// The layers by name, a nested stack's replaced by its own layers when they still add up
    /// to what it gave (not after it started from the fallback copy, which holds their sum).
    private func parts(_ snapshots: [Layer.Snapshot]) -> [LayerCombination.Part] {
        zip(layers, snapshots).flatMap { layer, snapshot -> [LayerCombination.Part] in
            if case .stack(let source) = layer.source, let inner = source.layerParts(),
                LayerCombination.combine(inner).secrets == snapshot.secrets
            {
                return inner
            }
            return [(layer.name, snapshot.secrets)]
        }
    }

    /// The combined ETag the supervisor holds: which combined result it has.
    static func token(_ generation: Int) -> String { "layers-\(generation)" }
}
