import Testing
@testable import SoupRun

@Suite("WatchMachine: polling and restarts")
struct WatchMachineTests {
    let base = ["A": "1", "PATH": "/bin"]

    @Test func startSpawnsOnceAndPollsAfterAJitteredInterval() {
        var h = WatchHarness(random: [0.0])
        #expect(h.spawned == [base])
        #expect(h.machine.phase == .running(pid: 101))
        #expect(abs(h.machine.nextDeadline! - 1009) < 1e-9)  // 10 s − 10%
        h.advance(to: 1008.9)
        #expect(h.pendingPolls.isEmpty)
        h.advance(to: 1009)
        #expect(h.pendingPolls == [nil])
    }

    @Test func unchangedPollsNeverRestart() {
        var h = WatchHarness()
        for _ in 0..<5 { h.poll(answer: .environment(base, etag: "e1")) }
        for _ in 0..<5 { h.poll(answer: .notModified) }
        #expect(h.spawned.count == 1)
        #expect(h.signalsSent.isEmpty)
    }

    @Test func etagIsSentAsIfNoneMatchOnceGiven() {
        var h = WatchHarness(etag: "e0")
        h.poll(answer: .environment(base, etag: "e1"))
        h.advanceToNextDeadline()
        #expect(h.pendingPolls == ["e1"])
        h.feed(.pollFinished(.failed(PollFailure(state: "http 500", message: "HTTP 500"))))
        h.advanceToNextDeadline()
        #expect(h.pendingPolls == ["e1", "e1"], "a failure keeps the ETag of the good environment")
    }

    @Test func noSecondPollWhileOneIsInFlight() {
        var h = WatchHarness()
        h.advance(by: 10)
        h.advance(by: 100)
        h.advance(by: 1000)
        #expect(h.pendingPolls.count == 1)
        #expect(h.machine.nextDeadline == nil)
    }

    @Test func aChangeRestartsOnceWithTheNewEnvironmentAndLogsOnlyKeys() {
        var h = WatchHarness(environment: ["A": "1", "B": "old-b", "GONE": "x"])
        let new = ["A": "1", "B": "new-secret-b", "C": "added-c"]
        h.poll(answer: .environment(new, etag: nil))
        #expect(h.signalsSent.map(\.signal) == [15])
        #expect(h.signalsSent.map(\.pgid) == [101])
        #expect(h.spawned.count == 1, "the new child waits for the old one")
        h.childExits(.signaled(15))
        #expect(h.spawned.last == new)
        #expect(h.machine.phase == .running(pid: 102))
        #expect(h.machine.restarts == 1)
        let text = h.logs.joined(separator: "\n")
        #expect(text.contains("changed: B; added: C; removed: GONE"))
        #expect(!text.contains("new-secret-b") && !text.contains("old-b") && !text.contains("added-c"))
        // And the next identical poll does nothing.
        h.poll(answer: .environment(new, etag: nil))
        #expect(h.spawned.count == 2)
    }

    @Test func changesDuringARestartAreAbsorbedIntoOne() {
        var h = WatchHarness(settings: Configuration.Watch(interval: 10, stopSignal: 15, stopTimeout: 60, splay: 0))
        h.poll(answer: .environment(["A": "2", "PATH": "/bin"], etag: nil))
        h.poll(answer: .environment(["A": "3", "PATH": "/bin"], etag: nil))
        h.poll(answer: .environment(["A": "4", "PATH": "/bin"], etag: nil))
        #expect(h.signalsSent.count == 1, "one stop signal for three changes")
        #expect(h.logs.filter { $0.contains("the restart in progress will use them") }.count == 2)
        h.childExits(.exited(0))
        #expect(h.spawned.count == 2)
        #expect(h.spawned.last == ["A": "4", "PATH": "/bin"])
    }

