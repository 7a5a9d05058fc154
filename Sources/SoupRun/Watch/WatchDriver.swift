import CSoupProcess

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Performs `WatchMachine`'s actions with real processes, signals, files and time, and feeds
/// back what happened. The same driver for every reason soup-run stays (`StayReasons`): it polls
/// only when the machine asks, writes the command's files when told (`ChildFileStore`) and
/// removes them all, with the private directory, when `run` returns.
///
/// The story of one iteration: wait (bounded) for a signal byte or a wake-up; hand signals to
/// the machine; collect a finished poll; reap every zombie; check an old
/// group; tick. Call `run` from a thread that lives until it returns: the child's
/// parent-death signal fires when the thread that spawned it ends.
///
/// Terminal: when stdin is a terminal whose foreground group is soup-run's, each child's group
/// is made the foreground group (in the child, before exec, as tini does). The terminal then
/// sends Ctrl-C (and WINCH, and reads) to the child's group itself, exactly once; soup-run, now
/// in the background, gets nothing to forward again. soup-run takes the terminal back whenever
/// a child ends and before it exits. Ctrl-Z stops the child; soup-run then stops itself too
/// (the shell sees the job stopped) and continues the child when it is continued (`fg`, `bg`).
///
/// With `--mask` in a terminal (`PseudoTerminal`) the child has a pty of its own instead: soup-run
/// keeps the outer terminal, raw while the child runs in the foreground, relays the keys to the
/// pty (whose line discipline turns Ctrl-C into the child's SIGINT), copies the window size on
/// SIGWINCH, restores the mode before it stops with the child (Ctrl-Z) and on every way out.
///
/// Every catchable signal is handled (`SupervisorSignals.handled`). Once the first child runs,
/// the supervisor moves to "/" (it pins no mount); each child starts in the original directory.
final class WatchDriver {
    /// The longest single wait: the loop wakes at least this often even with nothing due.
    static let maxWait: Double = 60
    /// While an old group is emptying, re-check it this often (no SIGCHLD for non-children).
    static let groupPollInterval: Double = 0.05
    /// Printed once in a terminal: Ctrl-C goes to the command, never to soup-run (by design, so
    /// it arrives once), and a command that ignores it needs another way out.
    static func terminalHint(pid: Int32) -> String {
        "the command has the terminal: Ctrl-C goes to it, each time; if it ignores Ctrl-C, "
            + "run kill \(pid) (soup-run stops it, SIGKILL after --stop-timeout)"
    }

    private var machine: WatchMachine
    private let command: [String]
    private let worker: PollWorker
    /// The command's files: written on `.writeFiles`, all removed when `run` returns.
    private let files: ChildFileStore
    private let logger: Logger
    /// Where each child starts: soup-run's directory when it started.
    private let directory: String?
    /// `--mask`: every child's stdout and stderr go through this filter; flushed before `run` returns.
    private let output: OutputMasking?
    private var terminal: Int32 = -1
    /// `--mask` in a terminal: the child's pty.
    private var pty: PseudoTerminal? { output?.terminal }
    private var child: Int32? = nil
    /// Set when soup-run stopped itself with the group this step: the child's stop report that
    /// follows is the same stop, not a new Ctrl-Z.
    private var suspendedThisStep = false
    /// The signal bytes of one drain (kept: not allocated per wake-up).
    private var signalBytes = [Int32](repeating: 0, count: 64)

    init(
        machine: WatchMachine, command: [String], directory: String?, worker: PollWorker, files: ChildFileStore,
        logger: Logger, output: OutputMasking? = nil
    ) {
        self.output = output
        self.machine = machine
        self.command = command
        self.directory = directory
        self.worker = worker
        self.files = files
        self.logger = logger
    }

