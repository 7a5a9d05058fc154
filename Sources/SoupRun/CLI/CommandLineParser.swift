/// Turns argv and the environment into an `Invocation`. Pure: no file is read, nothing printed.
///
/// Precedence: flags win over environment variables; an empty variable counts as unset. Errors
/// come in a fixed order: usage errors (64) before configuration errors (78).
public enum CommandLineParser {
    /// Parses `arguments` (argv WITHOUT argv[0]) with `environment` (the process environment).
    public static func parse(_ arguments: [String], environment: [String: String]) throws(ParseFailure) -> Invocation {
        // Not in the option table: a maintainer's generator, neither in --help nor completed.
        if arguments == ["--man"] { return .manPage }
        let scanned: ArgumentScanner.Scanned
        do {
            switch try ArgumentScanner.scan(arguments) {
            case .immediate(let option): return try immediate(option)
            case .scanned(let s): scanned = s
            }
        } catch {
            throw .usage(missingDashDash(error, environment: ParserEnvironment(environment)))
        }
        let draft: ParsedOptions
        do {
            draft = try ParsedOptions(scanned.options)
            try draft.checkCombinations()
        } catch {
            throw .usage(error)
        }
        return .run(try draft.configuration(scanned, environment: ParserEnvironment(environment)))
    }

    /// `soup-run sh -c ...` with the operands in the environment: `sh` became the project and
    /// `-c` an unknown option. Say that `--` makes `sh` the command.
    static func missingDashDash(_ error: UsageError, environment: ParserEnvironment) -> UsageError {
        guard case .unknownOption(let option, .none, let operand?) = error.reason,
            environment["SOUP_PROJECT"] != nil, environment["SOUP_ENVIRONMENT"] != nil
        else { return error }
        return UsageError(.unknownOptionAfterCommand(option, command: operand))
    }

    private static func immediate(_ option: ArgumentScanner.Option) throws(UsageError) -> Invocation {
        switch option.spec.id {
        case .help: return .help
        case .version: return .version
        default:
            let value = option.value ?? ""
            guard let shell = Shell(rawValue: value) else {
                throw UsageError(.invalidValue(flag: option.spec.long, value: value, expected: "bash, zsh or fish"))
            }
            return .completions(shell)
        }
    }
}

/// The process environment as the parser reads it: empty values count as unset.
struct ParserEnvironment {
    let values: [String: String]
    init(_ values: [String: String]) { self.values = values }
    subscript(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }
}

/// The options' values after the first pass, before operands, environment and token are resolved.
struct ParsedOptions {
    var apiURL: String? = nil
    /// Token flags as given; the last of each kind wins.
    var token: String? = nil
    var tokenFile: String? = nil
    var resolve = true
    var only: [String]? = nil
    var preserve: Configuration.Preserve = .none
    var pristine = false
    var keepToken = false
    var also: [Configuration.EnvironmentName] = []
    var envFiles: [Configuration.EnvFile] = []
    var timeout: Double = 10
    var retries = 3
    var maxWait: Double = 120
    var export = false
    var format: Configuration.ExportFormat? = nil
    var watch = false
    var watchSettings = Configuration.Watch()
    /// Watch-only flags in the order given, to name the first one in an error.
    var watchOnlyFlags: [String] = []
    var files = Configuration.Files()
    var mountPath: String? = nil
    var mountFormat: Configuration.ExportFormat? = nil
    /// `--file`, `--mount` and `--template` in the order given, to name the first one in an error.
    var fileFlags: [String] = []
    var reloadGiven = false
    var mask = false
    var maskMinimumLength: Int? = nil
    var quiet = false
    var verbose = false
    var fallbackPath: String? = nil
    var fallbackMaxAge: Double? = nil
    var fallbackReadOnly = false
    var offline = false

