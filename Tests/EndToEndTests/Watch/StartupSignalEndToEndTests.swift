import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// TERM while the start-up fetch hangs (an API that accepts the connection and never answers):
/// soup-run ends at once with 143, in one-shot and watch mode, also as PID 1, where the kernel
/// would drop a TERM left at its default action until the fetch gave up.
@Suite("soup-run: stop signals during the start-up fetch", .serialized)
struct StartupSignalEndToEndTests {
    /// The `-v` line soup-run writes just before it sends the request.
    static let requestMarker = "soup-run: GET http://127.0.0.1:"
    /// Far longer than the test waits after its TERM: an exit then is the signal's doing.
    static let fetchTimeout = 30.0
    static let prompt = 15.0

    static func arguments(port: UInt16, watch: Bool) -> [String] {
        ["-v"] + (watch ? ["--watch"] : []) + [
            "--api-url", "http://127.0.0.1:\(port)/api/v1", "--timeout", "\(Int(fetchTimeout))", "--retries", "0",
            "my-app", "prod", "--", "/bin/true",
        ]
    }

    static let environment = ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken]

    @Test(arguments: [false, true])
    func sigtermDuringAHangingStartUpFetchExits143(watch: Bool) throws {
        let api = try SilentPort()
        let run = try ChildProcess(
            Binaries.soupRun, Self.arguments(port: api.port, watch: watch), environment: Self.environment)
        #expect(run.waitForOutput(Self.requestMarker, in: .stderr, timeout: 30), "stderr: \(run.stderrText)")
        let signalled = Date()
        run.signal(SIGTERM)
        let result = run.wait(timeout: 60)
        #expect(result.termination == .exited(143), "stderr: \(result.stderrText)")
        #expect(Date().timeIntervalSince(signalled) < Self.prompt)
    }

    #if os(Linux)
        /// PWR (`lxc-stop`) and ALRM used to be dropped by soup-run as PID 1 and kill it otherwise
        /// with the default action; now they end it with 128+N like TERM.
        @Test(
            .enabled(if: unshareWorks, "unshare --pid --fork --mount-proc is not permitted here (needs root)"),
            arguments: [SIGPWR, SIGALRM])
        func asPid1PwrAndAlrmDuringAHangingStartUpFetchExit128PlusN(signal: Int32) throws {
            let api = try SilentPort()
            let run = try ChildProcess(
                "/usr/bin/unshare",
                ["--pid", "--fork", "--mount-proc", Binaries.soupRun] + Self.arguments(port: api.port, watch: true),
                environment: Self.environment)
            #expect(run.waitForOutput(Self.requestMarker, in: .stderr, timeout: 30), "stderr: \(run.stderrText)")
            let init1 = try namespaceInit(of: run)
            kill(init1, signal)
            let result = run.wait(timeout: 60)
            #expect(result.termination == .exited(128 + signal), "stderr: \(result.stderrText)")
        }

        @Test(
            .enabled(if: unshareWorks, "unshare --pid --fork --mount-proc is not permitted here (needs root)"),
            arguments: [false, true])
        func asPid1SigtermDuringAHangingStartUpFetchExits143(watch: Bool) throws {
            let api = try SilentPort()
            let container = try ChildProcess(
                "/usr/bin/unshare",
                ["--pid", "--fork", "--mount-proc", Binaries.soupRun] + Self.arguments(port: api.port, watch: watch),
                environment: Self.environment)
            #expect(
                container.waitForOutput(Self.requestMarker, in: .stderr, timeout: 30), "stderr: \(container.stderrText)"
            )
            // SIGTERM to PID 1 (as `docker stop` does), from outside: its host pid is unshare's child.
            let children = try String(
                contentsOfFile: "/proc/\(container.pid)/task/\(container.pid)/children", encoding: .utf8)
            let init1 = try #require(Int32(children.split(separator: " ").first ?? ""))
            let signalled = Date()
            kill(init1, SIGTERM)
            let result = container.wait(timeout: 60)
            #expect(result.termination == .exited(143), "stderr: \(result.stderrText)")
            #expect(Date().timeIntervalSince(signalled) < Self.prompt)
        }
    #endif
}
