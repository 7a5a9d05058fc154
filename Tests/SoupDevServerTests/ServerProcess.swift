import Foundation
import Testing

/// A `soup-dev-server` process started by a test: stdout read line by line with a deadline,
/// stderr collected in a file. `stop()` (also run on deinit) kills it if it still runs.
final class ServerProcess {
    let process = Process()
    private let stdout = Pipe()
    private let stderrPath: String
    private var buffered: [UInt8] = []
    private let exited = DispatchSemaphore(value: 0)
    /// The base URL from the ready line, once `waitUntilReady` returned.
    private(set) var baseURL = ""

    /// Generous: the machine is shared and the first start of a debug binary can be slow.
    static let timeout: TimeInterval = 60

    /// The built executable: next to the test bundle, or in the package's `.build/debug`.
    static func executable() throws -> String {
        var candidates: [String] = []
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        candidates.append(bundleDirectory + "/soup-dev-server")
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().path + "/soup-dev-server")
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        candidates.append(packageRoot + "/.build/debug/soup-dev-server")
        return try #require(
            candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
            "soup-dev-server not built; looked in \(candidates)")
    }

    init(_ arguments: [String], stderrPath: String) throws {
        self.stderrPath = stderrPath
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: try Self.executable())
        process.arguments = arguments
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [exited] _ in exited.signal() }
        try process.run()
    }

    deinit { stop() }

    /// The next line on stdout, without its newline; nil at end of output or after the deadline.
    func nextLine(timeout: TimeInterval = ServerProcess.timeout) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        let fd = stdout.fileHandleForReading.fileDescriptor
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(min(remaining, 1) * 1000) + 1) >= 0 else { return nil }
            guard pfd.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            buffered += chunk[..<n]
        }
    }

    /// Reads stdout up to the ready line; returns the lines before it. Fails the test without one.
    @discardableResult
    func waitUntilReady(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        var before: [String] = []
        while let line = nextLine() {
            if line.hasPrefix("listening on ") {
                baseURL = String(line.dropFirst("listening on ".count))
                return before
            }
            before.append(line)
        }
        Issue.record("no ready line; stdout: \(before), stderr: \(stderr)", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// Sends `signal` and waits for the exit; the exit status, or nil if it did not exit in time.
    func signal(_ signal: Int32) -> Int32? {
        kill(process.processIdentifier, signal)
        return waitForExit()
    }

    /// The exit status (or terminating signal) once the process ended; nil after the deadline.
    func waitForExit(timeout: TimeInterval = ServerProcess.timeout) -> Int32? {
        guard exited.wait(timeout: .now() + timeout) == .success else { return nil }
        exited.signal()  // later callers see the exit too
        return process.terminationStatus
    }

    var stderr: String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }

    /// Kills the process if it still runs and reaps it.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = waitForExit()
    }
}

/// One HTTP exchange made with `/usr/bin/curl`.
struct CurlResult {
    var status: Int
    var headers: [String: String]
    var body: String
}

/// Runs curl with `arguments` (after `-sS -i --max-time 30`) and parses the response it prints.
func curl(_ arguments: [String]) throws -> CurlResult {
    try runCurl(executable: "/usr/bin/curl", arguments: ["-sS", "-i", "--max-time", "30"] + arguments)
}

/// Runs a shell command line (a documented curl example) and parses the response curl prints.
func curlShell(_ commandLine: String, environment: [String: String]) throws -> CurlResult {
    try runCurl(executable: "/bin/sh", arguments: ["-c", commandLine], environment: environment)
}

private func runCurl(executable: String, arguments: [String], environment: [String: String]? = nil) throws -> CurlResult
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let output = Pipe()
    process.standardOutput = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // curl's own --max-time bounds this read.
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "curl exited \(process.terminationStatus)")
    let text = String(decoding: data, as: UTF8.self)
    let split = try #require(text.range(of: "\r\n\r\n"), "no header end in curl's output")
    let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
    let statusLine = head[0].split(separator: " ")
    let status = try #require(statusLine.count >= 2 ? Int(statusLine[1]) : nil, "bad status line")
    var headers: [String: String] = [:]
    for line in head.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return CurlResult(status: status, headers: headers, body: String(text[split.upperBound...]))
}
