import Testing
@testable import SoupRun

@Suite("WatchMachine: fetch failures, backoff, splay")
struct WatchFailureTests {
    static let failure500 = PollResult.failed(PollFailure(state: "http 500", message: "HTTP 500"))
    static let network = PollResult.failed(PollFailure(state: "network", message: "connection refused"))

    /// Seconds between consecutive polls while every answer is `result`.
    static func gaps(_ h: inout WatchHarness, answering result: PollResult, count: Int) -> [Double] {
        var times: [Double] = []
        for _ in 0..<count {
            h.poll(answer: result)
            times.append(h.now)
        }
        return zip(times.dropFirst(), times).map { ($0 - $1).rounded() }
    }

    @Test func backoffDoublesFromTheIntervalUpToFiveMinutes() {
        var h = WatchHarness(random: [0.5])  // 0.5 → no jitter
        #expect(Self.gaps(&h, answering: Self.failure500, count: 8) == [20, 40, 80, 160, 300, 300, 300])
    }

    @Test func recoveryReturnsToTheInterval() {
        var h = WatchHarness(random: [0.5])
        _ = Self.gaps(&h, answering: Self.network, count: 4)
        h.poll(answer: .notModified)
        let recoveredAt = h.now
        h.poll(answer: .notModified)
        #expect((h.now - recoveredAt).rounded() == 10)
        #expect(h.logs(.info).contains("secrets API answering again; polling every 10 s"))
        h.poll(answer: Self.network)
        let failedAt = h.now
        h.poll(answer: Self.network)
        #expect((h.now - failedAt).rounded() == 20, "the backoff starts over after recovery")
    }

    @Test func retryAfterIsHonouredAndCapped() {
        var h = WatchHarness(
            settings: Configuration.Watch(interval: 1, stopSignal: 15, stopTimeout: 5, splay: 0), random: [0.5])
        h.poll(answer: .failed(PollFailure(state: "http 429", message: "HTTP 429", retryAfter: 30)))
        var at = h.now
        h.poll(answer: .failed(PollFailure(state: "http 429", message: "HTTP 429", retryAfter: 3600)))
        #expect((h.now - at).rounded() == 30)
        at = h.now
        h.poll(answer: .notModified)
        #expect((h.now - at).rounded() == 300)
        // A Retry-After shorter than the backoff does not shorten it.
        h.poll(answer: Self.failure500)
        at = h.now
        h.poll(answer: .failed(PollFailure(state: "http 503", message: "HTTP 503", retryAfter: 0.5)))
        #expect((h.now - at).rounded() == 2)
    }

    @Test func failuresAreLoggedOncePerStateChange() {
        var h = WatchHarness()
        for _ in 0..<4 { h.poll(answer: Self.failure500) }
        #expect(h.logs(.warning).count == 1)
        for _ in 0..<3 { h.poll(answer: Self.network) }
        #expect(h.logs(.warning).count == 2)
        h.poll(answer: Self.failure500)
        #expect(h.logs(.warning).count == 3)
        h.poll(answer: .notModified)
        #expect(h.logs(.info).filter { $0.contains("answering again") }.count == 1)
        h.poll(answer: .notModified)
        #expect(h.logs(.info).filter { $0.contains("answering again") }.count == 1)
        #expect(
            h.logs(.warning).first?.hasPrefix("cannot refresh secrets: HTTP 500; the command keeps its current secrets")
                == true)
        #expect(h.spawned.count == 1 && h.signalsSent.isEmpty, "the child is left alone")
    }

    @Test func splayDelaysTheRestartWhileTheOldChildKeepsRunning() {
        var h = WatchHarness(
            settings: Configuration.Watch(interval: 10, stopSignal: 15, stopTimeout: 5, splay: 4),
            random: [0.5, 0.5, 0.75])
        h.poll(answer: .environment(["A": "2"], etag: nil))
        let changedAt = h.now
        guard case .restartPending(101, let at) = h.machine.phase else {
            Issue.record("expected a pending restart, got \(h.machine.phase)")
            return
        }
        #expect(at == changedAt + 3)  // 0.75 × 4
        h.advance(to: changedAt + 2.9)
        #expect(h.signalsSent.isEmpty)
        h.feed(.signal(1))
        #expect(h.signalsSent.map(\.signal) == [1], "the old child still gets forwarded signals")
        h.advance(to: changedAt + 3)
        #expect(h.signalsSent.map(\.signal) == [1, 15])
    }

    @Test func aChangeRevertedDuringSplayCancelsTheRestart() {
        var h = WatchHarness(settings: Configuration.Watch(interval: 1, stopSignal: 15, stopTimeout: 5, splay: 100))
        h.poll(answer: .environment(["A": "2"], etag: nil))
        h.poll(answer: .environment(["A": "1", "PATH": "/bin"], etag: nil))
        #expect(h.machine.phase == .running(pid: 101))
        h.advance(by: 200)
        #expect(h.signalsSent.isEmpty)
        #expect(h.spawned.count == 1)
    }

    @Test func theChildExitingDuringSplayEndsTheSupervisor() {
        var h = WatchHarness(settings: Configuration.Watch(interval: 1, stopSignal: 15, stopTimeout: 5, splay: 100))
        h.poll(answer: .environment(["A": "2"], etag: nil))
        h.childExits(.exited(3))
        #expect(h.exitCode == 3)
        #expect(h.spawned.count == 1)
    }
}

