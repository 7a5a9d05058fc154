import Testing

@testable import SoupRun

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which signals the supervisor handles and what each one means to `WatchMachine`.
@Suite("Supervisor signals: every catchable signal, like an init")
struct SupervisorSignalTests {
    /// The signals that kill by default and were neither handled nor forwarded before.
    static var formerlyFatal: [Int32] {
        var list = [SIGALRM, SIGIO, SIGPROF, SIGVTALRM, SIGXCPU, SIGXFSZ]
        #if os(Linux)
            list += [SIGPWR, SIGSTKFLT]
        #endif
        return list
    }

    @Test func everyCatchableSignalButTheExceptionsIsHandled() {
        let handled = Set(SupervisorSignals.handled)
        for signal in Self.formerlyFatal + [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD] {
            #expect(handled.contains(signal), "\(SignalName.name(of: signal))")
        }
        for signal in [SIGTSTP, SIGCONT] { #expect(handled.contains(signal), "job control") }
        let untouched = [
            SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT, SIGURG, SIGTTIN, SIGTTOU,
            SIGPIPE,
        ]
        for signal in untouched {
            #expect(!handled.contains(signal), "\(SignalName.name(of: signal)) keeps its action")
        }
    }

    #if os(Linux)
        @Test func realTimeSignalsAreForwarded() throws {
            // glibc keeps 32 and 33 for itself; SIGRTMIN..SIGRTMAX follow.
            let realtime = SupervisorSignals.all.filter { $0 > 33 }
            let last = try #require(realtime.last)
            #expect(realtime.count >= 8 && last <= 64)
            #expect(realtime.allSatisfy { SupervisorSignals.role(of: $0) == .forward })
            #expect(Set(SupervisorSignals.handled).isSuperset(of: realtime))
        }
    #endif

    @Test func beforeTheChildOnlySignalsThatWouldEndSoupRunExitIt() {
        let ending = Set(SupervisorSignals.endingBeforeChild)
        #expect(ending.isSuperset(of: [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2] + Self.formerlyFatal))
        #expect(ending.isDisjoint(with: [SIGWINCH, SIGCHLD, SIGCONT, SIGTSTP, SIGURG, SIGPIPE, SIGSEGV]))
        #expect(ExitOnSignal.signals == SupervisorSignals.endingBeforeChild)
    }

    @Test(arguments: formerlyFatal + [SIGQUIT])
    func formerlyFatalSignalsAndQuitAreForwardedAndStopNothing(signal: Int32) {
        var h = WatchHarness()  // stopTimeout 5
        h.feed(.signal(signal))
        #expect(h.signalsSent.map(\.signal) == [signal])
        #expect(h.signalsSent.map(\.pgid) == [101])
        h.advance(by: 60)
        #expect(!h.signalsSent.contains { $0.signal == SIGKILL }, "no stop sequence, no SIGKILL")
        #expect(h.machine.phase == .running(pid: 101))
        #expect(h.exitCode == nil)
    }

    @Test func quitThenTheChildExitingPassesItsStatusOn() {
        var h = WatchHarness()
        h.feed(.signal(SIGQUIT))
        h.childExits(.exited(0))
        #expect(h.exitCode == 0)
    }

    @Test(arguments: [SIGURG, SIGSEGV, SIGPIPE, SIGTTIN])
    func untouchedSignalsAreNotForwarded(signal: Int32) {
        var h = WatchHarness()
        h.feed(.signal(signal))
        #expect(h.signalsSent.isEmpty)
    }

    @Test func tstpStopsTheGroupAndSoupRunAndContResumesTheGroup() {
        var h = WatchHarness()
        h.feed(.signal(SIGTSTP))
        #expect(h.signalsSent.map(\.signal) == [SIGTSTP])
        #expect(h.actions.last == .suspend(resuming: 101))
        h.feed(.signal(SIGCONT))
        #expect(h.signalsSent.map(\.signal) == [SIGTSTP, SIGCONT])
        #expect(h.machine.phase == .running(pid: 101))
    }

    @Test func theStopSignalIsFollowedBySigcontToTheWholeTree() {
        var h = WatchHarness()
        h.feed(.signal(SIGTERM))
        #expect(h.treeSignals == [SIGTERM, SIGCONT], "a stopped child can act on TERM")
        var restart = WatchHarness(
            settings: Configuration.Watch(interval: 10, stopSignal: SIGQUIT, stopTimeout: 5, splay: 0))
        restart.poll(answer: .environment(["A": "2"], etag: nil))
        #expect(restart.treeSignals == [SIGQUIT, SIGCONT])
    }

    @Test func teardownStepsAreTheStopSignalThenSigkill() {
        let steps = Teardown.steps(stopSignal: SIGINT, stopTimeout: 7, killGrace: 5)
        #expect(steps == [.init(signals: [SIGINT, SIGCONT], grace: 7), .init(signals: [SIGKILL], grace: 5)])
        #expect(Teardown.withContinue(SIGCONT) == [SIGCONT])
    }
}
