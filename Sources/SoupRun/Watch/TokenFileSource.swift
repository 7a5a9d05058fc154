import SoupCore

/// The secrets source of `--watch` with a token file (`--token-file`, `SOUP_TOKEN_FILE`): the
/// file is re-read at every poll when it changed (`stat`: inode, size, time), and after a 401 or
/// 403, so a rotated token (Kubernetes projected tokens, Vault Agent sinks, which replace the
/// file) is picked up without a restart. After a 401/403 with a token that did change, the poll
/// is retried once at once with it.
///
/// A file that cannot be read or holds no usable token keeps the current token (one warning per
/// change of the file): rotation must never stop a running supervisor.
final class TokenFileSource<Source: SecretsSource>: SecretsSource, Sendable where Source.Failure: TokenRejection {
    typealias Failure = Source.Failure

    private struct State {
        var token: Secret
        var client: Source
        var stamp: FileStamp?
    }

    private let path: String
    private let makeClient: @Sendable (Secret) -> Source
    private let readFile: @Sendable (String) throws -> [UInt8]
    private let fileStamp: @Sendable (String) -> FileStamp?
    private let logger: Logger
    private let state: Locked<State>

    init(
        path: String, token: Secret, stamp: FileStamp?, makeClient: @escaping @Sendable (Secret) -> Source,
        readFile: @escaping @Sendable (String) throws -> [UInt8],
        fileStamp: @escaping @Sendable (String) -> FileStamp?,
        logger: Logger
    ) {
        self.path = path
        self.makeClient = makeClient
        self.readFile = readFile
        self.fileStamp = fileStamp
        self.logger = logger
        state = Locked(State(token: token, client: makeClient(token), stamp: stamp))
    }

    private var client: Source { state.withLock { $0.client } }

    var currentToken: Secret? { state.withLock { $0.token } }

    func fetchWithETag() throws(Failure) -> (secrets: [String: String], etag: String?) {
        try client.fetchWithETag()
    }

    func layerParts() -> [LayerCombination.Part]? { client.layerParts() }

    func startUpFetch() throws(Failure) -> StartUpFetch {
        try client.startUpFetch()
    }

    func fetch(ifNoneMatch etag: String?) throws(Failure) -> FetchResult {
        let now = fileStamp(path)
        if now != state.withLock({ $0.stamp }) { reload(stamp: now) }
        do {
            return try client.fetch(ifNoneMatch: etag)
        } catch let error where error.rejectsToken {
            guard reload(stamp: fileStamp(path)) else { throw error }
            return try client.fetch(ifNoneMatch: etag)
        }
    }

    /// Re-reads the file; true when it holds a new usable token, which later polls then use.
    @discardableResult
    private func reload(stamp: FileStamp?) -> Bool {
        state.withLock { $0.stamp = stamp }
        let token: Secret
        do {
            token = try TokenLoader.load(.file(path: path), readFile: readFile)
        } catch {
            logger.warning("\(error.description); keeping the current token")
            return false
        }
        let changed = state.withLock { current -> Bool in
            guard current.token != token else { return false }
            current.token = token
            current.client = makeClient(token)
            return true
        }
        if changed { logger.info("the token file \(path) holds a new token; using it from now on") }
        return changed
    }
}

/// A failure that may mean the token was rotated: 401 or 403 (the old one revoked).
protocol TokenRejection {
    var rejectsToken: Bool { get }
}

extension FetchError: TokenRejection {
    var rejectsToken: Bool {
        switch self {
        case .permission(let status, _): return status == 401 || status == 403
        case .forbidden: return true
        default: return false
        }
    }
}

extension LayerError: TokenRejection {
    var rejectsToken: Bool {
        if case .fetch(let error) = cause { return error.rejectsToken }
        return false
    }
}
