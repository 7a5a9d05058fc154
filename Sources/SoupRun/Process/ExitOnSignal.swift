import CSoupProcess

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What TERM, INT, HUP, QUIT, USR1, USR2, ALRM, PWR and every other signal the supervisor would
/// forward (`SupervisorSignals.endingBeforeChild`) do before there is a child to forward them to:
/// end soup-run at once with 128+N, as the shell reports a process killed by signal N.
///
/// A default action would do nearly the same, except as PID 1: the kernel drops signals left at
/// their default action for PID 1, so a container's `docker stop` or Ctrl-C would go unheard
/// for as long as the start-up fetch retries. Installed first thing in the binary; the handler
/// only calls `_exit` (nothing is open that needs closing). It never reaches the command: exec
/// resets caught signals, a spawned child gets default dispositions, and `--watch` replaces it
/// with its forwarding handlers, with no moment in between where a signal is unhandled.
/// Signals ignored when soup-run started (`nohup`) stay ignored.
public enum ExitOnSignal {
    /// The signals whose default action ends a process and which the supervisor would forward
    /// (lxc-stop sends PWR; an operator ALRM or a real-time signal).
    public static let signals: [Int32] = SupervisorSignals.endingBeforeChild

    /// Installs the handlers. Returns 0, or the errno when one could not be installed.
    @discardableResult
    public static func install() -> Int32 {
        var list = signals
        return soup_signals_exit_on(&list, Int32(list.count))
    }

    /// Gives the fault signals (`SupervisorSignals.faults`) their default action back from the
    /// Swift runtime's crash handler, which on `kill -SEGV` prints the registers with the memory
    /// they point at (the token, perhaps) and then carries on running. At their default action
    /// they end soup-run, as in tini, and leave no core (soup-run is not dumpable).
    @discardableResult
    public static func restoreFaultDefaults() -> Int32 {
        var list = SupervisorSignals.faults
        return soup_signals_default(&list, Int32(list.count))
    }
}
