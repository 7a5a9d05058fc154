import Foundation
import Testing

@testable import SoupCore

@Suite("Locked")
struct LockedTests {
    @Test func waitReturnsOnceAnotherThreadMakesTheConditionTrue() {
        let flag = Locked(false)
        let thread = Thread { flag.update { $0 = true } }
        thread.start()
        #expect(flag.wait(seconds: 30) { $0 })
    }

    @Test func waitGivesUpAfterItsTimeoutOnTheMonotonicClock() {
        let flag = Locked(false)
        let started = ContinuousClock.now
        #expect(!flag.wait(seconds: 0.2) { $0 })
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(190), "returned after \(waited)")
        #expect(waited < .seconds(10), "a bounded wait; took \(waited)")
    }

    @Test func aLongWaitEndsAsSoonAsTheConditionHolds() {
        let flag = Locked(false)
        let thread = Thread {
            _ = DispatchSemaphore(value: 0).wait(timeout: .now() + .milliseconds(50))
            flag.update { $0 = true }
        }
        let started = ContinuousClock.now
        thread.start()
        #expect(flag.wait(seconds: 3600) { $0 })
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func aConditionAlreadyTrueDoesNotWait() {
        let flag = Locked(true)
        #expect(flag.wait(seconds: 0) { $0 })
        #expect(flag.withLock { $0 })
    }
}
