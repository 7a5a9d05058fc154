import SoupTestSupport
import Testing

@testable import SoupRun

@Suite struct IdleFlushTests {
    @Test func nothingHeldWaitsTheUsualBound() {
        #expect(IdleFlush.timeout(heldSince: [nil, nil], now: 10, idle: 0.05) == nil)
        #expect(IdleFlush.due(heldSince: [nil, nil], now: 1e9, idle: 0.05).isEmpty)
    }

    @Test func theWaitEndsAtTheEarliestHoldingStreamsDeadline() {
        #expect(IdleFlush.timeout(heldSince: [10.0, nil], now: 10.0, idle: 0.05) == 50)
        // (The sums are binary fractions: 30 may come out as 30.000001, rounded up to 31.)
        #expect((30...31).contains(IdleFlush.timeout(heldSince: [nil, 10.0], now: 10.02, idle: 0.05)!))
        #expect((10...11).contains(IdleFlush.timeout(heldSince: [10.03, 10.0], now: 10.04, idle: 0.05)!))
        // Rounded up to whole milliseconds, never 0 before the deadline.
        #expect(IdleFlush.timeout(heldSince: [10.0, nil], now: 10.0499, idle: 0.05) == 1)
        #expect(IdleFlush.timeout(heldSince: [10.0, nil], now: 10.05, idle: 0.05) == 0)
        #expect(IdleFlush.timeout(heldSince: [10.0, nil], now: 99, idle: 0.05) == 0)
    }

    @Test func eachStreamIsReleasedOnItsOwnClock() {
        // stderr gave bytes just now: stdout's held bytes go anyway, stderr's stay.
        #expect(IdleFlush.due(heldSince: [10.0, 10.06], now: 10.06, idle: 0.05) == [0])
        #expect(IdleFlush.due(heldSince: [10.0, 10.0], now: 10.05, idle: 0.05) == [0, 1])
        #expect(IdleFlush.due(heldSince: [10.0, nil], now: 10.049, idle: 0.05).isEmpty)
        #expect(IdleFlush.due(heldSince: [nil, 10.0], now: 10.05, idle: 0.05) == [1])
    }

    @Test func theWaitAndTheReleaseAgree() {
        // Seeded: whenever the wait is 0, some stream is due; whenever one is due, the wait is 0.
        var generator = SplitMix64(seed: 15)
        for _ in 0..<10_000 {
            let now = Double(generator.next() % 1000) / 1000
            let held = (0..<2).map { _ in generator.next() % 3 == 0 ? nil : Double(generator.next() % 1000) / 1000 }
            let wait = IdleFlush.timeout(heldSince: held, now: now, idle: 0.05)
            let due = IdleFlush.due(heldSince: held, now: now, idle: 0.05)
            #expect((wait == 0) == !due.isEmpty, "\(held) at \(now)")
            #expect((wait == nil) == held.allSatisfy { $0 == nil })
        }
    }
}
