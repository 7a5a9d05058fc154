import Foundation
import SoupCore
import SoupDevServer

/// The API side of the example tests: the secrets a run must show, URLs pointed at the test's
/// server, soup-run's stop timeout, and soup-run on a PATH.
enum ExampleAPI {
    /// The end-to-end test data plus a `ci` environment of `my-app` (the CI examples use it).
    static var state: DevServerState {
        var state = DevServer.testState
        state.projects["my-app"]?.environments["ci"] = EnvironmentState(
            parent: "base",
            secrets: ["DB_HOST": "db.ci.internal", "DB_PASSWORD": "ci-password", "FEATURE_BETA": "on"])
        return state
    }

    /// The resolved secrets of an environment, read with curl (not soup-run, which is under test).
    static func secrets(api apiURL: String, project: String, environment: String, token: String) throws -> [String:
        String]
    {
        let url =
            apiURL
            + "/projects/\(PercentEncoding.encodeSegment(project))/environments/\(PercentEncoding.encodeSegment(environment))/secrets"
        let result = try runProcess(
            "/usr/bin/env", ["curl", "-sS", "-f", "-H", "Authorization: Bearer \(token)", url],
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"], timeout: 30)
        guard result.exitCode == 0 else {
            throw ExampleError("GET \(project)/\(environment) secrets failed: \(result.stderrText)")
        }
        guard let data = try JSON.parse(result.stdout)["data"]?.objectValue else {
            throw ExampleError("GET \(project)/\(environment) secrets: no data object")
        }
        return data.compactMapValues(\.stringValue)
    }

    /// `url` with its scheme, host and port replaced by those of `apiURL` (the test's server);
    /// its path stays, so a wrong path in an example still fails.
    static func repoint(_ url: String, to apiURL: String) throws -> String {
        guard var components = URLComponents(string: url), components.host != nil,
            let server = URLComponents(string: apiURL)
        else { throw ExampleError("'\(url)' is not an API URL") }
        components.scheme = server.scheme
        components.host = server.host
        components.port = server.port
        guard let result = components.string else { throw ExampleError("cannot repoint '\(url)'") }
        return result
    }

    /// soup-run's default `--stop-timeout`, as its `--help` states it.
    static let defaultStopTimeout: Double? = {
        guard let help = try? runSoupRun(["--help"], timeout: 30).stdoutText,
            let line = help.split(separator: "\n").first(where: { $0.contains("--stop-timeout") }),
            let start = line.firstRange(of: "(default ")?.upperBound
        else { return nil }
        return Double(line[start...].prefix { $0.isNumber || $0 == "." })
    }()

    /// The stop timeout a soup-run command line asks for: its `--stop-timeout`, else the default.
    static func stopTimeout(in argv: [String]) throws -> Double {
        let options = argv.prefix { $0 != "--" }
        for (index, word) in options.enumerated() {
            if word.hasPrefix("--stop-timeout=") { return try ExampleDuration.seconds(String(word.dropFirst(15))) }
            if word == "--stop-timeout", index + 1 < options.count {
                return try ExampleDuration.seconds(options[options.startIndex + index + 1])
            }
        }
        guard let value = defaultStopTimeout else {
            throw ExampleError("soup-run --help states no default --stop-timeout")
        }
        return value
    }

    /// The options that take a separate value (`--retries 5`), as soup-run's `--help` lists them.
    static let optionsWithValues: Set<String> = {
        guard let help = try? runSoupRun(["--help"], timeout: 30).stdoutText else { return [] }
        var result: Set<String> = []
        for line in help.split(separator: "\n") {
            // "  -q, --quiet    ..." has no value; "      --retries N    ..." has one (an upper-case placeholder).
            let words = line.split(separator: " ")
            for (index, word) in words.enumerated() where word.hasPrefix("--") && index + 1 < words.count {
                if words[index + 1].first?.isUppercase == true { result.insert(String(word)) }
            }
        }
        return result
    }()

    /// The project and environment a soup-run command line asks for: its two operands, or else
    /// `SOUP_PROJECT` and `SOUP_ENVIRONMENT` from `environment`.
    static func target(of argv: [String], environment: [String: String]) throws -> (
        project: String, environment: String
    ) {
        var operands: [String] = []
        var words = argv.dropFirst()[...]
        while let word = words.popFirst(), word != "--", operands.count < 2 {
            if word.hasPrefix("-") {
                if optionsWithValues.contains(word) { _ = words.popFirst() }
            } else {
                operands.append(word)
            }
        }
        if operands.count == 2 { return (operands[0], operands[1]) }
        guard let project = environment["SOUP_PROJECT"], let name = environment["SOUP_ENVIRONMENT"] else {
            throw ExampleError(
                "\(argv) names no project and environment, and SOUP_PROJECT/SOUP_ENVIRONMENT are not both set")
        }
        return (project, name)
    }

    /// A PATH whose first directory holds `soup-run` (a link to the built binary) and nothing else.
    static func pathWithSoupRun(in directory: TemporaryDirectory) throws -> String {
        let bin = directory.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/soup-run", withDestinationPath: Binaries.soupRun)
        return bin + ":/usr/local/bin:/usr/bin:/bin"
    }
}
