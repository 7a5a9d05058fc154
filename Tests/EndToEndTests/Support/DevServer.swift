import Foundation
import SoupCore
import SoupDevServer

/// A `soup-dev-server --port 0 --data <tmp>/state.json` for one test: started ready, stopped on release.
public final class DevServer: @unchecked Sendable {
    /// The demo data set's token (all projects).
    public static let demoToken = DevServerState.demoToken

    /// The demo data plus `e2eToken` (all projects) and `otherProjectToken` (only `other-app`).
    public static var testState: DevServerState {
        var state = DevServerState.demo
        state.tokens[e2eToken] = TokenGrant(projects: ["*"])
        state.tokens[otherProjectToken] = TokenGrant(projects: ["other-app"])
        state.projects["other-app"] = ProjectState(environments: ["prod": EnvironmentState(secrets: ["OTHER": "1"])])
        return state
    }

    /// A valid token that grants only the project `other-app`.
    public static let otherProjectToken = "e2e-other-project-token"

    public let process: ChildProcess
    /// `http://127.0.0.1:PORT/api/v1`, from the server's ready line.
    public let apiURL: String
    public let directory: TemporaryDirectory
    public var dataFile: String { directory.path + "/state.json" }

    /// - Parameter state: the tokens and projects to serve; nil starts from the demo data.
    public init(state: DevServerState? = nil, timeout: Double = 30) throws {
        directory = try TemporaryDirectory(prefix: "soup-dev-server")
        if let state {
            try directory.write("state.json", String(decoding: StateFile.encode(state), as: UTF8.self), mode: 0o600)
        }
        process = try ChildProcess(
            Binaries.soupDevServer, ["--port", "0", "--data", directory.path + "/state.json"],
            environment: ["PATH": "/usr/bin:/bin"])
        guard process.waitForOutput("/api/v1", in: .stdout, timeout: timeout),
            let url = DevServer.readyURL(in: process.stdoutText)
        else {
            throw SpawnError(
                description:
                    "soup-dev-server did not print its ready line: stdout \(process.stdoutText) stderr \(process.stderrText)"
            )
        }
        apiURL = url
    }

    /// The URL of a `listening on http://HOST:PORT/api/v1` line.
    static func readyURL(in text: String) -> String? {
        for line in text.split(separator: "\n") {
            guard let start = line.firstRange(of: "listening on ")?.upperBound else { continue }
            let url = line[start...].prefix { !$0.isWhitespace }
            if url.hasSuffix("/api/v1") { return String(url) }
        }
        return nil
    }

    /// The secrets URL of a project/environment (for curl comparisons).
    public func secretsURL(project: String = "my-app", environment: String = "prod") -> String {
        apiURL
            + "/projects/\(PercentEncoding.encodeSegment(project))/environments/\(PercentEncoding.encodeSegment(environment))/secrets"
    }

    /// Sets a secret through the API (`POST .../secrets`), checking for 201.
    public func setSecret(
        _ key: String, _ value: String, project: String = "my-app", environment: String = "prod",
        token: String = DevServer.demoToken
    ) throws {
        let body = JSONValue.stringObject(["key": key, "value": value]).encoded()
        let status = try curl(
            [
                "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-",
                secretsURL(project: project, environment: environment),
            ],
            token: token, stdin: Array(body.utf8))
        guard status == "201" else { throw SpawnError(description: "POST \(key) answered \(status)") }
    }

    /// Runs curl against the server; returns the status code it printed.
    public func curl(_ arguments: [String], token: String, stdin: [UInt8]? = nil) throws -> String {
        let result = try runProcess(
            "/usr/bin/env",
            ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)"]
                + arguments,
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"], stdin: stdin, timeout: 30)
        guard result.exitCode == 0 else { throw SpawnError(description: "curl failed: \(result.stderrText)") }
        return result.stdoutText
    }

    /// Stops the server with SIGTERM (bounded; SIGKILL after the bound).
    public func stop() {
        process.signal(SIGTERM)
        _ = process.wait(timeout: 10)
    }

    deinit { stop() }
}
