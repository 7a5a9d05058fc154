#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The supervisor as a pure state machine: events in, actions out, time passed in.
///
/// One supervisor for every reason soup-run stays the command's parent (`StayReasons`): with
/// `--watch` it polls; with files (`--file`, `--mount`, `--template`) it writes them before the
/// child starts and, on a change, decides restart, reload or nothing (`ChangeResponse`); without
/// polling it only supervises (signals, exit codes, PID 1), and the driver removes the files.
///
/// It owns every decision (when to poll, whether the environment changed, how to restart,
/// what a signal means, when to exit) and no system call, so it is tested with a fake clock.
/// `WatchDriver` performs the actions and feeds back what happened. One child at a time:
/// a new child is only spawned once the old one is reaped and its process group is empty.
public struct WatchMachine {
    /// What the child is doing.
    public enum Phase: Sendable, Equatable {
        /// A spawn was requested; `.spawned` or `.spawnFailed` comes next.
        case starting
        case running(pid: Int32)
        /// A change arrived; the child keeps running until `at` (the `--splay` delay).
        case restartPending(pid: Int32, at: Double)
        /// Stopping the old child to start a new one, or what is left of its group to exit.
        case stopping(Stop)
        /// TERM or INT was forwarded; waiting for the child, then (`stopping`) for its group.
        case shuttingDown(Shutdown)
        /// An exit action was returned.
        case finished
    }

    /// Stopping a child's process group: the stop signal, up to `killAt` for it to act, then
    /// SIGKILL and up to `killGrace` more. For a restart the next child starts once the group
    /// is empty; with `exitCode` (the child ended, soup-run is leaving) soup-run exits instead.
    public struct Stop: Sendable, Equatable {
        public var pid: Int32
        public var leaderExited = false
        public var killAt: Double
        public var killed = false
        /// After SIGKILL: when to stop waiting for the rest of the group.
        public var giveUpAt: Double? = nil
        /// Exit with this code once the group is empty, rather than start the next child.
        public var exitCode: Int32? = nil
    }

    public struct Shutdown: Sendable, Equatable {
        public var pid: Int32
        public var signal: Int32
        public var killAt: Double
        public var killed = false
        /// Once SIGKILLed: when to stop waiting for a leader that does not die (stuck in the kernel)
        /// and leave with 128+signal, so shutting down is always bounded.
        public var giveUpAt: Double? = nil
    }

    public let settings: Configuration.Watch
    /// False when the supervisor stays only for files: it never polls.
    public let polling: Bool
    /// What a change of files alone does (`--reload-signal`).
    public let reload: Configuration.Files.Reload
    public internal(set) var phase: Phase = .starting
    /// The environment of the running child (or the one being started).
    public internal(set) var runningEnvironment: [String: String]
    /// The newest good environment from the API: what the next child gets.
    public internal(set) var desiredEnvironment: [String: String]
    public internal(set) var etag: String?
    /// How many times a child was started after the first.
    public internal(set) var restarts = 0
    /// The files the running child was started or last reloaded with.
    public internal(set) var runningFiles: ChildFiles
    /// The newest good files (on disk once written): what the next child, or a reload, gets.
    public internal(set) var desiredFiles: ChildFiles
    /// A `.writeFiles` was returned; what to do once it is done.
    var pendingWrite: PendingWrite? = nil

    var pollInFlight = false
    var nextPollAt: Double = 0
    var failures = 0
    /// Polls refused for the rate limit in a row (since the last answer).
    var refusals = 0
    /// How long a rate limit held the start-up back, if it did (`startRateLimited`).
    var startUpWait: Double? = nil
    var failureState: String? = nil
    /// The interval polls keep to: `--interval`, longer while the API refuses for its rate limit.
    public internal(set) var effectiveInterval: Double
    /// Random unit values in [0, 1) for jitter and splay (a fixed sequence in tests).
    var unitRandom: () -> Double

    /// - Parameters:
    ///   - files: the files the first child gets, written before it starts.
    ///   - polling: false when soup-run stays only for files (no `--watch`).
    public init(
        settings: Configuration.Watch, environment: [String: String], etag: String?, files: ChildFiles = .none,
        reload: Configuration.Files.Reload = .restart, polling: Bool = true,
        random: @escaping () -> Double = UnitRandom().next
    ) {
        self.settings = settings
        self.polling = polling
        self.reload = reload
        self.runningEnvironment = environment
        self.desiredEnvironment = environment
        self.runningFiles = files
        self.desiredFiles = files
        self.etag = etag
        self.unitRandom = random
        self.effectiveInterval = settings.interval
    }

