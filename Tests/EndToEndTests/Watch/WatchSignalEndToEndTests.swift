import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signals and exit statuses under `--watch`, end to end.
@Suite("soup-run --watch: signals and exit status", .serialized)
struct WatchSignalEndToEndTests {
    @Test func hupUsr1Usr2AndWinchReachTheChildOnceAndChangeNothing() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let run = try startWatch(apiURL: server.apiURL, command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        for (signal, name) in [(SIGHUP, "HUP"), (SIGUSR1, "USR1"), (SIGUSR2, "USR2"), (SIGWINCH, "WINCH")] {
            run.signal(signal)
            #expect(run.waitForOutput("got \(name) 1", in: .stdout, timeout: 30), "signal \(name)")
        }
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(0))
        for name in ["HUP", "USR1", "USR2", "WINCH", "TERM"] {
            #expect(watchCount(of: "got \(name) 1", in: result.stdoutText) == 1, "\(name) exactly once")
        }
        #expect(!result.stdoutText.contains("ready 2"), "signals never restart the child")
    }

    @Test(arguments: [(SIGTERM, "TERM"), (SIGINT, "INT"), (SIGQUIT, "QUIT")])
    func termIntAndQuitAreForwardedOnceAndSoupRunWaitsForTheChild(signal: Int32, name: String) throws {
        let server = try DevServer()
        let script = try WatchScript()
        let run = try startWatch(apiURL: server.apiURL, command: script.command(), environment: ["TERM_EXIT": "5"])
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        run.signal(signal)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(5))
        #expect(watchCount(of: "got ", in: result.stdoutText) == 1)
        #expect(result.stdoutText.contains("got \(name) 1"))
    }

    @Test(arguments: [("0", Int32(0)), ("7", 7)])
    func theChildsExitStatusAfterTermIsSoupRunsStatus(termExit: String, expected: Int32) throws {
        let server = try DevServer()
        let script = try WatchScript()
        let run = try startWatch(apiURL: server.apiURL, command: script.command(), environment: ["TERM_EXIT": termExit])
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(expected))
    }

    @Test(arguments: [("exit 0", Int32(0)), ("exit 7", 7), ("kill -KILL $$", 137), ("kill -USR1 $$", 138)])
    func aChildEndingOnItsOwnPassesItsStatusOn(ending: String, expected: Int32) throws {
        let server = try DevServer()
        let run = try startWatch(apiURL: server.apiURL, command: ["/bin/sh", "-c", "echo ready; \(ending)"])
        defer { watchKillChildren(of: run) }
        let result = run.wait(timeout: 30)
        #expect(result.stdoutText == "ready\n")
        #expect(result.termination == .exited(expected))
    }

    @Test func aSecondTermKillsAChildThatIgnoresTheFirst() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let run = try startWatch(
            apiURL: server.apiURL, options: ["--stop-timeout", "60"], command: script.command("ignore-term"))
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        run.signal(SIGTERM)
        #expect(watchWaitUntil(run, timeout: 30) { run.stderrText.contains("received SIGTERM; forwarded") })
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(137))
        #expect(result.elapsed < 30, "the second TERM, not the 60 s stop timeout, ended it")
    }

    @Test func theStopTimeoutEndsAShutdownTheChildIgnores() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let run = try startWatch(
            apiURL: server.apiURL, options: ["--stop-timeout", "0.3"], command: script.command("ignore-term"))
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(137))
        #expect(result.stderrText.contains("did not exit within 0.3 s of signal 15"))
    }

    #if os(Linux)
        @Test func killingSoupRunWithSigkillSendsTheChildSigterm() throws {
            let server = try DevServer()
            let script = try WatchScript()
            let run = try startWatch(apiURL: server.apiURL, command: script.command())
            defer { watchKillChildren(of: run) }
            #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
            let child = try #require(watchPid(after: "ready 1 pid", in: run.stdoutText))
            run.signal(SIGKILL)
            #expect(run.wait(timeout: 30).termination == .signaled(SIGKILL))
            let deadline = Date().addingTimeInterval(30)
            while !script.events.contains("got TERM 1") && Date() < deadline {
                usleep(20_000)  // polling a file the orphaned child writes; bounded by the deadline
            }
            #expect(script.events == ["got TERM 1"])
            if watchProcessExists(child) { kill(child, SIGKILL) }
        }
    #endif
}
