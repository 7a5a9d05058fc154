import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--watch` restarts, end to end: the built soup-run, soup-dev-server, `/bin/sh` children.
@Suite("soup-run --watch: restarts", .serialized)
struct WatchRestartEndToEndTests {
    @Test func aChangeThroughTheAPIRestartsTheChildAndUnchangedPollsDoNot() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let run = try startWatch(apiURL: server.apiURL, options: ["--stop-timeout", "5"], command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        #expect(run.stdoutText.contains("value=unset"))

        // Several polls with nothing changed (304s and equal environments): no restart.
        #expect(watchWaitUntil(run, timeout: 30) { watchCount(of: "secrets not modified", in: run.stderrText) >= 3 })
        #expect(!run.stdoutText.contains("ready 2"))

        let changed = Date()
        try server.setSecret("WATCHED", "first", token: DevServer.demoToken)
        #expect(run.waitForOutput("ready 2 ", in: .stdout, timeout: 30))
        let elapsed = Date().timeIntervalSince(changed)
        #expect(run.stdoutText.contains("got TERM 1"), "the old child got the stop signal")
        #expect(run.stdoutText.contains("ready 2 pid=") && run.stdoutText.contains("value=first"))
        #expect(elapsed < 0.2 * 1.1 + 5 + 10, "within interval + stop time (+ generous slack): \(elapsed) s")
        #expect(run.stderrText.contains("secrets changed (added: WATCHED); restarting the command"))
        #expect(!run.stderrText.contains("first"), "values never appear in logs")

        try server.setSecret("WATCHED", "second", token: DevServer.demoToken)
        #expect(run.waitForOutput("ready 3 ", in: .stdout, timeout: 30))
        #expect(run.stdoutText.contains("value=second"))
        #expect(run.stderrText.contains("secrets changed (changed: WATCHED)"))

        _ = try server.curl(["-X", "DELETE", server.secretsURL() + "/WATCHED"], token: DevServer.demoToken)
        #expect(run.waitForOutput("ready 4 ", in: .stdout, timeout: 30))
        #expect(run.stderrText.contains("secrets changed (removed: WATCHED)"))

        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(0))
        #expect(watchCount(of: "ready ", in: result.stdoutText) == 4, "one start per change, none for unchanged polls")
    }

    @Test func aChildIgnoringTheStopSignalIsKilledAfterTheStopTimeout() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let run = try startWatch(
            apiURL: server.apiURL, options: ["--stop-timeout", "0.5"], command: script.command("ignore-term"))
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        try server.setSecret("WATCHED", "v", token: DevServer.demoToken)
        #expect(run.waitForOutput("ready 2 ", in: .stdout, timeout: 30))
        #expect(run.stderrText.contains("did not stop within 0.5 s of signal 15; killing its process group"))
        #expect(!run.stdoutText.contains("got TERM"))
        run.signal(SIGKILL)  // the new child ignores TERM too; PDEATHSIG (TERM) would not end it
        _ = run.wait(timeout: 30)
        if let child = watchPid(after: "ready 2 pid", in: run.stdoutText) { kill(child, SIGKILL) }
    }

    @Test func aBackgroundGrandchildIsGoneAfterARestart() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let run = try startWatch(
            apiURL: server.apiURL, options: ["--stop-timeout", "0.5"], command: script.command("grandchild"))
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        let grandchild = try #require(watchPid(after: "grandchild", in: run.stdoutText))
        #expect(watchProcessExists(grandchild))
        try server.setSecret("WATCHED", "v", token: DevServer.demoToken)
        #expect(run.waitForOutput("ready 2 ", in: .stdout, timeout: 30))
        // Killed with the old group and reaped by soup-run (subreaper) before the new child started.
        #expect(!watchProcessExists(grandchild))
        let second = try #require(
            watchPid(after: "grandchild", in: String(run.stdoutText.split(separator: "ready 1").last ?? "")))

        // The grandchild ignores TERM once it has exec'd sleep (the `trap ''` runs first): wait for
        // that, or a TERM that comes sooner ends it and nothing is left to stop.
        #expect(
            watchWaitUntil(run, timeout: 30) {
                (try? String(contentsOfFile: "/proc/\(second)/comm", encoding: .utf8)) == "sleep\n"
            })
        // TERM reaches the group: the child exits 0, its grandchild ignores TERM. soup-run
        // sends the stop signal to what is left, SIGKILLs it after --stop-timeout, then exits.
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(0))
        #expect(
            result.stderrText.contains("processes left in the command's group did not stop within 0.5 s"),
            "stderr: \(result.stderrText)")
        // Killed and reaped by soup-run (subreaper) before it exited: nothing orphaned.
        if watchProcessExists(second) {
            Issue.record("the grandchild \(second) outlived soup-run")
            kill(second, SIGKILL)
        }
    }

    @Test func splayDelaysTheRestartWithinItsBound() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let run = try startWatch(apiURL: server.apiURL, options: ["--splay", "1"], command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        let changed = Date()
        try server.setSecret("WATCHED", "v", token: DevServer.demoToken)
        #expect(run.waitForOutput("ready 2 ", in: .stdout, timeout: 30))
        #expect(Date().timeIntervalSince(changed) < 1 + 0.22 + 10)
        #expect(run.stderrText.contains("restarting the command in "))
        #expect(run.stderrText.contains(" s (--splay)"))
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
    }
}
