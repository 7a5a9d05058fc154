import Foundation
import SoupCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import SoupDevServer
import Testing

/// `--mask`, end to end: the built soup-run against soup-dev-server, the command a `/bin/sh`
/// script that prints secret values and their encoded forms in pieces.
@Suite("soup-run --mask: end to end", .serialized)
struct MaskEndToEndTests {
    /// Slashes, plus signs, spaces, a quote and non-ASCII: every encoded form differs from it.
    static let secret = "s3cr3t/va+lue wïth \"q\""
    static let short = "abc1234"

    static func server() throws -> DevServer {
        var state = DevServer.testState
        state.projects["my-app"]?.environments["prod"]?.secrets.merge(["MASK_ME": secret, "SHORT_ONE": short]) { $1 }
        return try DevServer(state: state)
    }

    /// The value and each form a program may print it in, as the child gets them.
    static var forms: [String] {
        let bytes = Array(secret.utf8)
        let standard = Base64.encode(bytes)
        return [
            secret, standard, String(standard.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 }.filter { $0 != "=" }),
            Base64.encode([0x41] + bytes), Base64.encode([0x41, 0x42] + bytes),
            PercentEncoding.encodeSegment(secret), String(JSON.quote(secret).dropFirst().dropLast()),
        ]
    }

    /// Writes each form (A<i>, B<i>, C<i> in the environment) as `<i>.<attempt><A`, `B`, `C>\n`
    /// with 5 ms sleeps between the writes. An attempt whose three writes took 40 ms or more (the
    /// machine stalled the writer: the 50 ms idle flush may then rightly release a piece) is
    /// reported on stderr as `stalled <i>.<attempt>` and written again, up to 20 times.
    static let piecesWriter = #"""
        import os, sys, time
        for i in range(int(sys.argv[1])):
            a, b, c = (os.environ["%s%d" % (part, i)].encode() for part in "ABC")
            for attempt in range(20):
                start = time.monotonic()
                os.write(1, b"%d.%d<" % (i, attempt) + a)
                time.sleep(0.005)
                os.write(1, b)
                time.sleep(0.005)
                os.write(1, c + b">\n")
                if time.monotonic() - start < 0.04:
                    break
                os.write(2, b"stalled %d.%d\n" % (i, attempt))
        """#

    @Test(.enabled(if: python3 != nil, "needs python3 to time its writes"))
    func everyFormWrittenInPiecesWithPausesIsMasked() throws {
        let server = try Self.server()
        // Each form in three writes, with pauses (shorter than the 50 ms idle flush) between them.
        var environment: [String: String] = [:]
        for (index, form) in Self.forms.enumerated() {
            let scalars = Array(form)
            let third = scalars.count / 3
            environment["A\(index)"] = String(scalars[..<third])
            environment["B\(index)"] = String(scalars[third..<(2 * third)])
            environment["C\(index)"] = String(scalars[(2 * third)...])
        }
        let result = try soupRun(
            ["--mask", "my-app", "prod", "--", try #require(python3), "-c", Self.piecesWriter, "\(Self.forms.count)"],
            api: server.apiURL, environment: environment)
        expectExit(result, 0)
        let stalled = Set(result.stderrText.split(separator: "\n").compactMap { $0.split(separator: " ").last })
        let lines = result.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, form) in Self.forms.enumerated() {
            // The first attempt the writer did not report as stalled: its pauses were all short.
            let attempt = (0..<20).first { !stalled.contains("\(index).\($0)"[...]) }
            let prefix = "\(index).\(try #require(attempt))<"
            let line = try #require(lines.first { $0.hasPrefix(prefix) }, "\(result.stdoutText)")
            // Base64 after one or two other bytes: the first 2 or 3 characters, and the last one
            // before padding, also carry bits of the bytes around the value, so they stay (as
            // GitHub's runner).
            var expected = prefix + "***>"
            if index == 3 || index == 4 {
                let padding = form.reversed().prefix { $0 == "=" }.count
                expected =
                    prefix + form.prefix(index == 3 ? 2 : 3) + "***" + form.suffix(padding > 0 ? padding + 1 : 0) + ">"
            }
            #expect(String(line) == expected, "form \(index)")
        }
    }

    @Test func bothStreamsAreMaskedInOrderAndTheExitCodeIsTheCommands() throws {
        let server = try Self.server()
        let script = #"""
            echo "1 $MASK_ME"; echo "e1 $MASK_ME" >&2; echo 2; echo e2 >&2
            printf '3 %s' "$MASK_ME"; printf 'e3 %s' "$MASK_ME" >&2; echo " $SHORT_ONE"; exit 7
            """#
        let result = try soupRun(["--mask", "-v", "my-app", "prod", "--", "/bin/sh", "-c", script], api: server.apiURL)
        expectExit(result, 7)
        #expect(result.stdoutText == "1 ***\n2\n3 *** \(Self.short)\n")
        // soup-run's own -v lines go straight to stderr and may land inside the command's unfinished
        // line (noted on the issue): the command's bytes, in order, are what remains without them.
        let commandsStderr = result.stderrText.replacingOccurrences(
            of: #"soup-run: [^\n]*\n"#, with: "", options: .regularExpression)
        #expect(commandsStderr.contains("e1 ***\ne2\ne3 ***"), "the last bytes, held back, are flushed at exit")
        #expect(!result.stderrText.contains(Self.secret))
        #expect(result.stderrText.contains("not masked, shorter than 8 bytes: "))
        #expect(result.stderrText.contains("SHORT_ONE"), "listed by key at -v")
        #expect(!result.stderrText.contains(Self.short), "never by value")
    }

    @Test func maskMinLengthAndOnlyChooseTheValues() throws {
        let server = try Self.server()
        let script = #"echo "$MASK_ME $SHORT_ONE""#
        let shorter = try soupRun(
            ["--mask-min-length", "7", "my-app", "prod", "--", "/bin/sh", "-c", script], api: server.apiURL,
            environment: ["SOUP_MASK": "1"])
        expectExit(shorter, 0)
        #expect(shorter.stdoutText == "*** ***\n")
        let only = try soupRun(
            ["--mask", "--only", "SHORT_ONE", "my-app", "prod", "--", "/bin/sh", "-c", #"echo "$SHORT_ONE $X""#],
            api: server.apiURL, environment: ["X": Self.secret])
        expectExit(only, 0)
        #expect(only.stdoutText == "\(Self.short) \(Self.secret)\n", "a value the command is not given is not masked")
    }

    @Test func aHeldBackPromptAppearsAfterAPause() throws {
        let server = try Self.server()
        let directory = try TemporaryDirectory(prefix: "soup-mask")
        let go = directory.path + "/go"
        // "s3cr" could start the secret: only the idle flush can release it while the script waits
        // (bounded) for the test to see it.
        let script =
            #"printf 's3cr'; i=0; while [ ! -e "$GO" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done; echo done"#
        let child = try ChildProcess(
            Binaries.soupRun, ["--mask", "my-app", "prod", "--", "/bin/sh", "-c", script],
            environment: ["SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken, "PATH": "/usr/bin:/bin", "GO": go])
        #expect(child.waitForOutput("s3cr", in: .stdout, timeout: 30))
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        let result = child.wait(timeout: 30)
        expectExit(result, 0)
        #expect(result.stdoutText == "s3crdone\n")
    }

    @Test func aHeldBackPromptAppearsWhileTheOtherStreamIsBusy() throws {
        let server = try Self.server()
        let directory = try TemporaryDirectory(prefix: "soup-mask")
        let go = directory.path + "/go"
        // stdout holds "s3cr" back while stderr gets a line every 10 ms: stdout's own 50 ms pause
        // releases it.
        let script = #"""
            printf 's3cr'; i=0
            while [ ! -e "$GO" ] && [ $i -lt 3000 ]; do echo busy >&2; sleep 0.01; i=$((i+1)); done; echo done
            """#
        let child = try ChildProcess(
            Binaries.soupRun, ["--mask", "my-app", "prod", "--", "/bin/sh", "-c", script],
            environment: ["SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken, "PATH": "/usr/bin:/bin", "GO": go])
        #expect(child.waitForOutput("busy\nbusy\n", in: .stderr, timeout: 30))
        #expect(child.waitForOutput("s3cr", in: .stdout, timeout: 30))
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        let result = child.wait(timeout: 30)
        expectExit(result, 0)
        #expect(result.stdoutText == "s3crdone\n")
    }

    @Test(.enabled(if: python3 != nil, "needs python3 to write the stream in whole lines"))
    func aLargeStreamIsMaskedCompletely() throws {
        let server = try Self.server()
        let line = "x \(Self.secret) y\n"
        let perWrite = 4096 / line.utf8.count
        let writes = (256 << 20) / (perWrite * line.utf8.count)
        // Whole lines per write of at most PIPE_BUF bytes (atomic): the pipe never ends inside a
        // value, so no stall of the writer on a busy machine can make the idle flush release one.
        // Counted by grep in the pipeline, so the test holds none of the 256 MiB itself.
        let writer = #"""
            import os; block = ("x %s y\n" % os.environ["MASK_ME"]).encode() * int(os.environ["PER_WRITE"])
            for _ in range(int(os.environ["WRITES"])): os.write(1, block)
            """#
        let pipeline = #"""
            "$SOUP_RUN" --mask my-app prod -- "$PYTHON" -c "$WRITER" | grep -c '^x \*\*\* y$'
            """#
        let result = try runProcess(
            "/bin/sh", ["-c", pipeline],
            environment: [
                "SOUP_RUN": Binaries.soupRun, "SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken,
                "PATH": "/usr/bin:/bin", "PYTHON": try #require(python3), "WRITER": writer,
                "PER_WRITE": String(perWrite), "WRITES": String(writes),
            ], timeout: 600)
        expectExit(result, 0)
        #expect(result.stdoutText == "\(writes * perWrite)\n")
    }

    @Test func withWatchARotatedValueIsMaskedAndTheOldOneStaysMasked() throws {
        let server = try DevServer()
        try server.setSecret("ROTATED", "first-value-1", token: DevServer.demoToken)
        // OLD is inherited, not a secret: after the rotation it shows that the old value is still masked.
        let run = try startWatch(
            apiURL: server.apiURL, options: ["--mask"],
            command: ["/bin/sh", "-c", #"echo "ready $ROTATED $OLD"; exec sleep 1000"#],
            environment: ["OLD": "first-value-1"])
        #expect(run.waitForOutput("ready *** ***\n", in: .stdout, timeout: 30))
        try server.setSecret("ROTATED", "second-value-2", token: DevServer.demoToken)
        #expect(watchWaitUntil(run, timeout: 30) { watchCount(of: "ready *** ***\n", in: run.stdoutText) >= 2 })
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(143))
        #expect(watchCount(of: "ready *** ***\n", in: result.stdoutText) == 2)
        #expect(!result.stdoutText.contains("value-"), "neither value, before or after the rotation")
    }
}
