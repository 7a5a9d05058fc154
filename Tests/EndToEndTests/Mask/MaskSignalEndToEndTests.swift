import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signals and exit statuses under `--mask` (pipes), end to end, as under `--watch`: TERM, INT and
/// HUP reach the command, soup-run exits with its code (128+N when signal N killed it), and what
/// it wrote last, a secret in a line without its newline included, is flushed masked first.
@Suite("soup-run --mask: signals and exit status", .serialized)
struct MaskSignalEndToEndTests {
    /// Prints `ready`, then on each signal a line with the secret, without a newline for TERM and
    /// INT (held back until the flush at exit), and exits 5 on TERM, 6 on INT.
    static let script = #"""
        trap 'echo "got-hup $MASK_ME"' HUP
        trap 'printf "got-term %s" "$MASK_ME"; exit 5' TERM
        trap 'printf "got-int %s" "$MASK_ME" >&2; exit 6' INT
        echo ready
        while :; do sleep 0.1; done
        """#

    static func start(_ server: DevServer, _ script: String = script) throws -> ChildProcess {
        try ChildProcess(
            Binaries.soupRun, ["--mask", "--api-url", server.apiURL, "my-app", "prod", "--", "/bin/sh", "-c", script],
            environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": e2eToken])
    }

    @Test(arguments: [(SIGTERM, Int32(5), "got-term ***"), (SIGINT, 6, "got-int ***")])
    func termAndIntReachTheCommandAndItsLastWordsAreFlushedMasked(
        signal: Int32, code: Int32, last: String
    ) throws {
        let server = try MaskEndToEndTests.server()
        let run = try Self.start(server)
        #expect(run.waitForOutput("ready\n", in: .stdout, timeout: 30))
        run.signal(signal)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(code))
        let stream = signal == SIGINT ? result.stderrText : result.stdoutText
        #expect(stream.hasSuffix(last), "stdout: \(result.stdoutText) stderr: \(result.stderrText)")
        #expect(watchCount(of: "got-", in: result.stdoutText + result.stderrText) == 1, "forwarded once")
        #expect(!(result.stdoutText + result.stderrText).contains(MaskEndToEndTests.secret))
    }

    @Test func hupIsForwardedAndChangesNothing() throws {
        let server = try MaskEndToEndTests.server()
        let run = try Self.start(server)
        #expect(run.waitForOutput("ready\n", in: .stdout, timeout: 30))
        run.signal(SIGHUP)
        #expect(run.waitForOutput("got-hup ***\n", in: .stdout, timeout: 30))
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(5))
        #expect(result.stdoutText == "ready\ngot-hup ***\ngot-term ***")
    }

    @Test(arguments: [("exit 0", Int32(0)), ("exit 7", 7), ("kill -KILL $$", 137), ("kill -USR1 $$", 138)])
    func theCommandsOwnEndIsSoupRunsStatus(ending: String, expected: Int32) throws {
        let server = try MaskEndToEndTests.server()
        let run = try Self.start(server, #"printf 'last %s' "$MASK_ME"; "# + ending)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(expected))
        #expect(result.stdoutText == "last ***", "flushed before soup-run exits")
    }

    /// A last write much larger than a pipe buffer, ending in a secret: all of it comes out.
    @Test func aLargeLastWriteIsFlushedCompletelyBeforeTheExit() throws {
        let server = try MaskEndToEndTests.server()
        let run = try Self.start(server, #"head -c 1000000 /dev/zero | tr '\0' x; printf '%s' "$MASK_ME"; exit 3"#)
        let result = run.wait(timeout: 60)
        #expect(result.termination == .exited(3))
        #expect(result.stdout.count == 1_000_000 + 3)
        #expect(result.stdoutText.hasSuffix("x***"))
    }
}
