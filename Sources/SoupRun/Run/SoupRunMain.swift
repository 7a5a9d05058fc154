/// The story of the program: parse, load the token, fetch, merge, then export, exec, or (with
/// `--watch`, `--file`, `--mount` or `--template`) supervise.
///
/// Data flows one way: argv + environment → `Invocation` → token → secrets → merged environment
/// → `--export` output, `execve` or the `--watch` supervisor. Every failure ends here as one line on stderr,
/// `soup-run: error: <message>`, and its exit code (`failure(_:logger:)`).
public enum SoupRunMain {
    /// Runs soup-run; returns the exit code (the command's own once it runs, since exec replaces us).
    /// - Parameters:
    ///   - arguments: argv without argv[0].
    ///   - environment: soup-run's environment, inherited by the command.
    public static func run(arguments: [String], environment: [String: String]) -> Int32 {
        // Before anything that can wait (the fetch retries for up to a minute): as PID 1 a
        // TERM left at its default action would be dropped. Not in `run(...effects:)`, which
        // tests call in-process.
        ExitOnSignal.install()
        // A developer who sets SWIFT_BACKTRACE keeps the runtime's crash backtraces.
        if environment["SWIFT_BACKTRACE"] == nil { ExitOnSignal.restoreFaultDefaults() }
        // First, before the token is read: no core dump and no /proc/PID/{environ,mem} for our
        // own uid (the command under --watch runs as that uid).
        TokenProtection.makeUndumpable()
        // Not for soup-run's own connection: libcurl's TLS backend would write the session keys
        // of the token's connection there. The command still gets it (`environment` is a copy).
        for name in CurlTransport.ignoredVariables { Platform.removeFromOwnEnvironment(name) }
        return run(arguments: arguments, environment: environment, effects: .live)
    }

    static func run(arguments: [String], environment: [String: String], effects: RunEffects) -> Int32 {
        let invocation: Invocation
        do {
            invocation = try CommandLineParser.parse(arguments, environment: environment)
        } catch {
            // Before parsing there is no verbosity: errors print at every level anyway.
            let logger = Logger(verbosity: .normal) { effects.writeError($0) }
            let code = failure(error, logger: logger)
            if let hint = error.hint { effects.writeError("soup-run: \(hint)\n") }
            return code
        }
        switch invocation {
        case .help:
            return print(HelpText.text(version: SoupRunVersion.string), effects)
        case .version:
            return print("soup-run \(SoupRunVersion.string)\n", effects)
        case .completions(let shell):
            return print(Completions.script(for: shell), effects)
        case .manPage:
            return print(ManPage.text(version: SoupRunVersion.string), effects)
        case .run(let configuration):
            let logger = Logger(verbosity: configuration.verbosity) { effects.writeError($0) }
            do {
                return try launch(configuration, environment: environment, effects: effects, logger: logger)
            } catch let error as any SoupRunFailure {
                return failure(error, logger: logger)
            } catch {
                // Every error thrown below is a SoupRunFailure; this keeps the mapping total.
                logger.error("\(error)")
                return ExitCode.unavailable.rawValue
            }
        }
    }

