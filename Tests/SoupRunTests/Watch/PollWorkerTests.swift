import Dispatch
import SoupCore
import Testing

@testable import SoupRun

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("PollWorker: one kept thread for every poll")
struct PollWorkerTests {
    /// Waits (bounded) for the worker's result.
    static func result(of worker: PollWorker) -> PollResult? {
        for _ in 0..<3000 {
            if let result = worker.take() { return result }
            _ = DispatchSemaphore(value: 0).wait(timeout: .now() + .milliseconds(10))
        }
        return nil
    }

    @Test func everyPollRunsOnTheSameThreadInTurn() {
        let threads = Locked<[Int]>([])
        let tags = Locked<[String?]>([])
        let worker = PollWorker { etag in
            threads.withLock { $0.append(Int(bitPattern: pthread_self())) }
            tags.withLock { $0.append(etag) }
            return .notModified
        }
        for tag in ["e1", nil, "e3", "e4"] {
            #expect(worker.start(ifNoneMatch: tag) == nil)
            #expect(Self.result(of: worker) == .notModified)
            #expect(worker.take() == nil, "a result is taken once")
        }
        #expect(tags.withLock { $0 } == ["e1", nil, "e3", "e4"])
        let seen = threads.withLock { $0 }
        #expect(seen.count == 4)
        #expect(Set(seen).count == 1, "one thread for all polls")
        #expect(seen.first != Int(bitPattern: pthread_self()), "not the caller's thread")
    }
}
