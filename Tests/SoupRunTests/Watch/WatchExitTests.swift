import Testing
@testable import SoupRun

/// Leaving: once the child has ended, soup-run stops what is left of its process group (a
/// grandchild that ignores the stop signal is SIGKILLed) before it exits with the child's status.
@Suite("WatchMachine: exiting waits for the child's group")
struct WatchExitTests {
    @Test func aChildEndingOnItsOwnLeavesNothingRunning() {
        var h = WatchHarness()  // stopTimeout 5
        h.childExits(.exited(7), groupEmpty: false)  // a grandchild ignores TERM
        #expect(h.exitCode == nil, "not before the group is empty")
        #expect(h.signalsSent.map(\.signal) == [15, 18])
        #expect(h.machine.awaitedGroup == 101)
        let endedAt = h.now
        h.advance(to: endedAt + 4.9)
        #expect(h.signalsSent.map(\.signal) == [15, 18])
        h.advance(to: endedAt + 5)
        #expect(h.signalsSent.map(\.signal) == [15, 18, 9])
        #expect(h.signalsSent.map(\.pgid) == [101, 101, 101])
        #expect(h.logs(.warning).contains { $0.contains("processes left in the command's group did not stop") })
        #expect(h.exitCode == nil)
        h.feed(.groupGone(pgid: 101))
        #expect(h.exitCode == 7, "the child's status, not the grandchild's")
        #expect(h.spawned.count == 1, "never restarted")
    }

    @Test func aLeaderThatSurvivesSigkillDoesNotHoldTheShutdownForever() {
        var h = WatchHarness()  // stopTimeout 5, killGrace 5
        h.feed(.signal(15))
        let signalledAt = h.now
        h.advance(to: signalledAt + 5)
        #expect(h.signalsSent.map(\.signal) == [15, 18, 9])
        h.advance(to: signalledAt + 9.9)
        #expect(h.exitCode == nil, "the grace after SIGKILL is not over")
        h.advance(to: signalledAt + 10)
        #expect(h.exitCode == 143)
        #expect(h.logs(.warning).contains { $0.contains("has not exited") && $0.contains("exiting anyway") })
    }

    @Test func aSecondSignalStartsTheGraceToo() {
        var h = WatchHarness()
        h.feed(.signal(2))
        h.feed(.signal(2))
        #expect(h.signalsSent.map(\.signal) == [2, 18, 9])
        h.advance(by: 5)
        #expect(h.exitCode == 130)
    }

    @Test func aGroupThatEmptiesAtOnceExitsAtOnce() {
        var h = WatchHarness()
        h.childExits(.signaled(11))
        #expect(h.exitCode == 139)
        #expect(h.signalsSent.map(\.signal) == [15, 18])
    }

    @Test func noPollAndNoRestartWhileTheGroupEmpties() {
        var h = WatchHarness()
        h.childExits(.exited(0), groupEmpty: false)
        h.advance(by: 4)
        #expect(h.pendingPolls.isEmpty)
        #expect(h.machine.nextDeadline == h.now + 1, "only the kill deadline")
        #expect(h.machine.handle(.pollFinished(.environment(["A": "2"], etag: nil)), now: h.now).isEmpty)
        #expect(h.spawned.count == 1)
    }

    @Test func aGroupThatSurvivesSigkillIsLeftAfterTheGrace() {
        var h = WatchHarness()  // killGrace 5
        h.childExits(.exited(3), groupEmpty: false)
        let endedAt = h.now
        h.advance(to: endedAt + 5)
        h.advance(to: endedAt + 9.9)
        #expect(h.exitCode == nil)
        h.advance(to: endedAt + 10)
        #expect(h.exitCode == 3)
        #expect(h.logs(.warning).contains { $0.contains("survived SIGKILL") && $0.contains("exiting anyway") })
    }

    @Test(arguments: [Int32(15), 2])
    func aStopSignalWhileTheGroupEmptiesKillsItAndKeepsTheChildsStatus(signal: Int32) {
        var h = WatchHarness()
        h.childExits(.exited(4), groupEmpty: false)
        h.feed(.signal(signal))
        #expect(h.signalsSent.map(\.signal) == [15, 18, 9])
        #expect(h.exitCode == 4)
    }

    @Test func afterAForwardedSignalTheShutdownDeadlineBoundsTheGroup() {
        var h = WatchHarness()  // stopTimeout 5
        let signalledAt = h.now
        h.feed(.signal(2))
        h.advance(to: signalledAt + 1)
        h.childExits(.signaled(2), groupEmpty: false)
        #expect(h.signalsSent.map(\.signal) == [2, 18, 15, 18], "what is left gets the stop signal")
        #expect(h.exitCode == nil)
        h.advance(to: signalledAt + 4.9)
        #expect(h.signalsSent.map(\.signal) == [2, 18, 15, 18])
        h.advance(to: signalledAt + 5)
        #expect(
            h.signalsSent.map(\.signal) == [2, 18, 15, 18, 9], "5 s after the forwarded signal, not after the exit")
        h.feed(.groupGone(pgid: 101))
        #expect(h.exitCode == 130)
    }

    @Test func afterASigkilledShutdownTheGroupIsOnlyWaitedFor() {
        var h = WatchHarness()
        h.feed(.signal(15))
        h.feed(.signal(15))  // the second one kills the group
        h.childExits(.signaled(9), groupEmpty: false)
        #expect(h.signalsSent.map(\.signal) == [15, 18, 9], "no stop signal after SIGKILL")
        #expect(h.exitCode == nil)
        h.advance(by: 5)
        #expect(h.exitCode == 137, "given up after the kill grace")
    }

    @Test func aShutdownWhoseGroupIsEmptyExitsAtOnce() {
        var h = WatchHarness()
        h.feed(.signal(15))
        h.childExits(.exited(0))
        #expect(h.exitCode == 0)
    }
}
