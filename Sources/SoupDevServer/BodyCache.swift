/// Which environment listing a cached body answers: `GET .../environments/{env}/secrets[?resolve=]`.
public struct BodyKey: Hashable, Sendable {
    public var project: String
    public var environment: String
    public var resolve: Bool

    public init(project: String, environment: String, resolve: Bool) {
        self.project = project
        self.environment = environment
        self.resolve = resolve
    }
}

/// A listing's encoded body and its ETag, computed once.
public struct CachedBody: Sendable, Equatable {
    public var body: [UInt8]
    public var etag: String

    public init(body: [UInt8]) {
        self.body = body
        self.etag = ETag.of(body)
    }
}

/// Encoded listings kept until a write changes what they show: the environment itself or one of
/// its ancestors (secrets inherited, or the parent chain). Pure: the store calls `invalidate`
/// with the states before and after each write.
///
/// Bounded: at most two entries (resolve true/false) per environment of the state.
struct BodyCache: Sendable {
    private(set) var entries: [BodyKey: CachedBody] = [:]

    subscript(key: BodyKey) -> CachedBody? {
        get { entries[key] }
        set { entries[key] = newValue }
    }

    /// Drops every entry whose environment, or an ancestor in either state, differs between them.
    mutating func invalidate(old: DevServerState, new: DevServerState) {
        guard !entries.isEmpty else { return }
        entries = entries.filter { key, _ in
            !Self.chainChanged(key.project, key.environment, in: old, new)
        }
    }

    private static func chainChanged(
        _ project: String, _ environment: String, in old: DevServerState, _ new: DevServerState
    )
        -> Bool
    {
        let before = old.projects[project]?.environments ?? [:]
        let after = new.projects[project]?.environments ?? [:]
        for environments in [before, after] {
            var name: String? = environment
            // A valid state has no parent cycle; the bound keeps a broken one from looping.
            for _ in 0...environments.count {
                guard let current = name else { break }
                if before[current] != after[current] { return true }
                name = environments[current]?.parent
            }
        }
        return false
    }
}
