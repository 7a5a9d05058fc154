/// `soup-run --watch`: run the command as a child and restart it when its environment changes.
///
/// Start: the one-shot fetch (same retries and exit codes) and the same merge, then the child
/// in its own process group. Poll: one conditional fetch per interval (±10%) on a worker
/// thread, the child's environment rebuilt by `EnvironmentMerge` exactly as at start and
/// compared with the running one: a restart only on a change. See `WatchMachine` for restarts,
/// failures, backoff and signals; `WatchDriver` for the system side.
public enum WatchMode {
    /// Supervises `command` until it exits or soup-run is told to stop; returns the exit code
    /// (the child's code, 128+N for signal N, or soup-run's own code when it cannot start).
    /// Call from a thread that lives until this returns (the main thread in the binary).
    public static func run(
        configuration: Configuration, command: [String], inherited: [String: String],
        source: any SecretsSource, logger: Logger
    ) -> Int32 {
        let machine: WatchMachine
        do {
            machine = try initialMachine(
                configuration: configuration, inherited: inherited, source: source, logger: logger)
        } catch {
            logger.error(error.description)
            return error.exitCode.rawValue
        }
        logger.debug("watching for changes every \(Seconds.format(machine.settings.interval)) (±10%)")
        // Read before the supervisor leaves for "/": every child starts here.
        let directory = ProcessSystem.currentDirectory()
        let poll: @Sendable (String?) -> PollResult = { etag in
            pollOnce(
                source: source, etag: etag, configuration: configuration, inherited: inherited, command: command,
                directory: directory)
        }
        let driver = WatchDriver(
            machine: machine, command: command, directory: directory, worker: PollWorker(poll: poll), logger: logger)
        return driver.run()
    }

    /// The start-up fetch (with retries) and merge, as a machine that will spawn the first
    /// child with that environment. The fetch's ETag seeds the machine, so the first poll
    /// already sends `If-None-Match` and an unchanged API answers 304.
    static func initialMachine(
        configuration: Configuration, inherited: [String: String], source: any SecretsSource, logger: Logger
    ) throws(StartError) -> WatchMachine {
        let settings = WatchSettings(configuration.watch ?? Configuration.Watch())
        let fetched: (secrets: [String: String], etag: String?)
        do {
            fetched = try source.fetchWithETag()
        } catch {
            throw .fetch(error)
        }
        let merged: MergeResult
        do {
            merged = try EnvironmentMerge.merge(
                inherited: inherited, secrets: fetched.secrets, configuration: configuration)
        } catch {
            throw .merge(error)
        }
        merged.warnings.forEach { logger.warning($0) }
        return WatchMachine(settings: settings, environment: merged.environment, etag: fetched.etag)
    }

    /// Why the supervisor could not start: the one-shot mode's failures, with its exit codes.
    enum StartError: SoupRunFailure {
        case fetch(FetchError)
        case merge(MergeError)

        var exitCode: ExitCode {
            switch self {
            case .fetch(let error): return error.exitCode
            case .merge(let error): return error.exitCode
            }
        }

        var description: String {
            switch self {
            case .fetch(let error): return error.description
            case .merge(let error): return error.description
            }
        }
    }

    /// One poll: fetch, merge as at start, and make sure the command could run with the result.
    /// Anything short of a usable environment is a failure, so it never replaces a good one.
    static func pollOnce(
        source: any SecretsSource, etag: String?, configuration: Configuration,
        inherited: [String: String], command: [String], directory: String? = nil
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
            return .failed(PollFailure(error))
        }
        let environment: [String: String]
        do {
            environment = try EnvironmentMerge.merge(
                inherited: inherited, secrets: secrets, configuration: configuration
            ).environment
        } catch {
            return .failed(PollFailure(state: "merge", message: error.description))
        }
        if case .failure(let error) = PreparedCommand.prepare(
            command: command, environment: environment, probe: ProcessSystem.probe(from: directory))
        {
            return .failed(
                PollFailure(state: "cannot exec", message: "the new secrets would not let the command start: \(error)"))
        }
        return .environment(environment, etag: newTag)
    }
}