    @Test func stopTimeoutEscalatesToSigkillOfTheGroup() {
        var h = WatchHarness()  // stopTimeout 5
        h.poll(answer: .environment(["A": "2"], etag: nil))
        let stoppedAt = h.now
        h.advance(to: stoppedAt + 4.9)
        #expect(h.signalsSent.map(\.signal) == [15])
        h.advance(to: stoppedAt + 5)
        #expect(h.signalsSent.map(\.signal) == [15, 9])
        #expect(h.signalsSent.map(\.pgid) == [101, 101])
        h.childExits(.signaled(9))
        #expect(h.spawned.count == 2)
    }

    @Test func theNewChildWaitsForTheOldGroupToEmpty() {
        var h = WatchHarness()
        h.poll(answer: .environment(["A": "2"], etag: nil))
        let stoppedAt = h.now
        h.childExits(.exited(0), groupEmpty: false)  // a grandchild ignores TERM
        #expect(h.machine.awaitedGroup == 101)
        #expect(h.spawned.count == 1)
        h.advance(to: stoppedAt + 5)
        #expect(h.signalsSent.map(\.signal) == [15, 9])
        h.feed(.groupGone(pgid: 101))
        #expect(h.spawned.count == 2)
    }

    @Test func aGroupThatSurvivesSigkillIsGivenUpOnAfterTheGrace() {
        var h = WatchHarness()
        h.poll(answer: .environment(["A": "2"], etag: nil))
        let stoppedAt = h.now
        h.childExits(.exited(0), groupEmpty: false)
        h.advance(to: stoppedAt + 5)
        h.advance(to: stoppedAt + 5 + 4.9)
        #expect(h.spawned.count == 1)
        h.advance(to: stoppedAt + 5 + 5)
        #expect(h.spawned.count == 2)
        #expect(h.logs(.warning).contains { $0.contains("survived SIGKILL") })
    }

    @Test func aLeaderThatSurvivesSigkillIsNeverJoinedByASecondChild() {
        var h = WatchHarness()
        h.poll(answer: .environment(["A": "2"], etag: nil))
        for _ in 0..<20 { h.advanceToNextDeadline(max: 10) }
        #expect(h.spawned.count == 1)
        #expect(h.logs(.warning).filter { $0.contains("still waiting") }.count == 1)
        h.childExits(.signaled(9))
        #expect(h.spawned.count == 2)
    }

    @Test func badResponsesNeverReplaceTheGoodEnvironment() {
        var h = WatchHarness()
        h.poll(answer: .failed(PollFailure(state: "invalid data", message: "invalid key in the response")))
        h.poll(answer: .failed(PollFailure(state: "http 401", message: "HTTP 401")))
        #expect(h.spawned.count == 1)
        #expect(h.signalsSent.isEmpty)
        #expect(h.machine.desiredEnvironment == base)
        h.poll(answer: .environment(base, etag: nil))
        #expect(h.spawned.count == 1, "recovering with the same environment is not a change")
        h.poll(answer: .environment(["A": "9", "PATH": "/bin"], etag: nil))
        #expect(h.signalsSent.count == 1, "a later change is still picked up")
    }

    @Test func spawnFailureOnRestartExitsWithItsCode() {
        var h = WatchHarness()
        h.poll(answer: .environment(["A": "2"], etag: nil))
        h.failNextSpawn = .notFound(command: "app", searched: .path(directories: 1))
        h.childExits(.exited(0))
        #expect(h.exitCode == 127)
        #expect(h.machine.phase == .finished)
    }

    @Test func spawnFailureAtStartExitsWithItsCode() {
        var machine = WatchMachine(
            settings: Configuration.Watch(interval: 1, stopSignal: 15, stopTimeout: 1, splay: 0),
            environment: [:], etag: nil)
        #expect(machine.start(now: 0) == [.spawn(environment: [:])])
        let actions = machine.handle(.spawnFailed(.notExecutable(command: "x", reason: .permissionDenied)), now: 0)
        #expect(actions.last == .exit(126))
        #expect(machine.phase == .finished)
    }
}
