import Testing

@testable import SoupRun

@Suite("WatchMachine and PollSchedule: polling under a rate limit")
struct WatchRateLimitTests {
    static func refused(_ retryAfter: Double?) -> PollResult {
        .failed(PollFailure(state: "http 429", message: "HTTP 429", retryAfter: retryAfter, rateLimited: true))
    }

    static let oneSecond = Configuration.Watch(interval: 1, stopSignal: 15, stopTimeout: 5, splay: 0)

    @Test func theEffectiveIntervalDoublesAtLeastToRetryAfterAndIsCapped() {
        #expect(PollSchedule.slowedDown(1, interval: 1, retryAfter: nil) == 2)
        #expect(PollSchedule.slowedDown(1, interval: 1, retryAfter: 40) == 40)
        #expect(PollSchedule.slowedDown(40, interval: 1, retryAfter: 5) == 80)
        #expect(PollSchedule.slowedDown(200, interval: 1, retryAfter: nil) == 300)
        #expect(PollSchedule.slowedDown(600, interval: 600, retryAfter: 10) == 600, "never below --interval")
    }

    @Test func answersBringItBackByATwentiethEachDownToTheInterval() {
        #expect(PollSchedule.recovered(100, interval: 1) == 95)
        #expect(PollSchedule.recovered(1.04, interval: 1) == 1)
        var effective = 300.0
        var polls = 0
        while effective > 1 {
            effective = PollSchedule.recovered(effective, interval: 1)
            polls += 1
        }
        #expect(polls == 112, "gradually: from 5 minutes to 1 s over 112 answers")
    }

    @Test(arguments: [0.0, 0.5, 0.999_999])
    func answeredPollsKeepTenPercentJitterAtTheIntervalAndFiftyWhileSlowed(unit: Double) {
        #expect(abs(PollSchedule.answered(effective: 10, interval: 10, unit: unit) - 10 * (0.9 + 0.2 * unit)) < 1e-9)
        #expect(abs(PollSchedule.answered(effective: 80, interval: 1, unit: unit) - 80 * (0.5 + unit)) < 1e-6)
    }

    @Test func aRateLimitedStartUpSlowsThePollsToThreeTimesItsWait() {
        #expect(PollSchedule.afterRateLimitedStartUp(wait: 45, interval: 1) == 135)
        #expect(PollSchedule.afterRateLimitedStartUp(wait: 0.5, interval: 1) == 2, "at least twice --interval")
        #expect(PollSchedule.afterRateLimitedStartUp(wait: 200, interval: 1) == 300, "capped")
        #expect(PollSchedule.afterRateLimitedStartUp(wait: 10, interval: 600) == 600, "never beyond a longer interval")
    }

    @Test(arguments: [0.0, 0.25, 0.5, 0.999_999])
    func aRefusedPollWaitsRetryAfterPlusARandomShare(unit: Double) {
        // At least a quarter of the share: start-ups refused together (a twentieth) come back first.
        let part = 0.25 + 0.75 * unit
        let delay = PollSchedule.rateLimitedDelay(retryAfter: 30, effective: 40, interval: 1, unit: unit)
        #expect(abs(delay - (30 + 40 * part)) < 1e-9)
        let long = PollSchedule.rateLimitedDelay(retryAfter: 30, effective: 300, interval: 1, unit: unit)
        #expect(abs(long - (30 + 120 * part)) < 1e-9, "the share comes from at most 2 minutes")
        let capped = PollSchedule.rateLimitedDelay(retryAfter: 3600, effective: 2, interval: 1, unit: unit)
        #expect(abs(capped - (300 + 2 * part)) < 1e-9)
        let again = PollSchedule.rateLimitedDelay(retryAfter: 30, effective: 40, interval: 1, refusals: 4, unit: unit)
        #expect(abs(again - (30 + 10 * part)) < 1e-9, "the fourth refusal in a row: a quarter of the share")
    }

    @Test func refusedPollsSpreadGrowAndComeBackGradually() {
        var h = WatchHarness(settings: Self.oneSecond, random: [0.5])
        var gaps: [Double] = []
        var at = h.now
        h.poll(answer: Self.refused(10))
        for _ in 0..<3 {
            at = h.now
            h.poll(answer: Self.refused(10))
            gaps.append((h.now - at).rounded())
        }
        // Retry-After 10 plus 0.625 (the random 0.5 between a quarter and all) of the effective
        // interval, which goes 10 (Retry-After), 20, 40, 80, divided by the refusals in a row.
        #expect(gaps == [16, 16, 18])
        #expect(h.machine.effectiveInterval == 80)
        at = h.now
        h.poll(answer: .notModified)
        #expect((h.now - at).rounded() == 23)
        var answered: [Double] = []
        for _ in 0..<3 {
            at = h.now
            h.poll(answer: .notModified)
            answered.append(h.now - at)
        }
        #expect(answered.map { $0.rounded() } == [76, 72, 69], "a twentieth shorter per answer, not at once")
        #expect(h.machine.refusals == 0, "an answer ends the refusals in a row")
        #expect(h.logs(.warning).count == 1, "a rate limit is one state, logged once")
        #expect(h.logs(.info) == ["secrets API answering again; polling every 80 s, back to 1 s gradually"])
    }

    @Test func differentRandomValuesDoNotPollInStep() {
        var times: Set<Double> = []
        for unit in [0.1, 0.3, 0.6, 0.9] {
            var h = WatchHarness(settings: Self.oneSecond, random: [0.5, unit])
            h.poll(answer: Self.refused(30))
            let at = h.now
            h.poll(answer: .notModified)
            times.insert((h.now - at).rounded())
        }
        #expect(times.count == 4)
    }

    @Test func aRateLimitedStartUpPollsFirstAsAfterARefusedPoll() {
        var machine = WatchMachine(settings: Self.oneSecond, environment: [:], etag: nil, random: { 0.5 })
        machine.startRateLimited(retryAfter: 45)
        #expect(machine.effectiveInterval == 135)
        _ = machine.start(now: 0)
        // 45 s, then 0.625 of the share (the effective interval, at most 2 minutes).
        #expect(machine.nextDeadline == 120)
    }

    @Test func otherFailuresKeepTheirBackoffAndLeaveTheEffectiveInterval() {
        var h = WatchHarness(settings: Self.oneSecond, random: [0.5])
        h.poll(answer: .failed(PollFailure(state: "http 503", message: "HTTP 503")))
        #expect(h.machine.effectiveInterval == 1)
    }
}

@Suite struct UnitRandomTests {
    @Test func valuesStayInTheUnitIntervalAndSpreadOverIt() {
        let random = UnitRandom()
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 {
            let value = random.next()
            #expect(value >= 0 && value < 1)
            buckets[min(9, Int(value * 10))] += 1
        }
        #expect(buckets.allSatisfy { $0 > 800 && $0 < 1200 }, "roughly uniform: \(buckets)")
    }

    @Test func twoGeneratorsAreSeededApart() {
        #expect((0..<4).map { _ in UnitRandom().next() } != (0..<4).map { _ in UnitRandom().next() })
    }
}
