import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command line started as a container runtime or service manager starts it (exactly the given
/// environment; optionally as PID 1 of a new PID namespace, like `docker run`), and stopped as it
/// stops it: a signal to the main process only, then a bounded wait.
final class ExampleContainer {
    let process: ChildProcess
    let asPID1: Bool

    /// Whether this machine lets us make a PID namespace (root, no seccomp veto), so soup-run can be PID 1.
    static let pid1Supported: Bool = {
        #if os(Linux)
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
                let result = try? runProcess(
                    "/usr/bin/unshare", ["--pid", "--fork", "--mount-proc", "/bin/true"], environment: [:], timeout: 30)
            else { return false }
            return result.termination == .exited(0)
        #else
            return false
        #endif
    }()

    init(_ argv: [String], environment: [String: String], asPID1: Bool = false) throws {
        self.asPID1 = asPID1
        if asPID1 {
            process = try ChildProcess(
                "/usr/bin/unshare", ["--pid", "--fork", "--mount-proc"] + argv, environment: environment)
        } else {
            process = try ChildProcess(argv[0], Array(argv.dropFirst()), environment: environment)
        }
    }

    /// The host pid of the main process (soup-run): for PID 1, the one child of `unshare`.
    func mainPID() throws -> pid_t {
        guard asPID1 else { return process.pid }
        let children = try String(contentsOfFile: "/proc/\(process.pid)/task/\(process.pid)/children", encoding: .utf8)
        guard let pid = Int32(children.split(separator: " ").first ?? "") else {
            throw ExampleError("unshare has no child")
        }
        return pid
    }

    /// Sends `signal` to the main process and waits up to `timeout` seconds for the end.
    /// - Returns: the result, and the seconds from the signal to the exit.
    func stop(_ signal: Int32 = SIGTERM, timeout: Double) throws -> (result: ProcessResult, seconds: Double) {
        let main = try mainPID()
        let sent = Date()
        kill(main, signal)
        let result = process.wait(timeout: timeout)
        return (result, Date().timeIntervalSince(sent))
    }
}

/// Runs `argv` as a container or service would, with exactly `environment`, and checks the whole
/// life of the example app under `soup-run --watch`: it starts, reports exactly `secrets` (names
/// and sizes) and no API token; SIGTERM to soup-run (`docker stop`, the kubelet, systemd's
/// KillSignal) stops it cleanly: exit 0 within `stopBound` seconds, the app told to stop, no
/// restart, nothing on stderr, the token nowhere in the output.
func expectServesSecretsAndStops(
    _ argv: [String], environment: [String: String], secrets: [String: String], token: String, asPID1: Bool = false,
    stopBound: Double, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let container = try ExampleContainer(argv, environment: environment, asPID1: asPID1)
    let ready = container.process.waitForOutput("]: ready\n", in: .stdout, timeout: 30)
    #expect(ready, "the app never said ready; stderr: \(container.process.stderrText)", sourceLocation: sourceLocation)
    guard ready else { return }
    expectAppReport(container.process.stdoutText, secrets: secrets, sourceLocation: sourceLocation)

    let (result, seconds) = try container.stop(SIGTERM, timeout: 30)
    #expect(
        result.termination == .exited(0), "stop: \(result.termination); stderr: \(result.stderrText)",
        sourceLocation: sourceLocation)
    #expect(
        seconds < stopBound, "SIGTERM took \(seconds) s to stop it (bound \(stopBound) s)",
        sourceLocation: sourceLocation)
    #expect(result.stdoutText.contains("]: stopping\n"), "the app was not told to stop", sourceLocation: sourceLocation)
    #expect(
        watchCount(of: "]: ready\n", in: result.stdoutText) == 1, "the app was restarted",
        sourceLocation: sourceLocation)
    #expect(result.stderrText.isEmpty, "stderr: \(result.stderrText)", sourceLocation: sourceLocation)
    expectNoToken(result, token: token, sourceLocation: sourceLocation)
}
