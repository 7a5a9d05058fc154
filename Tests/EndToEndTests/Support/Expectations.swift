import Testing

/// The token the end-to-end tests hand soup-run: distinctive, so a leak is found by searching for it.
public let e2eToken = "e2e-tok-7f3a9c51d2b8"

/// Runs the built soup-run against `apiURL` with `e2eToken` (or `token`) in `SOUP_TOKEN`.
public func soupRun(
    _ arguments: [String], api apiURL: String, token: String = e2eToken, environment: [String: String] = [:],
    stdin: [UInt8]? = nil, timeout: Double = 60
) throws -> ProcessResult {
    var env = ["SOUP_API_URL": apiURL, "SOUP_TOKEN": token, "PATH": "/usr/local/bin:/usr/bin:/bin"]
    env.merge(environment) { $1 }
    return try runSoupRun(arguments, environment: env, stdin: stdin, timeout: timeout)
}

/// Checks a run soup-run finished itself (no time-out) with `code`, and leaked no token anywhere.
public func expectExit(
    _ result: ProcessResult, _ code: Int32, token: String = e2eToken, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(!result.timedOut, "soup-run did not finish within its bound", sourceLocation: sourceLocation)
    #expect(
        result.termination == .exited(code),
        "expected exit \(code), got \(result.termination); stderr: \(result.stderrText)",
        sourceLocation: sourceLocation)
    expectNoToken(result, token: token, sourceLocation: sourceLocation)
}

/// Fails if `token` appears in stdout or stderr (the failure message does not repeat it).
public func expectNoToken(
    _ result: ProcessResult, token: String = e2eToken, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(!result.stdoutText.contains(token), "the token appeared on stdout", sourceLocation: sourceLocation)
    #expect(!result.stderrText.contains(token), "the token appeared on stderr", sourceLocation: sourceLocation)
}

/// Checks stderr is exactly one `soup-run: error: ...` line containing `fragment`.
public func expectOneErrorLine(
    _ result: ProcessResult, containing fragment: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let lines = result.stderrText.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    #expect(lines.count == 1, "stderr: \(result.stderrText)", sourceLocation: sourceLocation)
    #expect(
        lines.first?.hasPrefix("soup-run: error: ") == true, "stderr: \(result.stderrText)",
        sourceLocation: sourceLocation)
    #expect(result.stderrText.contains(fragment), "stderr: \(result.stderrText)", sourceLocation: sourceLocation)
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes.
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { Array(self[$0..<($0 + needle.count)]) == needle }
    }
}
