import Testing
@testable import SoupRun

@Suite("WatchMachine: signals and exits")
struct WatchSignalTests {
    @Test(arguments: [Int32(1), 10, 12, 28])  // HUP, USR1, USR2, WINCH
    func nonStopSignalsAreForwardedToTheGroupOnly(signal: Int32) {
        var h = WatchHarness()
        h.feed(.signal(signal))
        #expect(h.signalsSent.map(\.pgid) == [101])
        #expect(h.signalsSent.map(\.signal) == [signal])
        #expect(h.machine.phase == .running(pid: 101))
    }

    @Test(arguments: [Int32(15), 2, 3])  // TERM, INT, QUIT
    func stopSignalsAreForwardedThenTheChildsStatusIsTheExitCode(signal: Int32) {
        var h = WatchHarness()
        h.feed(.signal(signal))
        #expect(h.signalsSent.map(\.signal) == [signal])
        #expect(h.exitCode == nil)
        h.advance(by: 1)
        #expect(h.pendingPolls.isEmpty, "no polling while shutting down")
        h.childExits(.signaled(signal))
        #expect(h.exitCode == 128 + signal)
        #expect(h.spawned.count == 1)
    }

    /// Messages name signals as people know them: SIGINT, not "signal 2".
    @Test func signalsAreNamedInMessages() {
        var h = WatchHarness()
        h.feed(.signal(2))
        h.feed(.signal(2))
        h.childExits(.signaled(9))
        #expect(h.logs.contains { $0.hasPrefix("received SIGINT; forwarded") }, "\(h.logs)")
        #expect(h.logs.contains { $0.hasPrefix("received SIGINT again;") }, "\(h.logs)")
        #expect(h.logs.contains("the command was killed by SIGKILL; exiting with 137"), "\(h.logs)")
        #expect(!h.logs.contains { $0.contains("signal 2") || $0.contains("signal 9") }, "\(h.logs)")
        #expect(ChildStatus.signaled(64).text == "was killed by signal 64")
    }

    @Test func aChildThatTrapsTermAndExitsCleanlyPassesZero() {
        var h = WatchHarness()
        h.feed(.signal(15))
        h.childExits(.exited(0))
        #expect(h.exitCode == 0)
    }

    @Test func aSecondStopSignalKillsTheGroup() {
        var h = WatchHarness()
        h.feed(.signal(15))
        h.feed(.signal(2))
        #expect(h.signalsSent.map(\.signal) == [15, 9])
        h.feed(.signal(15))
        #expect(h.signalsSent.map(\.signal) == [15, 9], "SIGKILL once")
        h.childExits(.signaled(9))
        #expect(h.exitCode == 137)
    }

    @Test func theStopTimeoutKillsAChildThatIgnoresTheForwardedSignal() {
        var h = WatchHarness()  // stopTimeout 5
        h.feed(.signal(15))
        h.advance(by: 4.9)
        #expect(h.signalsSent.map(\.signal) == [15])
        h.advance(by: 0.1)
        #expect(h.signalsSent.map(\.signal) == [15, 9])
    }

    @Test func aStopSignalDuringARestartShutsDownWithoutANewChild() {
        var h = WatchHarness()
        h.poll(answer: .environment(["A": "2"], etag: nil))
        h.feed(.signal(15))
        h.childExits(.exited(0))
        #expect(h.spawned.count == 1)
        #expect(h.exitCode == 0)
    }

    @Test func aStopSignalBetweenChildrenExitsAsIfKilledByIt() {
        var h = WatchHarness()
        h.poll(answer: .environment(["A": "2"], etag: nil))
        h.childExits(.exited(0), groupEmpty: false)
        h.feed(.signal(15))
        #expect(h.exitCode == 143)
        #expect(h.signalsSent.map(\.signal) == [15, 9])
        #expect(h.spawned.count == 1)
    }

    @Test(arguments: [(ChildStatus.exited(0), Int32(0)), (.exited(7), 7), (.signaled(9), 137), (.signaled(11), 139)])
    func aChildExitingOnItsOwnEndsWithItsStatusAndStopsItsGroup(status: ChildStatus, code: Int32) {
        var h = WatchHarness()
        h.childExits(status)
        #expect(h.exitCode == code)
        #expect(h.signalsSent.map(\.signal) == [15])
        #expect(h.signalsSent.map(\.pgid) == [101])
        #expect(h.spawned.count == 1, "never restarted by soup-run")
        #expect(h.machine.nextDeadline == nil)
    }

    @Test func orphansReapedAreIgnored() {
        var h = WatchHarness()
        h.feed(.childExited(pid: 4242, status: .exited(0)))
        #expect(h.exitCode == nil)
        #expect(h.machine.phase == .running(pid: 101))
    }

    @Test func theConfiguredStopSignalIsUsedForRestarts() {
        var h = WatchHarness(settings: Configuration.Watch(interval: 10, stopSignal: 2, stopTimeout: 5, splay: 0))
        h.poll(answer: .environment(["A": "2"], etag: nil))
        #expect(h.signalsSent.map(\.signal) == [2])
    }
}