    /// Supervises until the machine exits; returns soup-run's exit code.
    func run() -> Int32 {
        var signals = SupervisorSignals.handled
        let pipe = soup_signals_install(&signals, Int32(signals.count), 1)
        guard pipe >= 0 else {
            logger.error("cannot install signal handlers: \(ExecError.errnoText(errno))")
            return ExitCode.cannotExecute.rawValue
        }
        defer { soup_signals_uninstall() }
        // The child and its group are gone by now: what they wrote is masked and written out.
        defer { output?.finish() }
        // Before the flush: the terminal is the user's again even if a stray writer holds the pty.
        defer { pty?.handle(.finishing) }
        // Runs before the handlers go: a TERM during the clean-up is queued, not fatal.
        defer { removeFiles() }
        #if os(Linux)
            // Orphans of the child (a daemonizing grandchild) come to us, are reaped, and count
            // as members of the old group until they are gone.
            let subreaper = soup_become_subreaper()
            if subreaper != 0 { logger.debug("cannot become a child subreaper: \(ExecError.errnoText(subreaper))") }
        #endif
        // On a pty the child is in a session of its own: the outer terminal stays soup-run's.
        terminal = pty == nil ? soup_terminal_we_own() : -1
        defer { soup_terminal_reclaim(terminal) }
        if terminal >= 0 || (pty?.plan.stdin == true && pty?.isForeground == true) {
            logger.info(Self.terminalHint(pid: getpid()))
        }
        if let failure = pty?.startRelay(), failure != 0 {
            logger.error("cannot start the thread that relays the terminal: \(ExecError.errnoText(failure))")
            return ExitCode.cannotExecute.rawValue
        }

        if let code = perform(machine.start(now: Platform.monotonicClock())) { return code }
        while true {
            let now = Platform.monotonicClock()
            var wait = min(Self.maxWait, max(0, (machine.nextDeadline ?? now + Self.maxWait) - now))
            if machine.awaitedGroup != nil { wait = min(wait, Self.groupPollInterval) }
            // Round up: waking a millisecond early would spin until the deadline.
            let woken = soup_wait_readable(pipe, Int32((wait * 1000).rounded(.up))) != 0
            if let code = step(woken: woken) { return code }
        }
    }

    /// One iteration after a wake-up (`woken`: by the self-pipe or a signal, else the timeout);
    /// an exit code ends the loop.
    private func step(woken: Bool) -> Int32? {
        suspendedThisStep = false
        // Only what a wake-up can have brought: an idle poll cycle is then two wake-ups of a few
        // system calls each (no read that finds the pipe empty, no waitpid for a poll's result).
        var childSignalled = !woken
        if woken {
            // Bounded: a flood of signals is handled over several iterations, never forever here.
            for _ in 0..<16 {
                let count = Int(soup_signals_drain(&signalBytes, Int32(signalBytes.count)))
                for byte in signalBytes[0..<count] {
                    // 0 is a finished poll, collected below; SIGCHLD a zombie, reaped below.
                    if byte == SIGCHLD { childSignalled = true }
                    if byte == 0 || byte == SIGCHLD { continue }
                    if let pty {
                        switch MaskTerminal.handling(of: byte) {
                        case .resize:
                            pty.resize()
                            continue
                        case .continueThenForward: pty.handle(.continued(foreground: pty.isForeground))
                        case .asUsual: break
                        }
                    }
                    if let code = feed(.signal(byte)) { return code }
                }
                // A short read emptied the pipe.
                if count < signalBytes.count { break }
            }
        }
        if let result = worker.take() {
            if let code = feed(.pollFinished(result)) { return code }
        }
        // Every zombie after a SIGCHLD; after a timeout too, so even a SIGCHLD whose byte a full
        // pipe dropped is reaped within one wait.
        while childSignalled, let reaped = ChildLauncher.reapAny() {
            switch reaped {
            case .stopped(let pid):
                // Ctrl-Z stopped the child that owns the terminal: stop with it, so the shell
                // gets its prompt back; `fg`/`bg` continue us, and we continue the child.
                if pid == child, !suspendedThisStep {
                    if pty != nil {
                        suspendWithPty(pid)
                    } else if terminal >= 0 {
                        soup_terminal_suspend_with(terminal, pid)
                    }
                }
            case .ended(let pid, let status):
                if pid == child {
                    child = nil
                    soup_terminal_reclaim(terminal)  // a Ctrl-C between two children reaches us
                }
                if let code = feed(.childExited(pid: pid, status: status)) { return code }
            }
        }
        // The tree is gone when the group is empty and no re-parented orphan is left either.
        if let group = machine.awaitedGroup, !ChildLauncher.groupExists(group), !ChildLauncher.hasChildren() {
            if let code = feed(.groupGone(pgid: group)) { return code }
        }
        return feed(.tick)
    }

