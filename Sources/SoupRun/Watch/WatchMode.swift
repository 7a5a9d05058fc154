/// The supervisor: run the command as a child (`--watch`, `--file`, `--mount`, `--template`; see
/// `StayReasons`), and with `--watch` restart or reload it when its secrets change.
///
/// Start: the one-shot fetch (same retries and exit codes) and the same merge, the files
/// written, then the child in its own process group. Poll (`--watch` only): one conditional fetch
/// per interval (±10%) on a worker thread, the child's environment and files rebuilt by
/// `ChildSetupBuilder` exactly as at start and compared with the running ones: a restart or
/// reload only on a change. See `WatchMachine` for restarts, failures, backoff and signals;
/// `WatchDriver` for the system side.
public enum WatchMode {
    /// Supervises `command` until it exits or soup-run is told to stop; returns the exit code
    /// (the child's code, 128+N for signal N, or soup-run's own code when it cannot start).
    /// Polls only with `--watch`; with `--file`, `--mount` or `--template` it writes the files
    /// before the child starts and removes them (and the private directory) when it ends.
    /// Call from a thread that lives until this returns (the main thread in the binary).
    public static func run(
        configuration: Configuration, command: [String], inherited: [String: String],
        source: some SecretsSource, logger: Logger
    ) -> Int32 {
        let store = ChildFileStore()
        let machine: WatchMachine
        let setup: ChildSetupBuilder
        var firstSecrets: [String: String] = [:]
        do {
            // Paths and templates before the fetch: their mistakes stop soup-run before anything runs.
            let outputs = try prepareOutputs(configuration.files)
            (machine, setup) = try initialMachine(
                configuration: configuration, inherited: inherited, source: source, logger: logger,
                outputs: outputs,
                privateDirectory: { () throws(SecretFilesError) -> String in
                    try store.choosePrivateDirectory(environment: inherited)
                }, fetched: { firstSecrets = $0 })
        } catch {
            store.removeAll()  // nothing is written yet; this only forgets the chosen directory
            logger.error(error.description)
            return error.exitCode.rawValue
        }
        if let warning = ChangeResponse.reloadWarning(configuration.files) { logger.warning(warning) }
        if machine.polling {
            logger.debug("watching for changes every \(Seconds.format(machine.settings.interval)) (±10%)")
        }
        var masking: OutputMasking? = nil
        if let mask = configuration.mask {
            let patterns = MaskSelection.patterns(firstSecrets, configuration, mask, logger)
            // In a terminal the command gets a pty of its own (colours, line editing), masked too.
            let terminal = PseudoTerminal.currentPlan().map(PseudoTerminal.open)
            let started = terminal.map { $0.flatMap { OutputMasking.start(patterns: patterns, terminal: $0) } }
            switch started ?? OutputMasking.start(patterns: patterns) {
            case .success(let started): masking = started
            case .failure(let failure):
                store.removeAll()
                logger.error("cannot set up --mask: \(ExecError.errnoText(failure.errno))")
                return ExitCode.cannotExecute.rawValue
            }
        }
        // Read before the supervisor leaves for "/": every child starts here.
        let directory = Platform.currentDirectory()
        let poll: @Sendable (String?) -> PollResult = { [masking] etag in
            pollOnce(source: source, etag: etag, setup: setup, command: command, directory: directory) { secrets in
                // Before the restart that uses them: a rotated value is masked from its first use.
                masking?.add(MaskSelection.selected(secrets, configuration))
            }
        }
        let driver = WatchDriver(
            machine: machine, command: command, directory: directory, worker: PollWorker(poll: poll), files: store,
            logger: logger, output: masking)
        return driver.run()
    }

    /// The outputs of `files` with paths resolved against the current directory and templates read.
    static func prepareOutputs(_ files: Configuration.Files) throws(StartError) -> SecretOutputs {
        guard !files.isEmpty else { return .none }
        do {
            return try SecretOutputs.prepare(
                files, currentDirectory: Platform.currentDirectory(),
                readFile: { path, limit in try Platform.readFile(path, limit: limit) })
        } catch {
            throw .setup(.files(error))
        }
    }

