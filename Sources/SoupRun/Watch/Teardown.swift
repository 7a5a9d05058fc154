#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How `WatchMachine` stops what the command started, as data: each step is the signals sent to
/// the whole tree (the child's process group and every process that left it and was re-parented
/// to soup-run, a daemon), then a grace period before the next step. The machine walks the steps
/// on its deadlines; the driver sends each signal to the tree.
///
/// The stop signal is followed by SIGCONT, as systemd does: a stopped process (Ctrl-Z, a
/// debugger, SIGSTOP) cannot act on a TERM until it runs again, and would otherwise be SIGKILLed.
enum Teardown {
    struct Step: Sendable, Equatable {
        var signals: [Int32]
        /// Seconds to wait for the tree to empty before the next step.
        var grace: Double
    }

    /// The stop signal (with SIGCONT) and `stopTimeout`, then SIGKILL and `killGrace`.
    static func steps(stopSignal: Int32, stopTimeout: Double, killGrace: Double) -> [Step] {
        [Step(signals: withContinue(stopSignal), grace: stopTimeout), Step(signals: [SIGKILL], grace: killGrace)]
    }

    /// `signal`, then SIGCONT unless it is one (or SIGKILL, which needs no running process).
    static func withContinue(_ signal: Int32) -> [Int32] {
        signal == SIGCONT || signal == SIGKILL ? [signal] : [signal, SIGCONT]
    }

    /// The actions that send one step's signals to the tree of `pgid`.
    static func actions(_ signals: [Int32], tree pgid: Int32) -> [WatchAction] {
        signals.map { .signalTree(pgid: pgid, signal: $0) }
    }
}
