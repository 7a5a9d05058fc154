#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--mask` in a terminal: the pure decisions. The system side is `PseudoTerminal`.
///
/// A pipe would take the terminal away from the command (no colours, no line editing, no
/// full-screen programs), so when soup-run's stdout is a terminal the command runs on a
/// pseudo-terminal instead, and its output is masked on the way from the pty to the real one.
public enum MaskTerminal {
    /// Which of the command's streams get the pty, from what soup-run's own streams are.
    public struct Plan: Sendable, Equatable {
        /// stdin is the same terminal: the command reads the pty, soup-run relays the keys.
        public var stdin: Bool
        /// stderr is the same terminal: it shares the pty with stdout (a terminal interleaves
        /// them as written; two pipes could not). Otherwise it goes through its own pipe.
        public var stderr: Bool

        public init(stdin: Bool, stderr: Bool) {
            self.stdin = stdin
            self.stderr = stderr
        }

        /// The plan, or nil for plain pipes (stdout is not a terminal: a log, a pipe, a file).
        /// stdout always gets the pty when it is a terminal; stdin and stderr only when they are
        /// that same terminal (`< file` or `2> log` stay as they are, the latter masked).
        public static func decide(
            stdoutIsTerminal: Bool, stdinIsSameTerminal: Bool, stderrIsSameTerminal: Bool
        ) -> Plan? {
            guard stdoutIsTerminal else { return nil }
            return Plan(stdin: stdinIsSameTerminal, stderr: stderrIsSameTerminal)
        }
    }

    /// The outer terminal's mode while the command runs on the pty: raw while it runs in the
    /// foreground (every key goes to the pty, whose line discipline edits, echoes and turns
    /// Ctrl-C into SIGINT for the command), the saved mode back whenever soup-run stops, is in
    /// the background, or ends. Only a terminal soup-run makes raw is ever restored.
    public enum Mode: Sendable, Equatable {
        /// Never changed (the command has not started, or soup-run is in the background).
        case untouched
        case raw
        /// The saved mode is back (the command stopped, or soup-run went on in the background).
        case restored
        /// soup-run is leaving: nothing changes the terminal again.
        case finished

        public enum Event: Sendable, Equatable {
            /// A command is about to start (again, with `--watch`); `foreground`: soup-run owns the terminal.
            case started(foreground: Bool)
            /// The command stopped (Ctrl-Z), or soup-run is about to stop itself.
            case stopped
            /// soup-run was continued (`fg` or `bg`: `foreground` tells which).
            case continued(foreground: Bool)
            /// soup-run is about to exit, on any path.
            case finishing
        }

        public enum Change: Sendable, Equatable {
            case makeRaw
            case restore
            case none
        }

        /// The change `event` asks for; updates the mode.
        public mutating func handle(_ event: Event) -> Change {
            switch (self, event) {
            case (.finished, _):
                return .none
            case (.raw, .finishing), (.raw, .stopped):
                self = event == .finishing ? .finished : .restored
                return .restore
            case (_, .finishing):
                self = .finished
                return .none
            case (.raw, _), (_, .stopped):
                return .none
            case (_, .started(let foreground)), (_, .continued(let foreground)):
                // From the background, changing the mode would change the shell's terminal.
                guard foreground else { return .none }
                self = .raw
                return .makeRaw
            }
        }
    }

    /// What the supervisor does with a signal it received while the command runs on the pty,
    /// before (or instead of) the machine's usual handling.
    public enum SignalHandling: Sendable, Equatable {
        /// WINCH: copy the outer terminal's size to the pty; the kernel then signals the pty's
        /// foreground group, so forwarding it as well would deliver it twice.
        case resize
        /// CONT (`fg`): raw mode again when soup-run is in the foreground, then forwarded.
        case continueThenForward
        /// Everything else: as without a pty.
        case asUsual
    }

    public static func handling(of signal: Int32) -> SignalHandling {
        switch signal {
        case SIGWINCH: return .resize
        case SIGCONT: return .continueThenForward
        default: return .asUsual
        }
    }

    /// Whether Ctrl-Z typed into the pty must stop the command with SIGSTOP as well.
    ///
    /// The command leads its own session on the pty, and its parent (soup-run) is outside that
    /// session, so its process group is orphaned: the kernel discards a SIGTSTP at its default
    /// action there (POSIX). A terminal stops such a program; so does soup-run, by sending
    /// SIGSTOP when the line discipline turned the key into SIGTSTP for that group and its
    /// leader does not catch or ignore SIGTSTP (a shell, an editor handle it themselves; an
    /// inner shell's jobs are in groups that are not orphaned and stop by themselves).
    /// - Parameter keepsTSTP: 1 caught or ignored, 0 default, -1 unknown (treated as default).
    public static func stopsWithSIGSTOP(ptySignalsTSTP: Bool, foregroundLeadsSession: Bool, keepsTSTP: Int32) -> Bool {
        ptySignalsTSTP && foregroundLeadsSession && keepsTSTP != 1
    }
}
