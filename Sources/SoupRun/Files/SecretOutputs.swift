/// The files `--file`, `--mount` and `--template` ask for, resolved before the fetch (absolute
/// paths, templates read and parsed, so their mistakes stop soup-run before anything runs).
/// `render` turns the secrets into the files and the variables that point at them; it is pure and
/// runs at start and at every poll, so a change is rendered exactly as the start was.
public struct SecretOutputs: Sendable, Equatable {
    /// A parsed `--template` and its absolute DEST.
    public struct TemplateOutput: Sendable, Equatable {
        public var template: SecretTemplate
        public var destination: String
    }

    /// `--file KEY[=PATH]` with PATH absolute; nil: `KEY` in the private directory.
    public private(set) var fileRequests: [Configuration.Files.File] = []
    /// `--mount`, its path absolute.
    public private(set) var mount: Configuration.Files.Mount?
    public private(set) var templates: [TemplateOutput] = []

    /// No outputs: soup-run writes nothing.
    public static let none = SecretOutputs()

    /// Whether a `--file` without PATH needs the private directory.
    public var needsPrivateDirectory: Bool { fileRequests.contains { $0.path == nil } }

    public var isEmpty: Bool { fileRequests.isEmpty && mount == nil && templates.isEmpty }

    /// The largest template file read.
    public static let maxTemplateBytes = 1 << 20

    /// Resolves paths against `currentDirectory`, refuses two outputs with one path, and reads and
    /// parses every template (`readFile` gets the absolute path and returns at most `limit` bytes).
    public static func prepare(
        _ files: Configuration.Files, currentDirectory: String,
        readFile: (_ path: String, _ limit: Int) throws -> [UInt8]
    ) throws(SecretFilesError) -> SecretOutputs {
        var outputs = SecretOutputs()
        var destinations: [String] = []
        // A template's source is never an output: it would be replaced, then removed at the end.
        let sources = Set(files.templates.map { absolutePath($0.source, in: currentDirectory) })
        func claim(_ path: String) throws(SecretFilesError) -> String {
            let absolute = absolutePath(path, in: currentDirectory)
            if sources.contains(absolute) { throw .usage(UsageError(.outputIsTemplate(path: absolute))) }
            if destinations.contains(absolute) { throw .usage(UsageError(.sameDestination(path: absolute))) }
            destinations.append(absolute)
            return absolute
        }
        for file in files.files {
            outputs.fileRequests.append(.init(key: file.key, path: try file.path.map(claim)))
        }
        if let mount = files.mount {
            outputs.mount = .init(path: try claim(mount.path), format: mount.format)
        }
        for request in files.templates {
            let destination = try claim(request.destination)
            let bytes: [UInt8]
            do {
                bytes = try readFile(absolutePath(request.source, in: currentDirectory), maxTemplateBytes + 1)
            } catch {
                throw .template(TemplateError(path: request.source, line: nil, .unreadable(detail: "\(error)")))
            }
            if bytes.count > maxTemplateBytes {
                throw .template(TemplateError(path: request.source, line: nil, .tooLarge(limit: maxTemplateBytes)))
            }
            do {
                outputs.templates.append(
                    TemplateOutput(
                        template: try SecretTemplate.parse(bytes, path: request.source), destination: destination))
            } catch {
                throw .template(error)
            }
        }
        return outputs
    }

    /// What `render` produces: the files, and the variables that replace values by paths.
    public struct Rendered: Sendable, Equatable {
        public var files: [ChildFile] = []
        /// `--file` keys: their variable holds the path instead of the value.
        public var pathVariables: [String: String] = [:]
    }

    /// The files for `secrets` (after `--only`). A `--file` key or template key the secrets lack is
    /// an error naming it (66).
    public func render(_ secrets: [String: String], privateDirectory: String?) throws(SecretFilesError) -> Rendered {
        var rendered = Rendered()
        for request in fileRequests {
            guard let value = secrets[request.key] else { throw .missingKey(request.key) }
            // `needsPrivateDirectory` made the caller create it; "." would only be reached by a caller's bug.
            let path = request.path ?? (privateDirectory ?? ".") + "/" + request.key
            rendered.files.append(ChildFile(path: path, bytes: Array(value.utf8)))
            rendered.pathVariables[request.key] = path
        }
        if let mount {
            rendered.files.append(
                ChildFile(path: mount.path, bytes: Array(ExportFormatter.format(secrets, as: mount.format).utf8)))
        }
        for output in templates {
            do {
                rendered.files.append(ChildFile(path: output.destination, bytes: try output.template.render(secrets)))
            } catch {
                throw .template(error)
            }
        }
        return rendered
    }

    /// `path` made absolute against `directory`, with empty and `.` components removed (`..` is
    /// kept: resolving it without the file system would be wrong across symlinks).
    public static func absolutePath(_ path: String, in directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        let parts = joined.split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }
}

/// A file the supervisor writes for the command: where, and the exact bytes.
public struct ChildFile: Sendable, Equatable {
    public var path: String
    public var bytes: [UInt8]
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// Why the files for the command cannot be made. Names keys, paths and flags, never a value.
public enum SecretFilesError: SoupRunFailure, Equatable {
    /// Two outputs with one path (64).
    case usage(UsageError)
    /// `--file KEY` and the secrets (after `--only`) lack KEY (66).
    case missingKey(String)
    case template(TemplateError)
    /// A file or the private directory could not be created (73); `detail` says why.
    case cannotWrite(path: String, detail: String)

    public var exitCode: ExitCode {
        switch self {
        case .usage(let error): return error.exitCode
        case .missingKey: return .notFound
        case .template(let error): return error.exitCode
        case .cannotWrite: return .cannotCreate
        }
    }

    public var description: String {
        switch self {
        case .usage(let error): return error.description
        case .missingKey(let key): return "--file \(key): this environment has no secret \(key)"
        case .template(let error): return error.description
        case .cannotWrite(let path, let detail): return "cannot write \(path): \(detail)"
        }
    }
}
