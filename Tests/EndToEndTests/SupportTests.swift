import Foundation
import Testing

/// The helpers the end-to-end tests stand on: if these fail, nothing else here means anything.
@Suite struct SupportTests {
    @Test func capturesOutputAndExitStatus() throws {
        let result = try runProcess(
            "/bin/sh", ["-c", "printf out; printf err >&2; exit 3"], environment: [:], timeout: 30)
        #expect(result.termination == .exited(3))
        #expect(result.stdoutText == "out")
        #expect(result.stderrText == "err")
        #expect(!result.timedOut)
    }

    @Test func passesStdinAndTheExactEnvironment() throws {
        let result = try runProcess(
            "/bin/sh", ["-c", "cat; echo \"[$ONLY]\"; env | wc -l"], environment: ["ONLY": "x y"],
            stdin: Array("in\n".utf8), timeout: 30)
        let lines = result.stdoutText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.prefix(2) == ["in", "[x y]"])
        // ONLY and the PWD/SHLVL/_ a shell adds itself: nothing inherited from the test process.
        #expect(Int(lines.last ?? "") ?? 99 <= 4)
    }

    #if os(Linux)
        @Test func startsWithAnEmptySignalMask() throws {
            // grep reads its own status (a shell would be read while it blocks signals around wait).
            let result = try runProcess(
                "/usr/bin/env", ["grep", "^SigBlk", "/proc/self/status"], environment: ["PATH": "/bin:/usr/bin"],
                timeout: 30)
            #expect(result.stdoutText == "SigBlk:\t0000000000000000\n")
        }
    #endif

    @Test func killsTheProcessGroupAtTheTimeBound() throws {
        let child = try ChildProcess(
            "/bin/sh", ["-c", "sleep 30 & echo started; wait"], environment: ["PATH": "/bin:/usr/bin"])
        #expect(child.waitForOutput("started", in: .stdout, timeout: 30))
        let result = child.wait(timeout: 0.2)
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGKILL))
        #expect(result.elapsed < 20)
    }

    @Test func reportsSignalDeaths() throws {
        let child = try ChildProcess(
            "/bin/sh", ["-c", "echo ready; exec sleep 30"], environment: ["PATH": "/bin:/usr/bin"])
        #expect(child.waitForOutput("ready", timeout: 30))
        child.signal(SIGTERM)
        #expect(child.wait(timeout: 30).termination == .signaled(SIGTERM))
    }

    @Test func findsTheBuiltBinaries() {
        #expect(FileManager.default.isExecutableFile(atPath: Binaries.soupRun))
        #expect(FileManager.default.isExecutableFile(atPath: Binaries.soupDevServer))
    }

    @Test func parsesTheDevServerReadyLine() {
        #expect(
            DevServer.readyURL(in: "demo token: demo-token\nlistening on http://127.0.0.1:4321/api/v1\n")
                == "http://127.0.0.1:4321/api/v1")
        #expect(DevServer.readyURL(in: "starting\n") == nil)
    }
}
