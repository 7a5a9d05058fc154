import Foundation
import SoupHTTP
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A response just under the 16 MiB body cap made of ~1.3 million tiny keys: far more than exec
/// can take, so soup-run must refuse it as the exec limit does (126) while reading it, in bounded
/// memory (peak RSS ≤ 3× the body + 16 MiB), instead of building every secret first; `--export`,
/// which has only the body cap, prints every key within the same bound.
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

    /// `argv` run under `peakRSSScript`: the result and the child's peak RSS in bytes.
    static func runMeasured(_ argv: [String]) throws -> (result: ProcessResult, peak: Int) {
        let result = try runProcess(
            "/usr/bin/python3", ["-c", Self.peakRSSScript, Binaries.soupRun] + argv,
            environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken], timeout: 120)
        let line = result.stderrText.split(separator: "\n").last { $0.hasPrefix("maxrss_kib=") }
        let peak = try #require(line.flatMap { Int($0.dropFirst("maxrss_kib=".count)) }) * 1024
        return (result, peak)
    }

    static func serveBody() throws -> FakeAPI {
        let body = Self.body
        return try FakeAPI { _ in
            HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
        }
    }

    static let bound = 3 * body.count + 16 * 1024 * 1024

    @Test func theExecLimitRefusesItWhileReadingInBoundedMemory() throws {
        #expect(Self.body.count > 16 * 1024 * 1024 - 64 && Self.body.count <= 16 * 1024 * 1024)
        let api = try Self.serveBody()
        let (result, peak) = try Self.runMeasured(
            ["--api-url", api.apiURL, "--retries", "0", "my-app", "prod", "--", "/bin/true"])
        #expect(result.exitCode == 126, "stderr: \(result.stderrText.prefix(2000))")
        #expect(result.stderrText.contains("soup-run: error: the secrets are too large for exec: after "))
        #expect(result.stderrText.contains("the response was not read further"))
        #expect(peak <= Self.bound, "peak RSS \(peak >> 20) MiB, over 3× the body + 16 MiB (\(Self.bound >> 20) MiB)")
    }

    @Test func exportPrintsEveryKeyInBoundedMemory() throws {
        let api = try Self.serveBody()
        let (result, peak) = try Self.runMeasured([
            "--api-url", api.apiURL, "--retries", "0", "--export", "my-app", "prod",
        ])
        #expect(result.exitCode == 0, "stderr: \(result.stderrText.prefix(2000))")
        let keys = Self.body.count { $0 == UInt8(ascii: ":") } - 1  // one per member, one after "data"
        let lines = result.stdout.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        #expect(lines.count == keys + 1 && lines.last?.isEmpty == true)
        // Sorted by key bytes: K0, K1, K10, K100, ...; the last is the largest in that order.
        #expect(lines.first.map { String(decoding: $0, as: UTF8.self) } == "export K0=''")
        #expect(lines.dropLast().allSatisfy { $0.starts(with: Array("export K".utf8)) && $0.last == UInt8(ascii: "'") })
        #expect(peak <= Self.bound, "peak RSS \(peak >> 20) MiB, over 3× the body + 16 MiB (\(Self.bound >> 20) MiB)")
    }
}
