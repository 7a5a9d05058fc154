import SoupCore

/// The file operations the store needs, as values: `live` is `DurableFile`; tests pass fakes.
public struct FallbackFiles: Sendable {
    /// The file's bytes, or nil when there is none.
    public var read: @Sendable (String) throws(FileError) -> [UInt8]?
    /// Crash-safe replacement: the old copy or the new one, never a torn file.
    public var replace: @Sendable (String, [UInt8]) throws(FileError) -> Void
    /// Durable removal; false when there was nothing to remove.
    public var remove: @Sendable (String) throws(FileError) -> Bool
    /// Removes what an earlier write killed half-way left next to the file (returns the paths).
    public var removeStale: @Sendable (String) -> [String]

    public init(
        read: @escaping @Sendable (String) throws(FileError) -> [UInt8]?,
        replace: @escaping @Sendable (String, [UInt8]) throws(FileError) -> Void,
        remove: @escaping @Sendable (String) throws(FileError) -> Bool,
        removeStale: @escaping @Sendable (String) -> [String] = { _ in [] }
    ) {
        self.read = read
        self.replace = replace
        self.remove = remove
        self.removeStale = removeStale
    }

    /// A temporary file is stale after this long: a write takes milliseconds, and soup-runs that
    /// share one copy (a volume) hold no lock, so a younger one may be another's write in flight.
    static let staleAfterSeconds = 600

    public static let live = FallbackFiles(
        read: { path throws(FileError) in try DurableFile.read(path) },
        replace: { path, bytes throws(FileError) in try DurableFile.replace(path, with: bytes) },
        remove: { path throws(FileError) in try DurableFile.remove(path) },
        removeStale: { path in
            (try? DurableFile.removeStaleTemporaries(of: path, olderThan: staleAfterSeconds)) ?? []
        })
}

/// A copy that may be used now: its secrets, when it was written, how old it is.
public struct UsableFallbackCopy: Sendable, Equatable {
    public var secrets: [String: String]
    public var writtenAt: UInt64
    public var age: Double
}

/// The encrypted last-known-good copy at one path, for one request (`--fallback PATH`).
///
/// Reads, writes and deletes go through `files`; the time through `clock`. Writes happen only
/// when the data differs from what the file holds (or the copy is due a refresh), and never
/// with `--fallback-readonly`. Failures to write or delete are one warning, never fatal.
public final class FallbackStore: Sendable {
    public let settings: Configuration.Fallback
    public let binding: FallbackBinding
    private let token: Secret
    private let files: FallbackFiles
    private let clock: @Sendable () -> Double
    private let random: @Sendable (Int) throws(FallbackCrypto.Failure) -> [UInt8]
    /// What the file holds and the token it is sealed with, once read or written (nil inside: no
    /// usable copy). Saves re-reading it for every changed `--watch` poll.
    private let held = Locked<Held??>(nil)
    private struct Held: Sendable {
        var contents: FallbackContents
        var token: Secret
    }
    /// A failing write warns once per run, then only with `-v`.
    private let warnedAboutWriting = Locked(false)

    public init(
        settings: Configuration.Fallback, binding: FallbackBinding, token: Secret, files: FallbackFiles = .live,
        clock: @escaping @Sendable () -> Double = { Platform.wallClock() },
        random: @escaping @Sendable (Int) throws(FallbackCrypto.Failure) -> [UInt8] = FallbackCrypto.randomBytes
    ) {
        self.settings = settings
        self.binding = binding
        self.token = token
        self.files = files
        self.clock = clock
        self.random = random
    }

    public var path: String { settings.path }

    /// The copy, if it may be used now: present, readable, opening with this token and binding,
    /// and no older than `--fallback-max-age`. The one entry point for "start from the copy".
    public func loadUsableCopy() throws(FallbackUnusable) -> UsableFallbackCopy {
        let contents: FallbackContents
        contents = try readContents()
        let age = FallbackPolicy.age(of: contents, now: clock())
        if let limit = settings.maxAge, !FallbackPolicy.isFresh(age: age, maxAge: limit) {
            throw FallbackUnusable(path: path, reason: .tooOld(age: age, limit: limit))
        }
        return UsableFallbackCopy(secrets: contents.secrets, writtenAt: contents.writtenAt, age: age)
    }