    /// The start-up fetch was rate limited, last for `retryAfter` seconds: the polls begin slower
    /// than that (`PollSchedule.afterRateLimitedStartUp`) and come back to `--interval` as
    /// answers arrive.
    public mutating func startRateLimited(retryAfter: Double) {
        effectiveInterval = PollSchedule.afterRateLimitedStartUp(wait: retryAfter, interval: settings.interval)
        startUpWait = retryAfter
    }

    /// The first actions: write the files, if any, then spawn the child with the initial
    /// environment; the first poll is one (jittered) interval later, or after a rate-limited
    /// start-up as long as after a refused poll.
    public mutating func start(now: Double) -> [WatchAction] {
        let first =
            startUpWait.map {
                PollSchedule.rateLimitedDelay(
                    retryAfter: $0, effective: effectiveInterval, interval: settings.interval, unit: unitRandom())
            } ?? PollSchedule.jittered(effectiveInterval, unit: unitRandom())
        nextPollAt = now + first
        phase = .starting
        if !runningFiles.files.isEmpty {
            pendingWrite = .initial
            return [.writeFiles(runningFiles.files)]
        }
        return [.spawn(environment: runningEnvironment)]
    }

    /// The old group the driver should watch until it is empty (the leader is already reaped).
    public var awaitedGroup: Int32? {
        if case .stopping(let stop) = phase, stop.leaderExited { return stop.pid }
        return nil
    }

    /// Feeds one event; returns what to do, in order.
    public mutating func handle(_ event: WatchEvent, now: Double) -> [WatchAction] {
        switch event {
        case .tick: return tick(now: now)
        case .pollFinished(let result): return pollFinished(result, now: now)
        case .spawned(let pid): return spawned(pid: pid, now: now)
        case .spawnFailed(let error):
            phase = .finished
            return [.log(.error, error.description), .exit(error.exitCode.rawValue)]
        case .signal(let signal): return received(signal: signal, now: now)
        case .childExited(let pid, let status): return childExited(pid: pid, status: status, now: now)
        case .filesWritten: return filesWritten(now: now)
        case .filesFailed(let message): return filesFailed(message, now: now)
        case .groupGone(let pgid):
            guard case .stopping(let stop) = phase, stop.leaderExited, stop.pid == pgid else { return [] }
            if let code = stop.exitCode {
                phase = .finished
                return [.exit(code)]
            }
            return startNext()
        }
    }

    // MARK: - Child lifecycle

    private mutating func spawned(pid: Int32, now: Double) -> [WatchAction] {
        guard phase == .starting else { return [] }
        phase = .running(pid: pid)
        var actions: [WatchAction] = [
            restarts == 0
                ? .log(.debug, "started the command (pid \(pid))") : .log(.info, "restarted the command (pid \(pid))")
        ]
        // A change that came in while the new child was being spawned still needs a restart.
        if desiredEnvironment != runningEnvironment || desiredFiles != runningFiles {
            actions += beginRestart(pid: pid, now: now, reason: "secrets changed while the command was starting")
        }
        return actions
    }

    mutating func beginRestart(pid: Int32, now: Double, reason: String) -> [WatchAction] {
        // The splay delay comes before the stop, not between stop and start: the old child keeps
        // serving while it runs, so replicas that saw the same change go down one after another
        // (a rolling restart) instead of all at once and coming back at random times.
        let delay = PollSchedule.splayDelay(settings.splay, unit: unitRandom())
        if delay > 0 {
            phase = .restartPending(pid: pid, at: now + delay)
            return [.log(.info, "\(reason); restarting the command in \(Seconds.format(delay)) (--splay)")]
        }
        return [.log(.info, "\(reason); restarting the command")] + beginStop(pid: pid, now: now)
    }

    /// The teardown of a process tree: the stop signal and SIGCONT, `--stop-timeout`, SIGKILL.
    var teardown: [Teardown.Step] {
        Teardown.steps(
            stopSignal: settings.stopSignal, stopTimeout: settings.stopTimeout, killGrace: settings.killGrace)
    }

    /// The first teardown step for the tree of `pid`; the last (SIGKILL) comes from `tick`.
    mutating func beginStop(pid: Int32, now: Double) -> [WatchAction] {
        phase = .stopping(Stop(pid: pid, killAt: now + teardown[0].grace))
        return Teardown.actions(teardown[0].signals, tree: pid)
    }

    /// The child (leader of `pgid`) has ended: stop what is left of its tree (its group and the
    /// processes that left it; one that ignores the signal is SIGKILLed at `killAt`), then exit
    /// with `code`. Nothing is orphaned.
    mutating func beginExit(pgid: Int32, code: Int32, killAt: Double) -> [WatchAction] {
        phase = .stopping(Stop(pid: pgid, leaderExited: true, killAt: killAt, exitCode: code))
        return Teardown.actions(teardown[0].signals, tree: pgid)
    }