    init(_ options: [ArgumentScanner.Option]) throws(UsageError) {
        for option in options {
            let flag = option.spec.long
            let value = option.value ?? ""
            if option.spec.isWatchOnly { watchOnlyFlags.append(flag) }
            switch option.spec.id {
            case .apiURL: apiURL = value
            case .token:
                if let problem = TokenLoader.problem(in: value) {
                    throw UsageError(.invalidSecretValue(flag: flag, problem: problem))
                }
                token = value
            case .tokenFile: tokenFile = value
            case .noResolve: resolve = false
            case .only: only = Self.appending(try OptionValues.keys(value, flag: flag), to: only ?? [])
            case .preserveEnv:
                switch (preserve, option.value) {
                case (.all, _), (_, nil): preserve = .all
                case (.none, let list?): preserve = .keys(try OptionValues.keys(list, flag: flag))
                case (.keys(let old), let list?):
                    preserve = .keys(Self.appending(try OptionValues.keys(list, flag: flag), to: old))
                }
            case .pristine: pristine = true
            case .keepToken: keepToken = true
            case .also: also.append(try Configuration.EnvironmentName.parse(value, flag: flag))
            case .envFile: envFiles.append(Configuration.EnvFile(path: value))
            case .envFileOptional: envFiles.append(Configuration.EnvFile(path: value, optional: true))
            case .timeout: timeout = try OptionValues.seconds(value, flag: flag, above: 0, max: 3600)
            case .retries: retries = try OptionValues.integer(value, flag: flag, range: 0...100)
            case .maxWait: maxWait = try DurationText.seconds(value, flag: flag, max: 86400)
            case .export: export = true
            case .format: format = try Self.exportFormat(value, flag: flag)
            case .watch: watch = true
            case .interval:
                watchSettings.interval = try OptionValues.seconds(value, flag: flag, atLeast: 0.1, max: 86400)
            case .stopSignal: watchSettings.stopSignal = try SignalName.parse(value)
            case .stopTimeout:
                watchSettings.stopTimeout = try OptionValues.seconds(value, flag: flag, atLeast: 0, max: 3600)
            case .splay: watchSettings.splay = try OptionValues.seconds(value, flag: flag, atLeast: 0, max: 3600)
            case .fallback:
                if value.isEmpty { throw UsageError(.emptyValue(flag: flag)) }
                fallbackPath = value
            case .fallbackMaxAge: fallbackMaxAge = try OptionValues.duration(value, flag: flag)
            case .fallbackReadonly: fallbackReadOnly = true
            case .offline: offline = true
            case .file:
                files.files.append(try OptionValues.fileRequest(value, flag: flag, after: files.files))
                fileFlags.append(flag)
            case .mount:
                mountPath = value
                fileFlags.append(flag)
            case .mountFormat: mountFormat = try Self.exportFormat(value, flag: flag)
            case .template:
                files.templates.append(try OptionValues.templateRequest(value, flag: flag))
                fileFlags.append(flag)
            case .reloadSignal:
                files.reload = try ReloadSignal.parse(value)
                reloadGiven = true
            case .mask: mask = true
            case .maskMinLength: maskMinimumLength = try OptionValues.integer(value, flag: flag, range: 1...4096)
            case .quiet: quiet = true
            case .verbose: verbose = true
            case .help, .version, .completions: break  // handled by the scanner
            }
        }
    }

    /// Flags that contradict each other, or mean nothing without another.
    func checkCombinations() throws(UsageError) {
        if quiet && verbose { throw UsageError(.conflict("--quiet", "--verbose")) }
        if token != nil && tokenFile != nil { throw UsageError(.tokenAndTokenFile("--token", "--token-file")) }
        if format != nil && !export { throw UsageError(.requires(flag: "--format", other: "--export")) }
        if watch && export { throw UsageError(.conflict("--watch", "--export")) }
        if pristine && preserve == .all { throw UsageError(.pristineWithPreserveAll) }
        if !watch, let first = watchOnlyFlags.first { throw UsageError(.requires(flag: first, other: "--watch")) }
        if offline && watch { throw UsageError(.conflict("--offline", "--watch")) }
        if mountFormat != nil && mountPath == nil {
            throw UsageError(.requires(flag: "--mount-format", other: "--mount"))
        }
        if export, let first = fileFlags.first { throw UsageError(.conflict("--export", first)) }
        if mask && export { throw UsageError(.conflict("--mask", "--export")) }
        if reloadGiven && fileFlags.isEmpty {
            throw UsageError(.requires(flag: "--reload-signal", other: "--file, --mount or --template"))
        }
    }

    static func exportFormat(_ value: String, flag: String) throws(UsageError) -> Configuration.ExportFormat {
        guard let format = Configuration.ExportFormat(rawValue: value) else {
            let expected = OptionValues.alternatives(Configuration.ExportFormat.allCases.map(\.rawValue))
            throw UsageError(.invalidValue(flag: flag, value: value, expected: expected))
        }
        return format
    }

    /// `--fallback` or `SOUP_FALLBACK_FILE` with its companions; they mean nothing without a path.
    func fallback(_ environment: ParserEnvironment) throws(UsageError) -> Configuration.Fallback? {
        guard let path = fallbackPath ?? environment["SOUP_FALLBACK_FILE"] else {
            let companions = [
                (offline, "--offline"), (fallbackMaxAge != nil, "--fallback-max-age"),
                (fallbackReadOnly, "--fallback-readonly"),
            ]
            if let first = companions.first(where: { $0.0 }) {
                throw UsageError(.requires(flag: first.1, other: "--fallback (or SOUP_FALLBACK_FILE)"))
            }
            return nil
        }
        var fallback = Configuration.Fallback(path: path)
        fallback.maxAge = fallbackMaxAge
        fallback.readOnly = fallbackReadOnly
        fallback.offline = offline
        return fallback
    }

