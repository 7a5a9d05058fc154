import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if os(Linux)
    /// Whether this machine lets us make a PID namespace (root, no seccomp veto).
    let unshareWorks: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
            let result = try? runProcess(
                "/usr/bin/unshare", ["--pid", "--fork", "--mount-proc", "/bin/true"], environment: [:], timeout: 30)
        else { return false }
        return result.termination == .exited(0)
    }()

    /// The host pid of the PID 1 that `unshare --pid --fork` started (its only child).
    func namespaceInit(of unshare: ChildProcess) throws -> Int32 {
        let children = try String(contentsOfFile: "/proc/\(unshare.pid)/task/\(unshare.pid)/children", encoding: .utf8)
        return try #require(Int32(children.split(separator: " ").first ?? ""))
    }

    /// soup-run as PID 1 of a container: reaps orphans, stops cleanly on SIGTERM.
    @Suite("soup-run --watch: PID 1", .serialized)
    struct WatchInitEndToEndTests {
        /// Orphans three `sleep`s (their parent shell exits at once, so they are re-parented to
        /// PID 1), then waits, bounded, until they are gone and reports the zombies left.
        static let orphanMaker = #"""
            echo "parent=$PPID"
            for i in 1 2 3; do sh -c 'sleep 0.2 & exit 0'; done
            zombies() { z=0; for f in /proc/[0-9]*/status; do grep -q '^State:.Z' "$f" 2>/dev/null && z=$((z+1)); done; echo $z; }
            sleeping() { s=0; for f in /proc/[0-9]*/comm; do [ "$(cat "$f" 2>/dev/null)" = sleep ] && s=$((s+1)); done; echo $s; }
            i=0
            while [ $i -lt 200 ]; do
                [ "$(sleeping)" -eq 0 ] && [ "$(zombies)" -eq 0 ] && break
                i=$((i+1)); sleep 0.05
            done
            echo "zombies=$(zombies) sleeping=$(sleeping)"
            trap 'echo got TERM; exit 0' TERM
            echo ready
            while :; do sleep 0.1; done
            """#

        @Test(.enabled(if: unshareWorks, "unshare --pid --fork --mount-proc is not permitted here (needs root)"))
        func reapsOrphanedZombiesAndStopsCleanlyOnSigterm() throws {
            let server = try DevServer()
            let container = try ChildProcess(
                "/usr/bin/unshare",
                [
                    "--pid", "--fork", "--mount-proc", Binaries.soupRun, "--watch", "--interval", "0.2", "--api-url",
                    server.apiURL,
                    "my-app", "prod", "--", "/bin/sh", "-c", Self.orphanMaker,
                ],
                environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken])
            #expect(container.waitForOutput("ready", in: .stdout, timeout: 60), "stderr: \(container.stderrText)")
            #expect(container.stdoutText.contains("parent=1\n"), "soup-run is PID 1")
            #expect(container.stdoutText.contains("zombies=0 sleeping=0\n"), "stdout: \(container.stdoutText)")

            // SIGTERM to PID 1 (as `docker stop` does), from outside: find its host pid.
            let init1 = try namespaceInit(of: container)
            kill(init1, SIGTERM)
            let result = container.wait(timeout: 60)
            #expect(result.termination == .exited(0))
            #expect(result.stdoutText.contains("got TERM"))
            #expect(result.elapsed < 60)
        }
    }
#endif