    /// After a successful fetch: writes `secrets` when they differ from the copy's, when the copy
    /// is due a refresh, or when it is sealed with another token than `token` (the token the
    /// answer came with: a rotated token file's newest; the start-up token when nil). A write that
    /// fails is a warning; the command runs anyway.
    public func keep(_ secrets: [String: String], token: Secret? = nil, logger: Logger) {
        guard !settings.readOnly else { return }
        let token = token ?? self.token
        let current: FallbackContents?
        if let remembered = held.withLock({ $0 }) {
            current = remembered.flatMap { $0.token == token ? $0.contents : nil }
        } else {
            current = readMatching(secrets, token: token)
        }
        let now = clock()
        guard FallbackPolicy.shouldWrite(fetched: secrets, held: current, now: now, maxAge: settings.maxAge) else {
            logger.debug("the fallback copy \(path) is up to date")
            return
        }
        let writtenAt = UInt64(max(0, now.rounded(.down)))
        do {
            let bytes = try FallbackEnvelope.seal(
                secrets, binding: binding, token: token, writtenAt: writtenAt, random: random)
            try files.replace(path, bytes)
            held.withLock {
                $0 = .some(Held(contents: FallbackContents(secrets: secrets, writtenAt: writtenAt), token: token))
            }
            logger.debug("wrote the fallback copy \(path) (\(secrets.count) \(secrets.count == 1 ? "key" : "keys"))")
            for stale in files.removeStale(path) { logger.debug("removed \(stale), left by an interrupted write") }
        } catch let error as FileError {
            warnWrite("cannot write the fallback copy \(path) (\(error)); the command runs without updating it", logger)
        } catch {
            warnWrite("cannot write the fallback copy \(path): \(FallbackUnusable.cryptoText(error))", logger)
        }
    }

    /// After a 401, 403 or 404: removes the copy (not with `--fallback-readonly`), so a revoked
    /// token cannot bring old secrets back.
    public func delete(because error: FetchError, logger: Logger) {
        held.withLock { $0 = .some(nil) }
        guard !settings.readOnly else { return }
        do {
            if try files.remove(path) {
                logger.warning("deleted the fallback copy \(path): the API refused this request (\(error.statusText))")
            }
        } catch {
            logger.warning("cannot delete the fallback copy \(path) (\(error))")
        }
    }

    /// The file's contents when it opens with this token and binding (any age); remembered.
    private func readContents() throws(FallbackUnusable) -> FallbackContents {
        do {
            let contents = try readAndOpen()
            held.withLock { $0 = .some(Held(contents: contents, token: token)) }
            return contents
        } catch {
            held.withLock { $0 = .some(nil) }
            throw FallbackUnusable(path: path, reason: error)
        }
    }

    private func readAndOpen() throws(FallbackUnusable.Reason) -> FallbackContents {
        let bytes = try readBytes()
        do {
            return try FallbackEnvelope.open(bytes, binding: binding, token: token)
        } catch {
            throw .opened(error)
        }
    }

    private func readBytes() throws(FallbackUnusable.Reason) -> [UInt8] {
        let bytes: [UInt8]?
        do {
            bytes = try files.read(path)
        } catch {
            throw .unreadable(error)
        }
        guard let bytes else { throw .missing }
        return bytes
    }

    /// What the file holds when it is a copy of exactly `secrets` sealed with `token`, else nil:
    /// found by checking the decrypted bytes against `secrets` in one pass, which costs a
    /// fraction of parsing them or encoding `secrets` (an unchanged start's work). Remembered
    /// either way.
    private func readMatching(_ secrets: [String: String], token: Secret) -> FallbackContents? {
        guard let bytes = try? readBytes(),
            var opened = try? FallbackEnvelope.openPlaintext(bytes, binding: binding, token: token)
        else {
            held.withLock { $0 = .some(nil) }
            return nil
        }
        defer { FallbackCrypto.wipe(&opened.plaintext) }
        let matching =
            FallbackEnvelope.holds(secrets, plaintext: opened.plaintext)
            ? FallbackContents(secrets: secrets, writtenAt: opened.writtenAt) : nil
        held.withLock { $0 = .some(matching.map { Held(contents: $0, token: token) }) }
        return matching
    }

    private func warnWrite(_ message: String, _ logger: Logger) {
        let first = warnedAboutWriting.withLock { warned -> Bool in
            defer { warned = true }
            return !warned
        }
        if first { logger.warning(message) } else { logger.debug(message) }
    }
}

extension FallbackUnusable {
    /// A crypto failure while writing, in words.
    static func cryptoText(_ error: any Error) -> String {
        switch error as? FallbackCrypto.Failure {
        case .unavailable: return "this build of soup-run has no libcrypto (OpenSSL)"
        case .some: return "libcrypto failed to encrypt it"
        case nil: return "\(error)"
        }
    }
}

extension FetchError {
    /// `HTTP 401` and the like, for the message that says why the copy was deleted.
    var statusText: String {
        switch self {
        case .permission(let status, _): return "HTTP \(status)"
        case .notFound: return "HTTP 404"
        case .forbidden: return "HTTP 403"
        case .gaveUp(_, let last): return last.statusText
        default: return "\(self)"
        }
    }
}
