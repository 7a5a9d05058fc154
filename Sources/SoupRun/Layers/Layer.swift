/// One source of secrets in the pipeline: an API environment (`--also`, the operands), a
/// dotenv file (`--env-file`), or the API environments together under the files. Each layer has its own fetch, its own change detection (an ETag,
/// a file stamp) and its own errors; `LayerStack` combines them.
public struct Layer: Sendable {
    public enum Source: Sendable {
        /// An API environment: the start-up fetch with retries, then conditional polls.
        case api(any SecretsSource<FetchError>)
        /// A dotenv file; `optional`: a missing file is an empty layer.
        case envFile(path: String, optional: Bool)
        /// The API environments together (a `LayerStack` of them, possibly through the fallback
        /// copy), under the env files; its errors already name their layer.
        case stack(any SecretsSource<LayerError>)
    }

    /// How the user named it: `--also shared/prod`, `my-app/prod`, `--env-file .env`.
    public var name: String
    /// Whether errors name the layer (not when the operands' environment is the only layer, so
    /// a plain run's messages stay as they are).
    public var namedInErrors: Bool
    public var source: Source

    public init(name: String, namedInErrors: Bool = true, source: Source) {
        self.name = name
        self.namedInErrors = namedInErrors
        self.source = source
    }

    /// What a layer gave last: its secrets and what tells whether they changed.
    struct Snapshot: Sendable, Equatable {
        var secrets: SecretSet
        var etag: String? = nil
        /// nil for an API layer, and for an optional file that is absent.
        var stamp: FileStamp? = nil
    }

    /// The start-up read: an API layer's fetch with retries, a file's first read.
    func load(files: EnvFileAccess) throws(LayerError) -> Snapshot {
        try startUp(files: files).snapshot
    }

    /// `load`, also with how long a rate limit last made an API layer wait (nil: it never did).
    func startUp(files: EnvFileAccess) throws(LayerError) -> (snapshot: Snapshot, rateLimitWait: Double?) {
        switch source {
        case .api(let client):
            do {
                let fetched = try client.startUpSetFetch()
                return (Snapshot(secrets: fetched.secrets, etag: fetched.etag), fetched.rateLimitWait)
            } catch {
                throw failure(.fetch(error))
            }
        case .envFile(let path, let optional):
            return (try read(path: path, optional: optional, files: files, stamp: stamp(path, files: files)), nil)
        case .stack(let source):
            let fetched = try source.startUpSetFetch()
            return (Snapshot(secrets: fetched.secrets, etag: fetched.etag), fetched.rateLimitWait)
        }
    }

    /// One poll: nil when the layer is unchanged since `last` (304, or the same file stamp).
    func refresh(from last: Snapshot, files: EnvFileAccess) throws(LayerError) -> Snapshot? {
        switch source {
        case .api(let client):
            do {
                switch try client.fetch(ifNoneMatch: last.etag) {
                case .notModified: return nil
                case .secrets(let secrets, let etag): return Snapshot(secrets: SecretSet(secrets), etag: etag)
                }
            } catch {
                throw failure(.fetch(error))
            }
        case .envFile(let path, let optional):
            let stamp = try self.stamp(path, files: files)
            // The stamp before the read: a write between the two shows up as a change next time.
            if stamp == last.stamp { return nil }
            return try read(path: path, optional: optional, files: files, stamp: stamp)
        case .stack(let source):
            switch try source.fetch(ifNoneMatch: last.etag) {
            case .notModified: return nil
            case .secrets(let secrets, let etag): return Snapshot(secrets: SecretSet(secrets), etag: etag)
            }
        }
    }

    /// The file's variables; `stamp` was taken just before (nil: the file does not exist).
    private func read(
        path: String, optional: Bool, files: EnvFileAccess, stamp: FileStamp?
    ) throws(LayerError) -> Snapshot {
        guard let stamp else {
            if optional { return Snapshot(secrets: [:]) }
            throw failure(.missingFile)
        }
        let bytes: [UInt8]
        do {
            bytes = try files.read(path, EnvFileAccess.maxBytes + 1)
        } catch {
            throw failure(.unreadableFile(error.reason))
        }
        if bytes.count > EnvFileAccess.maxBytes { throw failure(.fileTooLarge(limit: EnvFileAccess.maxBytes)) }
        do {
            return Snapshot(secrets: SecretSet(try DotenvParser.parse(bytes)), stamp: stamp)
        } catch {
            throw failure(.syntax(error))
        }
    }

    private func stamp(_ path: String, files: EnvFileAccess) throws(LayerError) -> FileStamp? {
        do {
            return try files.stamp(path)
        } catch {
            throw failure(.unreadableFile(error.reason))
        }
    }

    private func failure(_ cause: LayerError.Cause) -> LayerError {
        LayerError(layer: namedInErrors ? name : nil, cause: cause)
    }
}

/// How env files are read: `Platform` in the binary, an in-memory table in tests.
public struct EnvFileAccess: Sendable {
    /// Env files larger than this are refused: the same cap as an API response.
    public static let maxBytes = SecretsDocument.maxBytes

    /// The file's stamp, or nil when it does not exist.
    var stamp: @Sendable (String) throws(Platform.FileError) -> FileStamp?
    /// At most `limit` bytes of the file.
    var read: @Sendable (String, Int) throws(Platform.FileError) -> [UInt8]

    public init(
        stamp: @escaping @Sendable (String) throws(Platform.FileError) -> FileStamp?,
        read: @escaping @Sendable (String, Int) throws(Platform.FileError) -> [UInt8]
    ) {
        self.stamp = stamp
        self.read = read
    }

    public static let live = EnvFileAccess(
        stamp: { path throws(Platform.FileError) in try Platform.fileStamp(path) },
        read: { path, limit throws(Platform.FileError) in try Platform.readFile(path, limit: limit) })
}
