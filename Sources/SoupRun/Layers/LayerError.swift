/// Why one layer could not give its secrets: an API environment's fetch failed, or an env file
/// is missing, unreadable or malformed. Names the layer (`in --also shared/prod: ...`), never a value.
public struct LayerError: SourceFailure, Equatable {
    public enum Cause: Sendable, Equatable {
        case fetch(FetchError)
        /// `--env-file` names a file that does not exist (66).
        case missingFile
        /// The file exists but cannot be read; the system's reason (66).
        case unreadableFile(String)
        /// Larger than the API's body limit (65).
        case fileTooLarge(limit: Int)
        /// Not in the dotenv dialect (65).
        case syntax(DotenvError)
    }

    /// The layer as the user named it (`--also shared/prod`, `my-app/prod`, `--env-file .env`),
    /// or nil when it is the only one: then messages are exactly those of a plain fetch.
    public var layer: String?
    public var cause: Cause

    public init(layer: String?, cause: Cause) {
        self.layer = layer
        self.cause = cause
    }

    public var exitCode: ExitCode {
        switch cause {
        case .fetch(let error): return error.exitCode
        case .missingFile, .unreadableFile: return .notFound
        case .fileTooLarge, .syntax: return .invalidData
        }
    }

    public var description: String {
        let text: String
        switch cause {
        case .fetch(let error): text = error.description
        case .missingFile: text = "no such file (--env-file-optional reads a file that may be absent)"
        case .unreadableFile(let reason): text = "cannot read the file: \(reason)"
        case .fileTooLarge(let limit): text = "the file is larger than \(limit / (1 << 20)) MiB"
        case .syntax(let error): text = error.description
        }
        return layer.map { "in \($0): \(text)" } ?? text
    }

    /// One failing poll under `--watch`: each layer's failures are states of their own, so a
    /// layer that keeps failing is logged once, and another layer failing is logged again.
    public var pollFailure: PollFailure {
        let state: String
        var retryAfter: Double? = nil
        var rateLimited = false
        switch cause {
        case .fetch(let error):
            state = PollFailure.state(of: error)
            retryAfter = error.retryAfter
            rateLimited = PollFailure(error).rateLimited
        case .missingFile: state = "missing file"
        case .unreadableFile: state = "unreadable file"
        case .fileTooLarge: state = "file too large"
        case .syntax: state = "syntax"
        }
        return PollFailure(
            state: (layer.map { $0 + ": " } ?? "") + state, message: description, retryAfter: retryAfter,
            rateLimited: rateLimited)
    }
}
