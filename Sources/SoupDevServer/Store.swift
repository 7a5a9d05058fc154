import SoupCore

/// Why the server's state could not be loaded or saved.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state file exists but could not be read.
    case unreadable(FileError)
    /// The state file did not exist and could not be created.
    case cannotCreate(FileError)
    /// The state file's content breaks the shape.
    case invalid(path: String, StateFileError)
    /// Another process (a second server) holds the state file's lock.
    case locked(statePath: String, lockPath: String, holder: Int32?)
    /// Stale temporary files could not be removed.
    case cannotClean(FileError)

    public var description: String {
        switch self {
        case .unreadable(let error), .cannotCreate(let error), .cannotClean(let error): return error.description
        case .locked(let statePath, let lockPath, let holder):
            let who = holder.map { "process \($0)" } ?? "another process"
            return "\(statePath) is in use by \(who) (it holds the lock \(lockPath)); "
                + "stop that server or give another --data"
        case .invalid(let path, let error): return "\(path): \(error)"
        }
    }

    /// The executable's exit status for this error.
    public var exitCode: ServerExitCode {
        switch self {
        case .unreadable, .invalid: return .configuration
        case .cannotCreate, .locked, .cannotClean: return .cannotCreate
        }
    }
}

/// The server's state, shared by all connections: reads take a snapshot, writes are serialized
/// and, with a state file, on disk before they return.
public final class Store: Sendable {
    /// The state file, or nil for a state that lives in memory only.
    public let path: String?
    private let contents: Locked<Contents>
    /// The state file's lock, when `load` took one: released when the store goes.
    private let lock = Locked<StateLock?>(nil)

    /// A store over `state`; `path` is where mutations are saved (nil: memory only).
    public init(state: DevServerState, path: String? = nil) {
        self.path = path
        self.contents = Locked(Contents(state: state))
    }

    /// Opens the state file at `path`, creating it with the demo data set when it does not exist.
    /// - Returns: the store, and whether the demo data was created.
    public static func open(path: String) throws(StoreError) -> (store: Store, createdDemo: Bool) {
        let bytes: [UInt8]?
        do {
            bytes = try DurableFile.read(path)
        } catch {
            throw .unreadable(error)
        }
        guard let bytes else {
            do {
                try DurableFile.replaceKeeping(path, with: StateFile.encode(.demo))
            } catch {
                throw .cannotCreate(error)
            }
            return (Store(state: .demo, path: path), true)
        }
        do {
            return (Store(state: try StateFile.decode(bytes), path: path), false)
        } catch {
            throw .invalid(path: path, error)
        }
    }

    /// The store the command line asks for: the state file at `path`, or the demo data in memory.
    ///
    /// With a file, first takes its lock (held as long as the store lives), then removes the
    /// temporary files a killed server left (full copies, tokens included), then opens it.
    /// - Returns: the store, whether it holds the demo data (created now, or in memory), and the
    ///   stale temporary files removed.
    public static func load(path: String?) throws(StoreError) -> (store: Store, usesDemo: Bool, removed: [String]) {
        guard let path else { return (Store(state: .demo), true, []) }
        let lock = try StateLock.acquire(for: path)
        let removed: [String]
        do {
            removed = try DurableFile.removeStaleTemporaries(of: path)
        } catch {
            throw .cannotClean(error)
        }
        let (store, created) = try open(path: path)
        store.lock.withLock { $0 = lock }
        return (store, created, removed)
    }

    /// The current state. Later writes do not change a snapshot already taken.
    public var snapshot: DevServerState {
        contents.withLock { $0.state }
    }

    /// The current state and its generation, which every write advances (see `remember`).
    public var versionedSnapshot: (state: DevServerState, generation: Int) {
        contents.withLock { ($0.state, $0.generation) }
    }

    /// The body kept for `key`, if no write has changed it since it was remembered.
    public func cachedBody(_ key: BodyKey) -> CachedBody? {
        contents.withLock { $0.bodies[key] }
    }

    /// Keeps `body` for `key`, if it was computed from the current state: a body from the
    /// snapshot of `generation` is dropped when a write came in between (it may be stale).
    public func remember(_ body: CachedBody, for key: BodyKey, generation: Int) {
        contents.withLock { contents in
            guard contents.generation == generation else { return }
            contents.bodies[key] = body
        }
    }

    /// Applies `change` to the state and saves it before returning.
    ///
    /// Holding the lock across the save serializes writers, so no update is lost, and the
    /// in-memory state never runs ahead of the file: when the save fails nothing changes.
    /// An unchanged state is not written again. Kept bodies the change affects are dropped.
    public func update<T>(_ change: (inout DevServerState) -> T) throws(FileError) -> T {
        try contents.withLock { (current: inout Contents) throws(FileError) -> T in
            var next = current.state
            let result = change(&next)
            guard next != current.state else { return result }
            if let path { try DurableFile.replaceKeeping(path, with: StateFile.encode(next)) }
            current.bodies.invalidate(old: current.state, new: next)
            current.state = next
            current.generation += 1
            return result
        }
    }

    /// What the lock guards: the state, its generation and the bodies computed from it.
    private struct Contents {
        var state: DevServerState
        var generation = 0
        var bodies = BodyCache()
    }
}
