import Foundation
import SoupDevServer
import Testing

/// What the command inherits from soup-run, exec'd in place or spawned under `--watch`: an
/// empty signal mask, default dispositions (except what soup-run's own parent ignored, as with
/// `nohup`), and no descriptor of soup-run's own — only the ones soup-run itself inherited.
@Suite("soup-run: the command's signal state and descriptors")
struct ProcessHygieneEndToEndTests {
    /// Runs soup-run from bash with every descriptor above 2 closed, fd 7 open on /dev/null and
    /// SIGHUP ignored: what a careful parent (`nohup`, systemd with a socket) passes on.
    static func runFromCleanParent(watch: Bool, command: [String]) throws -> ProcessResult {
        let server = try DevServer()
        let mode = watch ? ["--watch", "--interval", "0.2"] : []
        let soupRun = ([Binaries.soupRun] + mode + ["--api-url", server.apiURL, "my-app", "prod", "--"] + command)
            .map { "'\($0)'" }.joined(separator: " ")
        let wrapper = """
            for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then exec {n}>&-; fi; done
            exec 7</dev/null
            trap '' HUP
            grep ^SigIgn /proc/self/status >&2
            exec \(soupRun)
            """
        return try runProcess(
            "/bin/bash", ["-c", wrapper],
            environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken], timeout: 60)
    }

    /// The descriptors listed by `ls -l /proc/self/fd`, without the one ls opened to list them.
    static func descriptors(in listing: String) -> [Int: String] {
        var result: [Int: String] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard let arrow = parts.firstIndex(of: "->"), arrow > 0, let fd = Int(parts[arrow - 1]) else { continue }
            let target = parts[(arrow + 1)...].joined(separator: " ")
            if target.hasPrefix("/proc/"), target.hasSuffix("/fd") { continue }
            result[fd] = target
        }
        return result
    }

    #if os(Linux)
        @Test(arguments: [false, true])
        func signalMaskIsEmptyAndOnlyInheritedIgnoresRemain(watch: Bool) throws {
            // cat catches no signal itself (grep catches SIGSEGV), so SigCgt is what it inherited.
            let result = try Self.runFromCleanParent(watch: watch, command: ["/bin/cat", "/proc/self/status"])
            #expect(result.termination == .exited(0), "stderr: \(result.stderrText)")
            // The ignores soup-run inherited (SIGHUP from the trap, bit 0, and whatever the test's
            // posix_spawn left) stay; soup-run's own (SIGTTIN/SIGTTOU under --watch) and its
            // handlers (forwarding, and exiting on TERM/INT/HUP/QUIT before the fetch) do not
            // reach the command.
            let parent = try #require(
                result.stderrText.split(separator: "\n").first { $0.hasPrefix("SigIgn:") },
                "stderr: \(result.stderrText)")
            let parentMask = try #require(UInt64(parent.dropFirst("SigIgn:\t".count), radix: 16))
            #expect(parentMask & 1 == 1)
            let lines = result.stdoutText.split(separator: "\n").filter {
                $0.hasPrefix("SigBlk:") || $0.hasPrefix("SigIgn:") || $0.hasPrefix("SigCgt:")
            }
            #expect(lines == ["SigBlk:\t0000000000000000", parent, "SigCgt:\t0000000000000000"])
        }

        @Test(arguments: [false, true])
        func onlyInheritedDescriptorsReachTheCommand(watch: Bool) throws {
            let result = try Self.runFromCleanParent(watch: watch, command: ["/bin/ls", "-l", "/proc/self/fd"])
            #expect(result.termination == .exited(0), "stderr: \(result.stderrText)")
            let fds = Self.descriptors(in: result.stdoutText)
            #expect(fds.keys.sorted() == [0, 1, 2, 7], "listing: \(result.stdoutText)")
            #expect(fds[7] == "/dev/null")
        }
    #endif

    @Test(arguments: [false, true])
    func theCommandIsLookedUpInTheFinalEnvironmentsPath(watch: Bool) throws {
        let server = try DevServer()
        let bin = try TemporaryDirectory(prefix: "soup-path")
        // A symlink, not a written script: a file just written may still be open for writing in
        // a process another test is spawning, and exec then fails with ETXTBSY.
        try FileManager.default.createSymbolicLink(atPath: bin.path + "/only-here", withDestinationPath: "/bin/echo")
        // PATH comes from a secret: only the final environment's PATH can find the command.
        try server.setSecret("PATH", bin.path + ":/usr/bin:/bin", token: DevServer.demoToken)
        let mode = watch ? ["--watch"] : []
        let result = try runSoupRun(
            mode + ["--api-url", server.apiURL, "my-app", "prod", "--", "only-here", "found-in-secret-path"],
            environment: ["SOUP_TOKEN": DevServer.demoToken, "PATH": "/usr/bin:/bin"])
        #expect(result.termination == .exited(0), "stderr: \(result.stderrText)")
        #expect(result.stdoutText == "found-in-secret-path\n")
    }

    @Test(arguments: [false, true])
    func missingAndNonExecutableCommandsExit127And126(watch: Bool) throws {
        let server = try DevServer()
        let dir = try TemporaryDirectory(prefix: "soup-exec")
        let plain = try dir.write("plain.txt", "not a program\n", mode: 0o644)
        let mode = watch ? ["--watch"] : []
        let env = ["SOUP_TOKEN": DevServer.demoToken, "PATH": "/usr/bin:/bin"]
        let missing = try runSoupRun(
            mode + ["--api-url", server.apiURL, "my-app", "prod", "--", "no-such-command-here"], environment: env)
        #expect(missing.termination == .exited(127))
        #expect(
            missing.stderrText.contains("command not found: no-such-command-here (searched the 2 directories of PATH"))
        let notExecutable = try runSoupRun(
            mode + ["--api-url", server.apiURL, "my-app", "prod", "--", plain], environment: env)
        #expect(notExecutable.termination == .exited(126))
        #expect(notExecutable.stderrText.contains("cannot execute \(plain): permission denied"))
    }

    @Test(arguments: [false, true])
    func anEnvironmentTooLargeForExecNamesTheVariable(watch: Bool) throws {
        // More than one variable may hold: soup-dev-server refuses it at POST (413), so it comes in
        // through the state file, as from an API that allows it.
        var state = DevServerState.demo
        state.projects["my-app"]?.environments["prod"]?.secrets["HUGE_CERT"] = String(repeating: "c", count: 200_000)
        let server = try DevServer(state: state)
        let mode = watch ? ["--watch"] : []
        let result = try runSoupRun(
            mode + ["--api-url", server.apiURL, "my-app", "prod", "--", "/bin/true"],
            environment: ["SOUP_TOKEN": DevServer.demoToken])
        #expect(result.termination == .exited(126))
        #expect(result.stderrText.contains("HUGE_CERT (195.3 KiB)"), "stderr: \(result.stderrText)")
        #expect(!result.stderrText.contains("cccccccc"))
    }
}
