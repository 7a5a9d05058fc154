import SoupCore
import Testing

@testable import SoupRun

/// The bounded runner behind concurrent layer fetches.
@Suite struct ConcurrentlyTests {
    @Test func everyJobRunsOnceAndResultsKeepTheirOrder() {
        let results = Concurrently.map(20, limit: 4, bound: 30) { $0 * $0 }
        #expect(results == (0..<20).map { $0 * $0 })
    }

    /// Jobs that hold until a third one starts: with a limit of 2 none ever sees three running.
    @Test func noMoreThanLimitJobsRunAtOnce() {
        let running = Locked((now: 0, most: 0))
        let results = Concurrently.map(8, limit: 2, bound: 30) { index -> Int in
            running.update {
                $0.now += 1
                $0.most = max($0.most, $0.now)
            }
            // Long enough for a third job to start, if the limit allowed one.
            _ = running.wait(seconds: 0.05) { $0.now > 2 }
            running.update { $0.now -= 1 }
            return index
        }
        #expect(results == (0..<8).map { $0 })
        #expect(running.withLock { $0.most } == 2)
    }

    @Test func aJobStillRunningAfterTheBoundComesBackAsNil() {
        let release = Locked(false)
        let results = Concurrently.map(2, limit: 2, bound: 0.2) { index -> Int in
            if index == 1 { _ = release.wait(seconds: 10) { $0 } }
            return index
        }
        release.update { $0 = true }
        #expect(results.count == 2)
        #expect(results[0] == 0)
        #expect(results[1] == nil)
    }

    @Test func oneJobRunsOnTheCallersThread() {
        #expect(Concurrently.map(1, limit: 4, bound: 0) { $0 + 1 } == [1])
        #expect(Concurrently.map(0, limit: 4, bound: 0) { $0 }.isEmpty)
    }
}