    /// Resolves operands, command, token and API URL, and builds the configuration.
    func configuration(_ scanned: ArgumentScanner.Scanned, environment: ParserEnvironment) throws(ParseFailure)
        -> Configuration
    {
        let project: String
        let environmentName: String
        let mode: Configuration.Mode
        let fallback: Configuration.Fallback?
        let maskSettings: Configuration.Mask?
        do throws(UsageError) {
            (project, environmentName) = try Self.operands(scanned.operands, environment: environment)
            maskSettings = try resolveMask(environment)
            mode = try self.mode(command: scanned.command, project: project, environment: environmentName)
            fallback = try self.fallback(environment)
            if token == nil && tokenFile == nil && environment["SOUP_TOKEN"] != nil
                && environment["SOUP_TOKEN_FILE"] != nil
            {
                throw UsageError(.tokenAndTokenFile("SOUP_TOKEN", "SOUP_TOKEN_FILE"))
            }
        } catch {
            throw .usage(error)
        }
        do {
            let url = try resolveURL(environment)
            let source = try resolveToken(environment)
            var configuration = Configuration(project: project, environment: environmentName, mode: mode, token: source)
            configuration.apiURL = url
            configuration.resolve = resolve
            configuration.only = only
            configuration.preserve = preserve
            configuration.pristine = pristine
            configuration.keepToken = keepToken
            configuration.also = also
            configuration.envFiles = envFiles
            configuration.timeout = timeout
            configuration.retries = retries
            configuration.maxWait = maxWait
            configuration.verbosity = quiet ? .quiet : verbose ? .verbose : .normal
            configuration.watch = watch ? watchSettings : nil
            configuration.fallback = fallback
            configuration.files = files
            configuration.mask = maskSettings
            configuration.files.mount = mountPath.map {
                Configuration.Files.Mount(
                    path: $0, format: mountFormat ?? Configuration.Files.Mount.defaultFormat(for: $0))
            }
            return configuration
        } catch {
            throw .configuration(error)
        }
    }

    /// `--mask` or `SOUP_MASK=1` (`0` turns it off; the variable is ignored with `--export`, so a
    /// CI job can set it for every step); `--mask-min-length` needs one of them.
    func resolveMask(_ environment: ParserEnvironment) throws(UsageError) -> Configuration.Mask? {
        var enabled = mask
        if !mask, !export, let value = environment["SOUP_MASK"] {
            switch value {
            case "1": enabled = true
            case "0": enabled = false
            default: throw UsageError(.invalidValue(flag: "SOUP_MASK", value: value, expected: "1 or 0"))
            }
        }
        guard enabled else {
            if maskMinimumLength != nil { throw UsageError(.requires(flag: "--mask-min-length", other: "--mask")) }
            return nil
        }
        return Configuration.Mask(minimumLength: maskMinimumLength ?? MaskPatterns.defaultMinimumLength)
    }

    /// Both operands, or neither and both variables.
    static func operands(_ operands: [String], environment: ParserEnvironment) throws(UsageError) -> (String, String) {
        let pair: (String, String)
        switch operands.count {
        case 2: pair = (operands[0], operands[1])
        case 1: throw UsageError(.missingEnvironmentOperand(project: operands[0]))
        default:
            switch (environment["SOUP_PROJECT"], environment["SOUP_ENVIRONMENT"]) {
            case (let p?, let e?): pair = (p, e)
            case (nil, nil): throw UsageError(.missingOperands)
            case (nil, _): throw UsageError(.missingVariable("SOUP_PROJECT"))
            case (_, nil): throw UsageError(.missingVariable("SOUP_ENVIRONMENT"))
            }
        }
        if pair.0.isEmpty { throw UsageError(.emptyOperand("<project>")) }
        if pair.1.isEmpty { throw UsageError(.emptyOperand("<environment>")) }
        return pair
    }

    func mode(command: [String]?, project: String, environment: String) throws(UsageError) -> Configuration.Mode {
        if export {
            if command != nil { throw UsageError(.commandWithExport) }
            return .export(format ?? .default)
        }
        guard let command, let name = command.first else {
            throw UsageError(.missingCommand(project: project, environment: environment))
        }
        if name.isEmpty { throw UsageError(.emptyCommand) }
        return .run(command: command)
    }

    func resolveURL(_ environment: ParserEnvironment) throws(ConfigurationError) -> String {
        let (text, source) =
            apiURL.map { ($0, "--api-url") }
            ?? environment["SOUP_API_URL"].map { ($0, "SOUP_API_URL") }
            ?? ("https://api.soup.dev/api/v1", "the default")
        do {
            return try APIURL.parse(text).string
        } catch {
            throw ConfigurationError(.invalidAPIURL(url: APIURL.redacted(text), source: source, problem: error.problem))
        }
    }

    /// A flag wins over both variables; the two variables together were rejected before.
    func resolveToken(_ environment: ParserEnvironment) throws(ConfigurationError) -> Configuration.TokenSource {
        if let token { return .literal(Secret(token)) }
        if let tokenFile { return .file(path: tokenFile) }
        if let token = environment["SOUP_TOKEN"] {
            if let problem = TokenLoader.problem(in: token) {
                throw ConfigurationError(.invalidToken(source: "SOUP_TOKEN", problem: problem))
            }
            return .literal(Secret(token))
        }
        if let path = environment["SOUP_TOKEN_FILE"] { return .file(path: path) }
        throw ConfigurationError(.noToken)
    }

    /// `old` followed by the elements of `new` it does not hold yet.
    static func appending(_ new: [String], to old: [String]) -> [String] {
        var result = old
        for key in new where !result.contains(key) { result.append(key) }
        return result
    }
}
