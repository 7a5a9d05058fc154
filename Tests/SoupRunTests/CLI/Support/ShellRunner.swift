import Dispatch
import Foundation
import Testing

/// Runs a real program (a shell) for round-trip tests, with a time bound.
enum ShellRunner {
    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
    }

    struct TimedOut: Error, CustomStringConvertible {
        let program: String
        var description: String { "\(program) did not finish within the time bound" }
    }

    /// The absolute path of `name` in /bin or /usr/bin, if installed.
    static func find(_ name: String) -> String? {
        ["/bin/\(name)", "/usr/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The POSIX shells `eval` of the shell export must work in (each test needs it installed).
    static let evalShells = ["sh", "dash", "bash", "zsh"]

    /// `find(name)`, for a test that `.installed(name)` enabled.
    static func program(_ name: String) throws -> String {
        try #require(find(name), "\(name) is not installed")
    }

    /// Runs `program` with `arguments`, output captured through temporary files (no pipe can
    /// fill up), killed and reported if it runs longer than `timeout` seconds.
    static func run(_ program: String, _ arguments: [String], timeout: Double = 30) throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("soup-run-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("out")
        let errURL = directory.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": directory.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            // SIGKILL: a shell blocked in a builtin (zpty -r) may not act on SIGTERM. Its
            // pseudo-terminal children get SIGHUP when it dies.
            kill(process.processIdentifier, SIGKILL)
            _ = done.wait(timeout: .now() + 10)
            throw TimedOut(program: program)
        }
        return Result(
            status: process.terminationStatus,
            stdout: Array(try Data(contentsOf: outURL)),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Writes `text` to a new temporary file and returns its path; the caller removes it.
    static func temporaryFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("soup-run-cli-\(UUID().uuidString)")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Removes a file made by `temporaryFile`.
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where `program` is installed, else shows it skipped with the reason
    /// (CI installs every one: scripts/prerequisites.sh --test).
    static func installed(_ program: String) -> Self {
        .enabled(
            if: ShellRunner.find(program) != nil,
            "\(program) is not installed (scripts/prerequisites.sh --test installs it)")
    }
}
