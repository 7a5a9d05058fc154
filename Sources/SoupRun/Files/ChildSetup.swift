/// The files the supervisor writes for the command, and the secrets they were made from.
public struct ChildFiles: Sendable, Equatable {
    public var files: [ChildFile]
    /// The secrets (after `--only`): which keys changed is told from these, since with files the
    /// environment holds paths (or nothing) instead of values. Empty when there are no files.
    public var secrets: [String: String]

    public init(files: [ChildFile], secrets: [String: String]) {
        self.files = files
        self.secrets = secrets
    }

    /// No files: the supervisor only manages the environment.
    public static let none = ChildFiles(files: [], secrets: [:])

    /// The files of `new` whose path is new or whose bytes differ from this set's.
    public func changed(in new: ChildFiles) -> [ChildFile] {
        new.files.filter { file in !files.contains(file) }
    }
}

/// Builds what the command starts with from one set of secrets: its environment (the one-shot
/// mode's merge) and the files of `--file`, `--mount` and `--template`. Pure: the start and every
/// poll build through the same value, so a poll's result compares with the running one.
public struct ChildSetupBuilder: Sendable {
    public let configuration: Configuration
    public let inherited: [String: String]
    public let outputs: SecretOutputs
    /// Where `--file KEY` without a path writes; nil when none needs it.
    public let privateDirectory: String?

    public init(
        configuration: Configuration, inherited: [String: String], outputs: SecretOutputs = .none,
        privateDirectory: String? = nil
    ) {
        self.configuration = configuration
        self.inherited = inherited
        self.outputs = outputs
        self.privateDirectory = privateDirectory
    }

    /// The variable `--mount` sets to the file's absolute path.
    public static let mountVariable = "SOUP_SECRETS_FILE"

    /// The command's environment, its files and the merge's warnings, for `secrets`.
    /// `--only` applies first; with `--mount` no value is injected; a `--file` key's variable
    /// holds the file's path instead of its value (and `--preserve-env` still lets an inherited
    /// variable win, as for any secret).
    public func build(_ secrets: [String: String]) throws(SetupError) -> (merge: MergeResult, files: ChildFiles) {
        let selected: [String: String]
        do {
            selected = try EnvironmentMerge.selectedSecrets(secrets, configuration: configuration)
        } catch {
            throw .merge(error)
        }
        guard !outputs.isEmpty else { return (try merge(selected), .none) }
        let rendered: SecretOutputs.Rendered
        do {
            rendered = try outputs.render(selected, privateDirectory: privateDirectory)
        } catch {
            throw .files(error)
        }
        var injected = outputs.mount == nil ? selected : [:]
        injected.merge(rendered.pathVariables) { $1 }
        var merged = try merge(injected)
        if let mount = outputs.mount { merged.environment[Self.mountVariable] = mount.path }
        return (merged, ChildFiles(files: rendered.files, secrets: selected))
    }

    /// The merge of already selected secrets (`--only` has been applied).
    private func merge(_ selected: [String: String]) throws(SetupError) -> MergeResult {
        var unfiltered = configuration
        unfiltered.only = nil
        do {
            return try EnvironmentMerge.merge(inherited: inherited, secrets: selected, configuration: unfiltered)
        } catch {
            throw .merge(error)
        }
    }

    /// A set of secrets that cannot make the command's setup: its merge or its files fail.
    public enum SetupError: SoupRunFailure, Equatable {
        case merge(MergeError)
        case files(SecretFilesError)

        public var exitCode: ExitCode {
            switch self {
            case .merge(let error): return error.exitCode
            case .files(let error): return error.exitCode
            }
        }

        public var description: String {
            switch self {
            case .merge(let error): return error.description
            case .files(let error): return error.description
            }
        }
    }
}