    /// Removes every file written for the command, and the private directory.
    private func removeFiles() {
        for path in files.removeAll() { logger.warning("cannot remove \(path)") }
    }

    private func feed(_ event: WatchEvent) -> Int32? {
        perform(machine.handle(event, now: Platform.monotonicClock()))
    }

    /// Performs actions in order; a spawn's outcome is fed back at once.
    private func perform(_ actions: [WatchAction]) -> Int32? {
        for action in actions {
            switch action {
            case .poll(let etag):
                if let failure = worker.start(ifNoneMatch: etag) {
                    let message = "cannot start the thread that polls: \(ExecError.errnoText(failure))"
                    if let code = feed(.pollFinished(.failed(PollFailure(state: "thread", message: message)))) {
                        return code
                    }
                }
            case .spawn(let environment):
                // The outer terminal is raw before the command starts: it may print a prompt and
                // read at once, and a key typed into a cooked terminal would be echoed unmasked.
                pty?.handle(.started(foreground: pty?.isForeground == true))
                let outcome = ChildLauncher.spawn(
                    command: command, environment: environment, terminal: terminal,
                    deathSignal: machine.settings.stopSignal, directory: directory,
                    streams: output?.childStreams ?? .inherited)
                let event: WatchEvent
                switch outcome {
                case .success(let pid):
                    child = pid
                    event = .spawned(pid: pid)
                    if !ProcessSystem.leaveDirectory() {
                        logger.debug("cannot change to /: \(ExecError.errnoText(errno))")
                    }
                case .failure(let error):
                    event = .spawnFailed(error)
                }
                if let code = feed(event) { return code }
            case .writeFiles(let list):
                let failure = files.write(list)
                if let code = feed(failure.map { .filesFailed($0.description) } ?? .filesWritten) { return code }
            case .signalGroup(let pgid, let signal):
                let code = ChildLauncher.signalGroup(pgid, signal)
                if code != 0 { logger.debug("signal \(signal) to process group \(pgid): \(ExecError.errnoText(code))") }
            case .signalTree(let pgid, let signal):
                signalTree(pgid, signal)
            case .suspend(let pgid):
                if pty != nil { suspendWithPty(pgid) } else { soup_terminal_suspend_with(terminal, pgid) }
                suspendedThisStep = true
            case .log(let level, let message):
                switch level {
                case .error: logger.error(message)
                case .warning: logger.warning(message)
                case .info: logger.info(message)
                case .debug: logger.debug(message)
                }
            case .exit(let code):
                return code
            }
        }
        return nil
    }

    /// Job control on the pty: the outer terminal's mode back, stop with the child (the shell
    /// gets its prompt); once continued, raw again if in the foreground, then the child goes on.
    private func suspendWithPty(_ pgid: Int32) {
        guard let pty, pgid > 1 else { return }
        output?.waitUntilReleased()
        pty.handle(.stopped)
        soup_stop_self()
        pty.handle(.continued(foreground: pty.isForeground))
        _ = ChildLauncher.signalGroup(pgid, SIGCONT)
    }

    /// One teardown signal to the group and to each process that left it (see `Teardown`);
    /// the strays are logged by pid, since nothing else tells that they existed.
    private func signalTree(_ pgid: Int32, _ signal: Int32) {
        let code = ChildLauncher.signalGroup(pgid, signal)
        if code != 0 { logger.debug("signal \(signal) to process group \(pgid): \(ExecError.errnoText(code))") }
        let strays = ChildLauncher.strays(outside: pgid)
        guard !strays.isEmpty else { return }
        if signal != SIGCONT {
            let list = strays.map(String.init).joined(separator: ", ")
            logger.info("signal \(signal) also to processes that left the command's process group: pids \(list)")
        }
        for pid in strays { _ = ChildLauncher.signalStray(pid, signal) }
    }
}
