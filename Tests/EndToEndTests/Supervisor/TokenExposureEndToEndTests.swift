import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child that tries to read the token back from its parent, soup-run: `/proc/$PPID/environ`,
/// `/proc/$PPID/cmdline` and every readable mapping through `/proc/$PPID/mem`. The token to look
/// for is read from the file named by `$1` (not an argument: soup-run's argv holds the command).
let tokenHunterScript = #"""
    import os, sys
    ppid = os.getppid()
    token = open(sys.argv[1], "rb").read().strip()
    def attempt(name, fn):
        try:
            print(name, fn(), flush=True)
        except PermissionError:
            print(name, "denied", flush=True)
    attempt("environ", lambda: "leaks" if token in open(f"/proc/{ppid}/environ", "rb").read() else "clean")
    attempt("cmdline", lambda: "leaks" if token in open(f"/proc/{ppid}/cmdline", "rb").read() else "clean")
    def mem():
        copies = 0
        with open(f"/proc/{ppid}/maps") as maps, open(f"/proc/{ppid}/mem", "rb") as mem:
            for line in maps:
                span, perms = line.split()[0:2]
                start, end = (int(x, 16) for x in span.split("-"))
                if "r" not in perms: continue
                try:
                    mem.seek(start); copies += mem.read(end - start).count(token)
                except (OSError, OverflowError, ValueError):
                    pass
        return f"{copies} copies"
    attempt("mem", mem)
    print("hunted", flush=True)
    import time
    while True: time.sleep(1)
    """#

#if os(Linux)
    let isRoot = getuid() == 0

    /// The token stays out of the command's reach and off `ps`.
    @Suite("soup-run: the token out of the command's reach", .serialized)
    struct TokenExposureEndToEndTests {
        static let token = DevServer.demoToken

        /// The arguments of `pid` as /proc shows them to anyone (NUL-separated, padding dropped).
        static func commandLine(of pid: Int32) -> [String] {
            let raw = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            return raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        }

        /// A world-readable directory (mkdtemp makes 0700) for files a non-root uid reads.
        static func sharedDirectory() throws -> TemporaryDirectory {
            let dir = try TemporaryDirectory(prefix: "soup-exposure")
            chmod(dir.path, 0o755)
            return dir
        }

        @Test(.enabled(if: isRoot, "running soup-run as another uid (setpriv) needs root"))
        func aChildOfAnotherUidCannotReadTheTokenBackFromTheSupervisor() throws {
            let server = try DevServer()
            let dir = try Self.sharedDirectory()
            let needle = try dir.write("needle", Self.token + "\n", mode: 0o644)
            let hunter = try dir.write("hunter.py", tokenHunterScript, mode: 0o644)
            let run = try ChildProcess(
                "/usr/bin/setpriv",
                [
                    "--reuid", "65534", "--regid", "65534", "--clear-groups", Binaries.soupRun, "--watch",
                    "--token", Self.token, "--api-url", server.apiURL, "my-app", "prod", "--", "/usr/bin/python3",
                    hunter, needle,
                ],
                environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": Self.token])
            defer { watchKillChildren(of: run) }
            #expect(run.waitForOutput("hunted", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
            let lines = run.stdoutText.split(separator: "\n").map(String.init)
            #expect(lines.contains("environ denied"), "stdout: \(run.stdoutText)")
            #expect(lines.contains("cmdline clean"), "stdout: \(run.stdoutText)")
            #expect(lines.contains("mem denied"), "stdout: \(run.stdoutText)")
            let shown = Self.commandLine(of: run.pid)
            #expect(shown.contains("***") && !shown.contains(Self.token), "cmdline: \(shown)")
            run.signal(SIGTERM)
            _ = run.wait(timeout: 30)
        }

        @Test(.enabled(if: isRoot, "running ps as another uid (setpriv) needs root"))
        func psOfAnotherUidShowsTokenMaskedDuringTheOneShotFetch() throws {
            let api = try SilentPort()  // accepts, never answers: soup-run stays in its fetch
            let run = try ChildProcess(
                Binaries.soupRun,
                [
                    "-v", "--token=\(Self.token)", "--api-url", "http://127.0.0.1:\(api.port)/api/v1", "--timeout",
                    "60", "my-app", "prod", "--", "/bin/true",
                ],
                environment: ["PATH": "/usr/bin:/bin"])
            #expect(run.waitForOutput("soup-run: GET ", in: .stderr, timeout: 30), "stderr: \(run.stderrText)")
            let ps = try runProcess(
                "/usr/bin/setpriv",
                [
                    "--reuid", "65534", "--regid", "65534", "--clear-groups", "/usr/bin/ps", "-o", "args=", "-p",
                    "\(run.pid)",
                ],
                environment: ["PATH": "/usr/bin:/bin"])
            #expect(ps.stdoutText.contains("--token=*** --api-url"), "ps: \(ps.stdoutText)")
            #expect(!ps.stdoutText.contains(Self.token))
            run.signal(SIGTERM)
            #expect(run.wait(timeout: 30).termination == .exited(143))
        }

        @Test func theSupervisorShowsTheSeparateTokenArgumentMasked() throws {
            let server = try DevServer()
            let run = try ChildProcess(
                Binaries.soupRun,
                [
                    "--watch", "--token", Self.token, "--api-url", server.apiURL, "my-app", "prod", "--", "/bin/sh",
                    "-c", "echo ready; exec sleep 1000",
                ],
                environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": Self.token])
            defer { watchKillChildren(of: run) }
            #expect(run.waitForOutput("ready", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
            let shown = Self.commandLine(of: run.pid)
            #expect(
                shown == [
                    Binaries.soupRun, "--watch", "--token", "***", "--api-url", server.apiURL, "my-app", "prod", "--",
                    "/bin/sh", "-c", "echo ready; exec sleep 1000",
                ])
            let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(run.pid)/environ"))) ?? Data()
            let entries = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            #expect(entries.contains("SOUP_TOKEN=***"), "environ: \(entries)")
            #expect(!entries.contains { $0.contains(Self.token) })
            run.signal(SIGTERM)
            _ = run.wait(timeout: 30)
        }
    }
#endif
