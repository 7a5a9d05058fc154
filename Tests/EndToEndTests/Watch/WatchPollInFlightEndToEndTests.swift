import Foundation
import SoupCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// TERM while a poll waits on a server that does not answer: the supervisor leaves at once with
/// the child's status; it never waits for the request (the poll runs on its own thread, and
/// soup-run ends with `_exit`, which takes that thread with it).
@Suite("soup-run --watch: TERM with a poll in flight", .serialized)
struct WatchPollInFlightEndToEndTests {
    /// The server's side: how many requests came, and whether it answered a held one.
    final class Stall: Sendable {
        let requests = Locked(0)
        let answered = Locked(false)
        /// Signalled once at the end of the test: the held polls are answered then, not before.
        let release = DispatchSemaphore(value: 0)
    }

    @Test func termEndsTheWatcherWhileTheServerHoldsThePoll() throws {
        let stall = Stall()
        let api = try FakeAPI { _ in
            // The start-up's request is answered; every poll after it is held.
            let earlier = stall.requests.update { count -> Int in
                defer { count += 1 }
                return count
            }
            if earlier == 0 { return FakeAPI.secrets(["A": "1"]) }
            // Bounded: the test signals it at its end; a minute at most if it never does.
            _ = stall.release.wait(timeout: .now() + 60)
            stall.answered.withLock { $0 = true }
            return FakeAPI.json(304, "")
        }
        defer { for _ in 0..<8 { stall.release.signal() } }
        let run = try startWatch(
            apiURL: api.apiURL, options: ["--timeout", "60"],
            command: ["/bin/sh", "-c", "echo ready; exec sleep 1000"],
            token: "t")
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready", in: .stdout, timeout: 30))
        #expect(watchWaitUntil(run, timeout: 30) { stall.requests.withLock { $0 } >= 2 }, "a poll is in flight")
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(143), "the child's status: killed by TERM")
        #expect(!stall.answered.withLock { $0 }, "soup-run left while the server still held the poll")
    }
}
