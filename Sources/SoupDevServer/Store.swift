import SoupCore

/// Why the server's state could not be loaded or saved.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state file exists but could not be read.
    case unreadable(FileError)
    /// The state file did not exist and could not be created.
    case cannotCreate(FileError)
    /// The state file's content breaks the shape.
    case invalid(path: String, StateFileError)

    public var description: String {
        switch self {
        case .unreadable(let error), .cannotCreate(let error): return error.description
        case .invalid(let path, let error): return "\(path): \(error)"
        }
    }

    /// The executable's exit status for this error.
    public var exitCode: ServerExitCode {
        switch self {
        case .unreadable, .invalid: return .configuration
        case .cannotCreate: return .cannotCreate
        }
    }
}

/// The server's state, shared by all connections: reads take a snapshot, writes are serialized
/// and, with a state file, on disk before they return.
public final class Store: Sendable {
    /// The state file, or nil for a state that lives in memory only.
    public let path: String?
    private let state: Locked<DevServerState>

    /// A store over `state`; `path` is where mutations are saved (nil: memory only).
    public init(state: DevServerState, path: String? = nil) {
        self.path = path
        self.state = Locked(state)
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
                try DurableFile.replace(path, with: StateFile.encode(.demo))
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
    /// - Returns: the store, and whether it holds the demo data (created now, or in memory).
    public static func load(path: String?) throws(StoreError) -> (store: Store, usesDemo: Bool) {
        guard let path else { return (Store(state: .demo), true) }
        let (store, created) = try open(path: path)
        return (store, created)
    }

    /// The current state. Later writes do not change a snapshot already taken.
    public var snapshot: DevServerState {
        state.withLock { $0 }
    }

    /// Applies `change` to the state and saves it before returning.
    ///
    /// Holding the lock across the save serializes writers, so no update is lost, and the
    /// in-memory state never runs ahead of the file: when the save fails nothing changes.
    /// An unchanged state is not written again.
    public func update<T>(_ change: (inout DevServerState) -> T) throws(FileError) -> T {
        try state.withLock { (current: inout DevServerState) throws(FileError) -> T in
            var next = current
            let result = change(&next)
            guard next != current else { return result }
            if let path { try DurableFile.replace(path, with: StateFile.encode(next)) }
            current = next
            return result
        }
    }
}
