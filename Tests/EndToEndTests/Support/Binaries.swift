import Foundation

/// Where the built `soup-run` and `soup-dev-server` are: next to the test bundle in `.build/<config>/`.
public enum Binaries {
    /// The build products directory (found from this test process's own executable).
    public static let directory: String = {
        var candidates: [URL] = []
        #if os(Linux)
            if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
                candidates.append(URL(fileURLWithPath: exe))
            }
        #endif
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL)
        candidates.append(contentsOf: Bundle.allBundles.map(\.bundleURL))
        for start in candidates {
            // The bundle may be a directory (`.xctest/Contents/MacOS/...` on macOS): walk up a few levels.
            var dir = start.deletingLastPathComponent()
            for _ in 0..<5 {
                if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("soup-run").path) {
                    return dir.path
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        fatalError("cannot find the built soup-run next to the test bundle (\(candidates.map(\.path)))")
    }()

    public static var soupRun: String { directory + "/soup-run" }
    public static var soupDevServer: String { directory + "/soup-dev-server" }
}

/// A fresh directory under the system temporary directory, removed when released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(prefix: String = "soup-run-e2e") throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SpawnError(description: "mkdtemp failed: \(errno)")
        }
        path = String(cString: made)
    }

    /// Writes `contents` to `name` inside the directory with `mode`; returns the full path.
    @discardableResult
    public func write(_ name: String, _ contents: String, mode: Int = 0o644) throws -> String {
        let file = path + "/" + name
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs the built soup-run with exactly `environment` (plus a PATH if it has none), bounded by `timeout`.
public func runSoupRun(
    _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8]? = nil, timeout: Double = 60
) throws -> ProcessResult {
    var env = environment
    if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
    return try runProcess(Binaries.soupRun, arguments, environment: env, stdin: stdin, timeout: timeout)
}