    /// The start-up fetch (with retries), then the private directory's path if one is needed, then the
    /// child's environment and files, as a machine that will write the files and spawn the first
    /// child with that environment. The fetch's ETag seeds the machine, so the first poll already
    /// sends `If-None-Match` and an unchanged API answers 304.
    static func initialMachine(
        configuration: Configuration, inherited: [String: String], source: some SecretsSource, logger: Logger,
        outputs: SecretOutputs = .none,
        privateDirectory choose: () throws(SecretFilesError) -> String = { () throws(SecretFilesError) -> String in
            throw SecretFilesError.cannotWrite(path: "a private directory", detail: "none can be made here")
        },
        fetched observe: ([String: String]) -> Void = { _ in }
    ) throws(StartError) -> (WatchMachine, ChildSetupBuilder) {
        let settings = configuration.watch ?? Configuration.Watch()
        let fetched: StartUpFetch
        do {
            fetched = try source.startUpFetch()
        } catch {
            throw .fetch(error)
        }
        var privateDirectory: String? = nil
        if outputs.needsPrivateDirectory {
            do {
                privateDirectory = try choose()
            } catch {
                throw .setup(.files(error))
            }
        }
        let setup = ChildSetupBuilder(
            configuration: configuration, inherited: inherited, outputs: outputs, privateDirectory: privateDirectory)
        let built: (merge: MergeResult, files: ChildFiles)
        do {
            built = try setup.build(fetched.secrets)
        } catch {
            throw .setup(error)
        }
        built.merge.warnings.forEach { logger.warning($0) }
        observe(fetched.secrets)
        var machine = WatchMachine(
            settings: settings, environment: built.merge.environment, etag: fetched.etag, files: built.files,
            reload: configuration.files.reload, polling: configuration.watch != nil)
        // A start-up the API held back: the first polls keep to the pace it just allowed.
        if let wait = fetched.rateLimitWait { machine.startRateLimited(retryAfter: wait) }
        return (machine, setup)
    }

    /// Why the supervisor could not start: the one-shot mode's failures, with its exit codes, and
    /// those of the files.
    enum StartError: SoupRunFailure {
        case fetch(any SourceFailure)
        case setup(ChildSetupBuilder.SetupError)

        var exitCode: ExitCode {
            switch self {
            case .fetch(let error): return error.exitCode
            case .setup(let error): return error.exitCode
            }
        }

        var description: String {
            switch self {
            case .fetch(let error): return error.description
            case .setup(let error): return error.description
            }
        }
    }

    /// One poll: fetch, merge as at start, and make sure the command could run with the result.
    /// Anything short of a usable environment is a failure, so it never replaces a good one.
    static func pollOnce(
        source: some SecretsSource, etag: String?, setup: ChildSetupBuilder, command: [String],
        directory: String? = nil, usable: ([String: String]) -> Void = { _ in }
    ) -> PollResult {
        let secrets: [String: String]
        let newTag: String?
        do {
            switch try source.fetch(ifNoneMatch: etag) {
            case .notModified: return .notModified
            case .secrets(let fetched, let tag):
                secrets = fetched
                newTag = tag
            }
        } catch {
            return .failed(error.pollFailure)
        }
        let built: (merge: MergeResult, files: ChildFiles)
        do {
            built = try setup.build(secrets)
        } catch {
            return .failed(PollFailure(state: "merge", message: error.description))
        }
        let environment = built.merge.environment
        if case .failure(let error) = PreparedCommand.prepare(
            command: command, environment: environment, probe: ProcessSystem.probe(from: directory))
        {
            let explained = ExplainedExecError(error, command: command, secrets: secrets, environment: environment)
            return .failed(
                PollFailure(
                    state: "cannot exec", message: "the new secrets would not let the command start: \(explained)"))
        }
        usable(secrets)
        return .environment(environment, etag: newTag, files: built.files)
    }
}