    private mutating func startNext() -> [WatchAction] {
        runningEnvironment = desiredEnvironment
        runningFiles = desiredFiles
        restarts += 1
        phase = .starting
        return [.spawn(environment: runningEnvironment)]
    }

    private mutating func childExited(pid: Int32, status: ChildStatus, now: Double) -> [WatchAction] {
        switch phase {
        case .running(let child) where child == pid, .restartPending(let child, _) where child == pid:
            // The orchestrator decides about restarts: pass the status on, leave nothing behind.
            // Without polling the command ending is the expected end of the run, as after exec.
            let log = WatchAction.log(
                polling ? .info : .debug, "the command \(status.text); exiting with \(status.exitCode)")
            return [log] + beginExit(pgid: pid, code: status.exitCode, killAt: now + settings.stopTimeout)
        case .stopping(var stop) where stop.pid == pid:
            stop.leaderExited = true
            phase = .stopping(stop)
            return [.log(.debug, "the old command \(status.text)")]
        case .shuttingDown(let shutdown) where shutdown.pid == pid:
            // The group had the forwarded signal since the shutdown began: its deadline stands.
            let log = WatchAction.log(.debug, "the command \(status.text); exiting with \(status.exitCode)")
            if shutdown.killed {
                phase = .stopping(
                    Stop(
                        pid: pid, leaderExited: true, killAt: shutdown.killAt, killed: true,
                        giveUpAt: now + settings.killGrace, exitCode: status.exitCode))
                return [log]
            }
            return [log] + beginExit(pgid: pid, code: status.exitCode, killAt: max(shutdown.killAt, now))
        default:
            return []  // an orphan re-parented to us, reaped; nothing to decide
        }
    }

    // MARK: - Signals

    /// The group signals go to: the child's, while it runs.
    private var currentGroup: Int32? {
        switch phase {
        case .running(let pid), .restartPending(let pid, _): return pid
        case .stopping(let stop): return stop.leaderExited ? nil : stop.pid
        case .shuttingDown(let shutdown): return shutdown.pid
        case .starting, .finished: return nil
        }
    }

    /// What a signal soup-run received means (see `SupervisorSignals.role(of:)`).
    private mutating func received(signal: Int32, now: Double) -> [WatchAction] {
        switch SupervisorSignals.role(of: signal) {
        case .stop: return stop(signal: signal, now: now)
        case .forward:
            guard let group = currentGroup else { return [] }
            return [.signalGroup(pgid: group, signal: signal)]
        case .jobControl:
            guard let group = currentGroup else { return [] }
            // `kill -TSTP` stops the child's group and soup-run with it; CONT resumes both.
            return [.signalGroup(pgid: group, signal: signal)] + (signal == SIGTSTP ? [.suspend(resuming: group)] : [])
        case .reap, .untouched:
            return []
        }
    }

    /// TERM or INT: forward it and wait for the child; a second one kills the group.
    private mutating func stop(signal: Int32, now: Double) -> [WatchAction] {
        switch phase {
        case .running(let pid), .restartPending(let pid, _):
            phase = .shuttingDown(Shutdown(pid: pid, signal: signal, killAt: now + settings.stopTimeout))
            return [
                .log(
                    .debug, "received \(SignalName.name(of: signal)); forwarded to the command, waiting for it to exit")
            ] + Teardown.actions(Teardown.withContinue(signal), tree: pid)
        case .stopping(let stop) where !stop.leaderExited:
            // Stopping for a restart already: keep the earlier kill deadline, start nothing new.
            phase = .shuttingDown(
                Shutdown(
                    pid: stop.pid, signal: signal, killAt: stop.killAt, killed: stop.killed,
                    giveUpAt: stop.killed ? now + settings.killGrace : nil))
            return Teardown.actions(Teardown.withContinue(signal), tree: stop.pid)
        case .shuttingDown(var shutdown):
            guard !shutdown.killed else { return [] }
            shutdown.killed = true
            shutdown.giveUpAt = now + settings.killGrace
            phase = .shuttingDown(shutdown)
            return [
                .log(.warning, "received \(SignalName.name(of: signal)) again; killing the command's process group")
            ] + Teardown.actions(teardown[1].signals, tree: shutdown.pid)
        case .stopping(let stop):
            // Between two children, or the child gone and its group emptying: nothing more to
            // wait for. SIGKILL cannot be ignored, so nothing is left running.
            phase = .finished
            return Teardown.actions(teardown[1].signals, tree: stop.pid) + [.exit(stop.exitCode ?? 128 + signal)]
        case .starting:
            phase = .finished
            return [.exit(128 + signal)]
        case .finished:
            return []
        }
    }
}
