import Foundation
import Testing

/// `--watch` in an interactive terminal.
@Suite("soup-run --watch: terminal", .serialized)
struct WatchTerminalEndToEndTests {
    @Test(.enabled(if: python3 != nil, "needs python3 for its pty module"))
    func theChildOwnsTheTerminalAndCtrlCReachesItExactlyOnce() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let driver = try script.directory.write("drive_terminal.py", modeDriver)
        let steps = driverSteps([["ready 1 ", "hello\n"], ["read hello", "\u{03}"]])
        let arguments =
            [
                driver, steps, Binaries.soupRun, "--watch", "--interval", "0.2", "--api-url", server.apiURL,
                "my-app", "prod", "--",
            ] + script.command("read-tty")
        let result = try runProcess(
            try #require(python3), arguments,
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken, "TERM_EXIT": "3"],
            timeout: 120)
        let transcript = result.stdoutText
        #expect(transcript.contains("ready 1 "), "stderr: \(result.stderrText)")
        // Reading the terminal works only in the foreground group: a background child would stop.
        #expect(transcript.contains("read hello"), "transcript: \(transcript)")
        #expect(watchCount(of: "got INT 1", in: transcript) == 1, "transcript: \(transcript)")
        #expect(transcript.hasSuffix("STATUS 3\n"), "soup-run exits with the child's status: \(transcript)")
        #expect(watchCount(of: "Ctrl-C goes to it, each time", in: transcript) == 1, "the hint, once: \(transcript)")
    }

    /// A child that ignores Ctrl-C: the hint names soup-run's pid; `kill PID` (TERM) ends
    /// soup-run and the child, and soup-run exits with the child's 143.
    @Test(.enabled(if: python3 != nil, "needs python3 for its pty module"))
    func aChildThatIgnoresCtrlCIsLeftWithTheHintsKill() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let driver = try script.directory.write("drive_terminal.py", modeDriver)
        let steps = driverSteps([["ready-to-ignore", "\u{03}"], ["ignoring INT", "@kill-hinted"]])
        let child = #"trap 'echo ignoring INT' INT; echo ready-to-ignore; while :; do sleep 0.1; done"#
        let result = try runProcess(
            try #require(python3),
            [
                driver, steps, Binaries.soupRun, "--watch", "--interval", "0.2", "--api-url", server.apiURL, "my-app",
                "prod", "--", "/bin/sh", "-c", child,
            ],
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken],
            timeout: 120)
        let transcript = result.stdoutText
        #expect(watchCount(of: "Ctrl-C goes to it, each time", in: transcript) == 1, "transcript: \(transcript)")
        #expect(transcript.contains("ignoring INT"), "transcript: \(transcript)")
        #expect(transcript.contains("\nKILLED "), "no pid in the hint: \(transcript)")
        #expect(transcript.hasSuffix("STATUS 143\n"), "transcript: \(transcript)")
    }

    @Test(.enabled(if: python3 != nil, "needs python3 for its pty module"))
    func ctrlZStopsTheJobAndFgResumesItWithTheTerminal() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let driver = try script.directory.write("drive_shell.py", shellDriver)
        let command =
            ([Binaries.soupRun, "--watch", "--interval", "0.2", "--api-url", server.apiURL, "my-app", "prod", "--"]
            + script.command("read-tty")).map { "'\($0)'" }.joined(separator: " ")
        let steps: [[String]] = [
            ["$ ", command + "\n"],
            ["ready 1 ", "\u{1A}"],  // Ctrl-Z
            ["Stopped", "fg\n"],  // the shell got its prompt back: the job is stopped
            ["soup-run", "hello\n"],  // fg echoes the command; the child reads the terminal
            ["read hello", "\u{03}"],  // Ctrl-C
            ["got INT 1", ""],
            ["$ ", "echo status=$?\n"],
            ["status=3", ""],
        ]
        let json = driverSteps(steps)
        let result = try runProcess(
            try #require(python3), [driver, json],
            environment: [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken, "TERM_EXIT": "3",
                "TERM": "dumb", "HOME": script.directory.path,
            ],
            timeout: 120)
        let transcript = result.stdoutText
        #expect(transcript.contains("Stopped"), "transcript: \(transcript)")
        #expect(transcript.contains("read hello"), "transcript: \(transcript)")
        #expect(watchCount(of: "got INT 1", in: transcript) == 1, "transcript: \(transcript)")
        #expect(transcript.contains("status=3"), "transcript: \(transcript)")
        #expect(!transcript.contains("timed out"), "transcript: \(transcript)")
    }
}
