import Foundation
import Testing

/// `--mask` in a terminal, end to end: the built soup-run on a pseudo-terminal (python3's `pty`),
/// the command on a pty of soup-run's own, its output masked on the way out.
@Suite("soup-run --mask: terminal", .serialized)
struct MaskTerminalEndToEndTests {
    static let secret = MaskEndToEndTests.secret

    /// Runs `soup-run --mask my-app prod -- /bin/sh -c script` (or `command`) under `modeDriver`
    /// with `steps`.
    static func drive(
        _ script: String, steps: [[String]], command: [String]? = nil, options: [String] = [],
        keepCarriageReturns: Bool = false
    ) throws -> String {
        let server = try MaskEndToEndTests.server()
        let directory = try TemporaryDirectory(prefix: "soup-mask-tty")
        let driver = try directory.write("drive_mode.py", modeDriver)
        let arguments =
            [
                driver, driverSteps(steps), Binaries.soupRun, "--mask", "--api-url", server.apiURL,
            ] + options + ["my-app", "prod", "--"]
            + (command ?? ["/bin/sh", "-c", script])
        let result = try runProcess(
            try #require(python3), arguments,
            environment: [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "SOUP_TOKEN": e2eToken, "DIR": directory.path,
                "TERM": "xterm-256color",
            ].merging(keepCarriageReturns ? ["KEEP_CR": "1"] : [:]) { $1 },
            timeout: 120)
        #expect(result.termination == .exited(0), "driver: \(result.stderrText)")
        return result.stdoutText
    }