    /// Fetches and merges, then exports or execs. Returns only with an exit code (exec failed,
    /// or `--export` finished); throws the failures that `run` reports.
    private static func launch(
        _ configuration: Configuration, environment: [String: String], effects: RunEffects, logger: Logger
    ) throws -> Int32 {
        let token = try TokenLoader.load(configuration.token, readFile: effects.readFile)
        // Before the fetch and for the supervisor's whole life: `ps` shows `--token ***`.
        effects.conceal(token)
        var tokenFile: (path: String, stamp: FileStamp?)? = nil
        if case .file(let path) = configuration.token {
            let stamp = effects.fileStamp(path)
            tokenFile = (path, stamp)
            if let stamp, let warning = TokenLoader.permissionWarning(path: path, permissions: stamp.permissions) {
                logger.warning(warning)
            }
        }
        // The operands' environment and the `--also` environments: one source, their GETs
        // together on one transport (one connection where the server allows it).
        let transport = effects.makeTransport(environment)
        // A response whose secrets cannot fit in exec is refused while it is read (not --export).
        var budget: ExecBudget? = nil
        if case .run(let command) = configuration.mode {
            budget = ExecBudget(
                command: command, inherited: environment, configuration: configuration, limit: effects.argMax)
        }
        let makeEnvironments: @Sendable (Secret) -> LayerStack = { [budget] token in
            LayerStack.environments(
                configuration: configuration, token: token, transport: transport, logger: logger, budget: budget,
                sleep: effects.sleep)
        }
        let environments = makeEnvironments(token)
        // --fallback: the same fetch, through the copy (kept on success, used when the API is
        // down). It wraps the API environments only, so it holds what the API returned and
        // never an env file's value; the env files go on top of it (or of the copy) below.
        let binding = FallbackBinding(configuration, layers: environments.layers.map(\.name))
        let store = configuration.fallback.map { settings in
            FallbackStore(settings: settings, binding: binding, token: token, files: effects.fallbackFiles)
        }
        func throughCopy<Source: SecretsSource>(_ source: Source) -> any SecretsSource<LayerError>
        where Source.Failure == LayerError {
            guard let store else { return source }
            return FallbackSource(upstream: source, store: store, logger: logger)
        }
        let supervising = !StayReasons(configuration).isEmpty
        let api: any SecretsSource<LayerError>
        if supervising, let file = tokenFile {
            // Under the supervisor a token file is re-read when it changes; --fallback wraps
            // the rotating source.
            api = throughCopy(
                TokenFileSource(
                    path: file.path, token: token, stamp: file.stamp, makeClient: makeEnvironments,
                    readFile: effects.readFile, fileStamp: effects.fileStamp, logger: logger))
        } else {
            api = throughCopy(environments)
        }
        let layers = LayerStack.withEnvFiles(
            over: api, configuration: configuration, files: effects.envFiles, logger: logger)

        if supervising, case .run(let command) = configuration.mode {
            // --watch or files: supervise the command instead of exec'ing it (the parser refuses
            // both with --export). WatchMode's start-up fetch is `layers.fetchWithETag()`, whose
            // clients also give the plain-http warning.
            return WatchMode.run(
                configuration: configuration, command: command, inherited: environment, source: layers, logger: logger)
        }

        switch configuration.mode {
        case .export(let format):
            // A SecretSet from the body to the output, written in chunks: --export of a body of
            // a million tiny keys stays within about twice the body (no dictionary, no whole text).
            let secrets = try layers.startUpSetFetch().secrets
            let selected = try EnvironmentMerge.selectedSecrets(secrets, configuration: configuration)
            guard ExportFormatter.write(selected, as: format, to: effects.writeOutput) else {
                throw RunError.cannotWriteOutput
            }
            return ExitCode.success.rawValue
        case .run(let command):
            let secrets = try layers.fetchWithETag().secrets
            let merged = try EnvironmentMerge.merge(
                inherited: environment, secrets: secrets, configuration: configuration)
            for warning in merged.warnings { logger.warning(warning) }
            logger.debug("exec \(command.first ?? "") with \(merged.environment.count) environment variables")
            let error = effects.exec(command, merged.environment)
            throw ExplainedExecError(error, command: command, secrets: secrets, environment: merged.environment)
        }
    }

    /// The one place a failure becomes output and an exit code.
    static func failure(_ error: any SoupRunFailure, logger: Logger) -> Int32 {
        logger.error(error.description)
        return error.exitCode.rawValue
    }

    private static func print(_ text: String, _ effects: RunEffects) -> Int32 {
        effects.writeOutput(text)
            ? ExitCode.success.rawValue
            : failure(RunError.cannotWriteOutput, logger: Logger(verbosity: .normal) { effects.writeError($0) })
    }
}