@Suite("PollSchedule and EnvironmentDiff")
struct PollScheduleTests {
    @Test(arguments: [0.0, 0.1, 0.5, 0.9, 0.999_999, 1.0, -3, .infinity, .nan])
    func jitterStaysWithinTenPercent(unit: Double) {
        let value = PollSchedule.jittered(10, unit: unit)
        #expect(value >= 9 && value < 11)
    }

    @Test func jitterEndsAreReached() {
        #expect(PollSchedule.jittered(10, unit: 0) == 9)
        #expect(PollSchedule.jittered(10, unit: 0.999_999) > 10.99)
    }

    @Test(arguments: [0.0, 0.3, 0.999_999, 1.0])
    func splayStaysInHalfOpenRange(unit: Double) {
        let value = PollSchedule.splayDelay(5, unit: unit)
        #expect(value >= 0 && value < 5)
        #expect(PollSchedule.splayDelay(0, unit: unit) == 0)
    }

    @Test func backoffIsCappedEvenForHugeFailureCounts() {
        #expect(PollSchedule.backoff(failures: 10_000, interval: 10, retryAfter: nil, unit: 1) == 300)
        #expect(PollSchedule.backoff(failures: 1, interval: 0.2, retryAfter: nil, unit: 0.5) == 0.4)
        // An interval longer than the cap is never shortened.
        #expect(PollSchedule.backoff(failures: 3, interval: 600, retryAfter: nil, unit: 0.5) == 600)
    }

    @Test(arguments: [0.0, 0.5, 0.999])
    func backoffJitterStaysWithinTenPercentBelowTheCap(unit: Double) {
        let value = PollSchedule.backoff(failures: 2, interval: 10, retryAfter: nil, unit: unit)
        #expect(value >= 36 && value < 44)
    }

    @Test func diffListsKeysSortedByKind() {
        let diff = EnvironmentDiff(old: ["A": "1", "B": "2", "C": "3"], new: ["A": "1", "B": "x", "D": "4", "E": ""])
        #expect(!diff.isEmpty)
        #expect(diff.changed == ["B"] && diff.added == ["D", "E"] && diff.removed == ["C"])
        #expect(diff.summary == "changed: B; added: D, E; removed: C")
        #expect(EnvironmentDiff(old: ["A": "1"], new: ["A": "1"]).isEmpty)
    }

    @Test(arguments: [(0.2, "0.2 s"), (10, "10 s"), (1.25, "1.3 s"), (300, "300 s"), (0.04, "0 s")])
    func secondsFormat(seconds: Double, text: String) {
        #expect(Seconds.format(seconds) == text)
    }
}