    @Test(.enabled(if: python3 != nil, "needs python3 for its pty module"))
    func theCommandKeepsATerminalColoursIncludedAndItsOutputIsMasked() throws {
        let script = #"""
            mkdir "$DIR/sub"; ls --color=auto "$DIR"
            [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-three-on-a-terminal
            echo "value $MASK_ME"; echo "to stderr $MASK_ME" >&2
            """#
        let transcript = try Self.drive(script, steps: [])
        #expect(transcript.contains("\u{1B}[") && transcript.contains("sub"), "ls saw a terminal: \(transcript)")
        #expect(transcript.contains("all-three-on-a-terminal\n"), "\(transcript)")
        #expect(transcript.contains("value ***\n") && transcript.contains("to stderr ***\n"), "\(transcript)")
        #expect(!transcript.contains(Self.secret))
        #expect(transcript.contains("\nMODE same\n"), "\(transcript)")
        #expect(transcript.hasSuffix("STATUS 0\n"), "\(transcript)")
    }

    @Test(.enabled(if: python3 != nil, "needs python3 for its pty module"))
    func aLineTypedInIsReadAndItsEchoIsMasked() throws {
        let script = #"echo ready; read -r line; [ "$line" = "$MASK_ME" ] && echo read-the-value"#
        let transcript = try Self.drive(script, steps: [["ready", "@mode"], ["RAW ", Self.secret + "\n"]])
        #expect(transcript.contains("RAW yes"), "the outer terminal is raw while the command runs: \(transcript)")
        #expect(transcript.contains("***\nread-the-value\n"), "echoed, masked, then read: \(transcript)")
        #expect(!transcript.contains(Self.secret))
        #expect(transcript.contains("\nMODE same\n"), "\(transcript)")
        #expect(transcript.hasSuffix("STATUS 0\n"), "\(transcript)")
    }

    @Test(
        .enabled(if: python3 != nil, "needs python3 for its pty module"),
        arguments: [
            (#"trap 'echo got-int; exit 7' INT; echo ready; while :; do sleep 0.1; done"#, "STATUS 7"),
            ("echo ready; exec sleep 1000", "STATUS 130"),
        ])
    func ctrlCInterruptsTheCommandAndSoupRunExitsWithItsCode(script: String, status: String) throws {
        let transcript = try Self.drive(script, steps: [["ready", "\u{03}"]])
        #expect(transcript.hasSuffix(status + "\n"), "\(transcript)")
        #expect(watchCount(of: "got-int", in: transcript) == (status == "STATUS 7" ? 1 : 0), "\(transcript)")
        #expect(transcript.contains("\nMODE same\n"), "\(transcript)")
    }

    @Test(.enabled(if: python3 != nil, "needs python3 for its pty module"))
    func theWindowSizeFollowsTheOuterTerminal() throws {
        let script = #"trap 'stty size; echo resized' WINCH; stty size; echo ready; while :; do sleep 0.1; done"#
        let transcript = try Self.drive(
            script, steps: [["ready", "@winsize 40 100"], ["resized", "@signal SIGTERM"]])
        #expect(transcript.contains("24 80\nready\n"), "the size at start: \(transcript)")
        #expect(transcript.contains("40 100\nresized\n"), "the size after SIGWINCH: \(transcript)")
        #expect(watchCount(of: "resized", in: transcript) == 1, "one SIGWINCH, not forwarded too: \(transcript)")
        #expect(transcript.contains("\nMODE same\n"), "\(transcript)")
        #expect(transcript.hasSuffix("STATUS 143\n"), "\(transcript)")
    }

    /// Every way out restores the outer terminal's mode: soup-run told to stop (TERM, INT, HUP
    /// reach the command, which exits with its own code), the command killed by a signal, and a
    /// command that cannot start.
    @Test(
        .enabled(if: python3 != nil, "needs python3 for its pty module"),
        arguments: [
            ("SIGTERM", "STATUS 5"), ("SIGINT", "STATUS 5"), ("SIGHUP", "STATUS 5"),
        ])
    func signalsToSoupRunReachTheCommandAndTheModeIsRestored(signal: String, status: String) throws {
        let script =
            #"for s in TERM INT HUP; do trap "echo got-$s; exit 5" $s; done; echo ready; while :; do sleep 0.1; done"#
        let transcript = try Self.drive(script, steps: [["ready", "@mode"], ["RAW yes", "@signal \(signal)"]])
        #expect(watchCount(of: "got-\(signal.dropFirst(3))", in: transcript) == 1, "\(transcript)")
        #expect(transcript.contains("\nMODE same\n"), "\(transcript)")
        #expect(transcript.hasSuffix(status + "\n"), "\(transcript)")
    }

    /// The outer terminal is raw while the command runs, so it no longer turns `\n` into `\r\n`:
    /// soup-run's own lines (here `-v` poll lines of `--watch`) do it themselves.
    @Test(.enabled(if: python3 != nil, "needs python3 for its pty module"))
    func soupRunsOwnLinesReturnTheCarriageWhileTheTerminalIsRaw() throws {
        let transcript = try Self.drive(
            "echo ready; while :; do sleep 0.1; done",
            steps: [["ready", "@mode"], ["secrets not modified", "@signal SIGTERM"]],
            options: ["-v", "--watch", "--interval", "0.2"], keepCarriageReturns: true)
        #expect(transcript.contains("RAW yes"), "\(transcript)")
        #expect(transcript.contains("soup-run: secrets not modified\r\n"), "\(transcript)")
        #expect(!transcript.contains("modified\n"), "every line returns the carriage: \(transcript)")
        #expect(transcript.contains("\nMODE same\n"), "\(transcript)")
    }

    @Test(.enabled(if: python3 != nil, "needs python3 for its pty module"))
    func aCommandKilledByASignalOrThatCannotStartLeavesTheModeAsItWas() throws {
        let killed = try Self.drive(#"echo ready; sleep 0.3; kill -KILL $$"#, steps: [["ready", "@mode"]])
        #expect(killed.contains("RAW yes"), "\(killed)")
        #expect(killed.contains("\nMODE same\n"), "\(killed)")
        #expect(killed.hasSuffix("STATUS 137\n"), "\(killed)")
        let missing = try Self.drive("", steps: [], command: ["/nonexistent/command"])
        #expect(missing.contains("\nMODE same\n"), "\(missing)")
        #expect(missing.hasSuffix("STATUS 127\n"), "\(missing)")
    }

    /// Ctrl-Z in an interactive bash: the job stops with the terminal's mode restored, `fg`
    /// continues it raw again, Ctrl-C ends it, and bash's terminal mode is what it was before.
    @Test(.enabled(if: python3 != nil, "needs python3 for its pty module"))
    func ctrlZStopsTheJobWithTheModeRestoredAndFgResumesIt() throws {
        let server = try MaskEndToEndTests.server()
        let script = try WatchScript()
        let driver = try script.directory.write("drive_shell.py", shellDriver)
        let command =
            ([Binaries.soupRun, "--mask", "--api-url", server.apiURL, "my-app", "prod", "--"]
            + script.command("read-tty")).map { "'\($0)'" }.joined(separator: " ")
        let steps: [[String]] = [
            ["$ ", "cd \"$HOME\"; stty -g > before; " + command + "\n"],
            ["ready 1 ", "\u{1A}"],  // Ctrl-Z
            ["Stopped", "stty -g > stopped; fg\n"],
            ["soup-run", "hello\n"],
            ["read hello", "\u{03}"],  // Ctrl-C
            ["got INT 1", ""],
            ["$ ", "echo status=$?; stty -g > after; cmp before stopped && cmp before after && echo modes-$((1+1))\n"],
            ["modes-2", ""],
        ]
        let result = try runProcess(
            try #require(python3), [driver, driverSteps(steps)],
            environment: [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "SOUP_TOKEN": e2eToken, "TERM_EXIT": "3", "TERM": "dumb",
                "HOME": script.directory.path,
            ],
            timeout: 120)
        let transcript = result.stdoutText
        #expect(transcript.contains("Stopped"), "\(transcript)")
        #expect(transcript.contains("read hello"), "typed after fg: \(transcript)")
        #expect(watchCount(of: "got INT 1", in: transcript) == 1, "\(transcript)")
        #expect(transcript.contains("status=3"), "\(transcript)")
        #expect(transcript.contains("modes-2"), "the mode when stopped and after the exit: \(transcript)")
        #expect(!transcript.contains("timed out"), "\(transcript)")
    }
}
