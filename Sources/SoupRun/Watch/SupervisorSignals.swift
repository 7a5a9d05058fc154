import CSoupProcess

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What soup-run does with each signal, in one table: the supervisor's handlers, the
/// before-the-child exit handlers (`ExitOnSignal`) and `WatchMachine`'s decisions all derive
/// from `role(of:)`, so adding a signal is one edit here.
///
/// Like an init (tini, dumb-init): every catchable signal reaches the child's process group,
/// except the few soup-run acts on itself and the ones forwarding would break.
public enum SupervisorSignals {
    public enum Role: Sendable, Equatable {
        /// TERM, INT: forwarded, then soup-run waits for the child and exits with its status.
        case stop
        /// Forwarded to the child's group and nothing else (HUP, QUIT, USR1, ALRM, PWR, RT...).
        case forward
        /// TSTP, CONT: forwarded, and soup-run stops (TSTP) and resumes with the group.
        case jobControl
        /// CHLD: a child changed state; the loop reaps.
        case reap
        /// Left alone: uncatchable (KILL, STOP), synchronous faults (SEGV, BUS, ILL, FPE, TRAP,
        /// SYS, ABRT keep their default action, as in tini), URG (the Go runtime sends it to
        /// itself; forwarding it is a known bug of peers), and TTIN, TTOU, PIPE, which the
        /// supervisor ignores (it must not be stopped for writing logs, nor killed by a closed
        /// log reader).
        case untouched
    }

    public static func role(of signal: Int32) -> Role {
        switch signal {
        case SIGTERM, SIGINT: return .stop
        case SIGCHLD: return .reap
        case SIGTSTP, SIGCONT: return .jobControl
        case SIGKILL, SIGSTOP, SIGURG, SIGTTIN, SIGTTOU, SIGPIPE: return .untouched
        case _ where faults.contains(signal): return .untouched
        default: return .forward
        }
    }

    /// The synchronous fault signals: they keep (are given back) their default action.
    public static let faults: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT]

    /// Every signal of this platform: the named ones and the real-time range, in order.
    public static let all: [Int32] = {
        var first: Int32 = 0
        var last: Int32 = -1
        soup_realtime_signals(&first, &last)
        let realtime = first <= last ? Array(first...last) : []
        return Array(Set(SignalName.all.map(\.number) + realtime)).sorted()
    }()

    /// The signals the supervisor installs a handler for.
    public static let handled: [Int32] = all.filter { role(of: $0) != .untouched }

    /// Signals whose default action is to do nothing (or only to continue).
    static let ignoredByDefault: Set<Int32> = [SIGCHLD, SIGCONT, SIGURG, SIGWINCH]

    /// Before there is a child: the handled signals whose default action would end soup-run
    /// (all but CHLD, WINCH and the job-control ones). `ExitOnSignal` exits on these.
    public static let endingBeforeChild: [Int32] = handled.filter {
        let role = role(of: $0)
        return (role == .stop || role == .forward) && !ignoredByDefault.contains($0)
    }
}
