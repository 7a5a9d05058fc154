import CSoupProcess
import SoupCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--mask` in a terminal, the system side (decisions in `MaskTerminal`): the pty the command
/// runs on, the outer terminal's mode, its window size, and the thread that relays the keys
/// typed into the outer terminal to the pty.
///
/// soup-run holds the slave open until `closeSlave`, so the master reads no end of file between
/// two children of `--watch`; each child makes it its controlling terminal in a session of its own.
final class PseudoTerminal: Sendable {
    /// The outer terminal: soup-run's stdout (the plan is made from it).
    static let outer: Int32 = 1
    /// How long the relay waits for a key before it checks whether it should stop.
    static let relayPoll: Int32 = 100

    let plan: MaskTerminal.Plan
    /// Read by the output filter: what the command writes to the pty.
    let master: Int32
    private let slave: Int32
    private struct State {
        var mode = MaskTerminal.Mode.untouched
        var slaveOpen = true
        var relayStopped = false
    }
    private let state = Locked(State())

    /// The plan for soup-run's own streams as they are now, or nil for plain pipes.
    static func currentPlan() -> MaskTerminal.Plan? {
        MaskTerminal.Plan.decide(
            stdoutIsTerminal: soup_is_terminal(outer) != 0, stdinIsSameTerminal: soup_same_terminal(0, outer) != 0,
            stderrIsSameTerminal: soup_same_terminal(2, outer) != 0)
    }

    /// Opens the pty with the outer terminal's settings and size, or the errno of what failed.
    static func open(plan: MaskTerminal.Plan) -> Result<PseudoTerminal, OutputMasking.SystemFailure> {
        var master: Int32 = -1
        var slave: Int32 = -1
        let code = soup_pty_open(outer, &master, &slave)
        guard code == 0 else { return .failure(OutputMasking.SystemFailure(errno: code)) }
        return .success(PseudoTerminal(plan: plan, master: master, slave: slave))
    }

    private init(plan: MaskTerminal.Plan, master: Int32, slave: Int32) {
        self.plan = plan
        self.master = master
        self.slave = slave
    }

    /// The command's streams: stdout on the pty, stdin and stderr too where the plan says so;
    /// `stderr` is the filter's pipe otherwise.
    func childStreams(stderr pipe: Int32) -> ChildStreams {
        ChildStreams(stdin: plan.stdin ? slave : -1, stdout: slave, stderr: plan.stderr ? slave : pipe, session: slave)
    }

    /// Applies `event` to the outer terminal's mode; entering raw mode copies the window size,
    /// which may have changed while soup-run was stopped.
    func handle(_ event: MaskTerminal.Mode.Event) {
        // Only with the keys relayed: without them nobody reads a raw terminal.
        guard plan.stdin else { return }
        let change = state.withLock { $0.mode.handle(event) }
        switch change {
        case .makeRaw:
            _ = soup_terminal_enter_raw(Self.outer)
            resize()
        case .restore:
            _ = soup_terminal_restore()
        case .none:
            break
        }
    }

    /// Whether soup-run's group is the outer terminal's foreground (it may change its mode).
    var isForeground: Bool { soup_terminal_is_foreground(Self.outer) != 0 }

    /// Copies the outer terminal's window size to the pty (at start and on SIGWINCH); the
    /// kernel then sends SIGWINCH to the command's foreground group itself.
    func resize() {
        _ = soup_terminal_copy_size(Self.outer, master)
    }

    /// soup-run's slave descriptor goes: once the command and every process that inherited the
    /// pty are gone, the master reads end of file. Call after the last child ended.
    func closeSlave() {
        // The relay stops first: it asks the slave for its mode after each Ctrl-Z.
        let close = state.withLock { state in
            defer { (state.slaveOpen, state.relayStopped) = (false, true) }
            return state.slaveOpen
        }
        if close { soup_close(slave) }
    }

    /// Starts the thread that relays soup-run's stdin to the pty (only when stdin is the terminal).
    func startRelay() -> Int32 {
        guard plan.stdin else { return 0 }
        let context = Unmanaged.passRetained(self).toOpaque()
        let failure = soup_thread_start(
            { context in Unmanaged<PseudoTerminal>.fromOpaque(context!).takeRetainedValue().relay() }, context)
        if failure != 0 { Unmanaged<PseudoTerminal>.fromOpaque(context).release() }
        return failure
    }

    /// The relay: while the outer terminal is raw, every byte read from it goes to the pty, in
    /// order. Keys typed while soup-run is not in the foreground stay in the terminal for the shell.
    private func relay() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let (mode, stopped) = state.withLock { ($0.mode, $0.relayStopped) }
            if stopped { return }
            // Not raw (stopped, in the background): wait, bounded, for the mode to change.
            if mode != .raw {
                _ = soup_wait_readable(-1, Self.relayPoll)
                continue
            }
            guard soup_wait_readable(0, Self.relayPoll) == 1 else { continue }
            let got = buffer.withUnsafeMutableBytes { soup_read(0, $0.baseAddress, UInt($0.count)) }
            if got == 0 { return }  // stdin closed: nothing more to relay
            if got < 0 {
                // EIO in the background (SIGTTIN is ignored): wait for `fg`.
                if errno == EAGAIN || errno == EIO { _ = soup_wait_readable(-1, Self.relayPoll) } else { return }
                continue
            }
            // Read each time: the mode it comes from is saved when the terminal is first made raw.
            let suspendKey = soup_terminal_suspend_byte()
            var start = 0
            for index in 0..<got where Int32(buffer[index]) == suspendKey {
                write(buffer[start...index])
                start = index + 1
                suspendIfOrphaned(key: suspendKey)
            }
            if start < got { write(buffer[start..<got]) }
        }
    }

    private func write(_ bytes: ArraySlice<UInt8>) {
        _ = bytes.withUnsafeBytes { soup_write_all(master, $0.baseAddress, UInt($0.count)) }
    }

    /// After Ctrl-Z went to the pty: SIGSTOP for a command whose SIGTSTP the kernel discards.
    private func suspendIfOrphaned(key: Int32) {
        let group = soup_pty_foreground(master)
        guard group > 1 else { return }
        let stop = MaskTerminal.stopsWithSIGSTOP(
            ptySignalsTSTP: soup_pty_stops_on(slave, key) != 0, foregroundLeadsSession: soup_leads_session(group) != 0,
            keepsTSTP: soup_process_keeps_signal(group, SIGTSTP))
        if stop { _ = soup_signal_group(group, SIGSTOP) }
    }
}

/// The command's standard descriptors when soup-run stays its parent: -1 keeps soup-run's own.
struct ChildStreams: Sendable, Equatable {
    var stdin: Int32 = -1
    var stdout: Int32 = -1
    var stderr: Int32 = -1
    /// A terminal to start a new session on and make the controlling terminal (the pty), or -1.
    var session: Int32 = -1

    static let inherited = ChildStreams()
}
