import Foundation
import Testing

/// `scripts/release.sh` on a machine like the official `swift:*-bookworm` image: the toolchain's
/// clang++ and libstdc++'s archive, but no `c++` (nor g++) on PATH.
@Suite struct ReleaseScriptTests {
    /// The toolchain's `swiftc` after symlinks (its directory holds the toolchain's clang).
    static let swiftc: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/swiftc"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return URL(fileURLWithPath: candidate).resolvingSymlinksInPath().path
            }
        }
        return nil
    }()

    @Test(.enabled(if: swiftc != nil, "no swiftc on PATH"))
    func withoutCxxOnPathTheArchiveIsFoundThroughTheToolchainsClang() throws {
        #if os(Linux)
            let bin = try TemporaryDirectory(prefix: "soup-release-path")
            // Only what the script itself runs; the toolchain's directory is found from swiftc.
            for tool in ["bash", "dirname", "readlink", "uname"] {
                #expect(symlink(try Self.which(tool), bin.path + "/" + tool) == 0)
            }
            #expect(symlink(try #require(Self.swiftc), bin.path + "/swiftc") == 0)
            let environment = ["PATH": bin.path]
            let cxx = try runProcess("/usr/bin/env", ["sh", "-c", "command -v c++"], environment: environment)
            #expect(cxx.exitCode != 0, "c++ is on the test's PATH: \(cxx.stdoutText)")
            let result = try runProcess(
                ExampleRepository.path("scripts/release.sh"), ["--locate-libstdcxx"], environment: environment,
                timeout: 60)
            #expect(result.exitCode == 0, "\(result.stderrText)")
            let archive = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(archive.hasSuffix("/libstdc++.a") && FileManager.default.fileExists(atPath: archive), "\(archive)")
        #endif
    }

    static func which(_ tool: String) throws -> String {
        for directory in ["/usr/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(tool)")
        {
            return "\(directory)/\(tool)"
        }
        throw SpawnError(description: "\(tool) not found")
    }
}
