import Foundation
import SoupHTTP
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A response just under the 16 MiB body cap made of ~1.4 million tiny keys: far more than exec
/// can take, so soup-run must refuse it as the exec limit does (126) while reading it, in bounded
/// memory (peak RSS ≤ 3× the body + 16 MiB), instead of building every secret first.
@Suite("soup-run: a huge body of tiny keys", .serialized)
struct HugeBodyEndToEndTests {
    /// `{"data":{"K0":"","K1":"",...}}` with as many keys as fit in `bytes`.
    static func tinyKeys(upTo bytes: Int) -> [UInt8] {
        var body = Array(#"{"data":{"#.utf8)
        body.reserveCapacity(bytes)
        var n = 0
        while true {
            let member = Array(((n == 0 ? "" : ",") + #""K\#(n)":"""#).utf8)
            if body.count + member.count + 2 > bytes { break }
            body += member
            n += 1
        }
        return body + Array("}}".utf8)
    }

    static let body = tinyKeys(upTo: 16 * 1024 * 1024)

    /// Runs `argv` under python3, which prints the child's peak RSS (getrusage, KiB) on stderr's last line.
    static let peakRSSScript = #"""
        import resource, subprocess, sys
        status = subprocess.run(sys.argv[1:]).returncode
        print(f"maxrss_kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
        sys.exit(status if status >= 0 else 128 - status)
        """#

    @Test func theExecLimitRefusesItWhileReadingInBoundedMemory() throws {
        let body = Self.body
        #expect(body.count > 16 * 1024 * 1024 - 64 && body.count <= 16 * 1024 * 1024)
        let api = try FakeAPI { _ in
            HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
        }
        let result = try runProcess(
            "/usr/bin/python3",
            [
                "-c", Self.peakRSSScript, Binaries.soupRun, "--api-url", api.apiURL, "--retries", "0", "my-app",
                "prod", "--", "/bin/true",
            ],
            environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken], timeout: 120)
        #expect(result.exitCode == 126, "stderr: \(result.stderrText.prefix(2000))")
        #expect(result.stderrText.contains("soup-run: error: the secrets are too large for exec: after "))
        #expect(result.stderrText.contains("the response was not read further"))
        let line = result.stderrText.split(separator: "\n").last { $0.hasPrefix("maxrss_kib=") }
        let peak = try #require(line.flatMap { Int($0.dropFirst("maxrss_kib=".count)) }) * 1024
        let bound = 3 * body.count + 16 * 1024 * 1024
        #expect(peak <= bound, "peak RSS \(peak >> 20) MiB, over 3× the body + 16 MiB (\(bound >> 20) MiB)")
    }
}
