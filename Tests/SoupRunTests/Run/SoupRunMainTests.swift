import Foundation
import Testing
@testable import SoupRun

/// The run story with every effect faked: what is printed where, what is exec'd, which exit code.
@Suite struct SoupRunMainTests {
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var out = ""
        private var err = ""
        private var execs: [([String], [String: String])] = []
        var stdout: String { lock.withLock { out } }
        var stderr: String { lock.withLock { err } }
        var execCalls: [([String], [String: String])] { lock.withLock { execs } }

        func effects(
            transport: FetchScriptedTransport, files: [String: String] = [:],
            execResult: ExecError = .notFound(command: "app", searched: .path(directories: 1)),
            stdoutWritable: Bool = true
        ) -> RunEffects {
            RunEffects(
                writeOutput: { [self] s in
                    guard stdoutWritable else { return false }
                    lock.withLock { out += s }
                    return true
                },
                writeError: { [self] s in lock.withLock { err += s } },
                readFile: { path in
                    guard let text = files[path] else {
                        throw Platform.FileError(path: path, reason: "No such file or directory")
                    }
                    return Array(text.utf8)
                },
                makeTransport: { _ in transport },
                sleep: { _ in },
                exec: { [self] command, env in
                    lock.withLock { execs.append((command, env)) }
                    return execResult
                })
        }
    }

    let token = FetchFixtures.token
    let api = ["SOUP_API_URL": "http://127.0.0.1:9/api/v1"]

    @Test func versionAndHelpGoToStdout() {
        let r = Recorder()
        #expect(
            SoupRunMain.run(
                arguments: ["--version"], environment: [:], effects: r.effects(transport: FetchScriptedTransport([])))
                == 0)
        #expect(r.stdout == "soup-run \(SoupRunVersion.string)\n")
        #expect(r.stderr.isEmpty)
        let h = Recorder()
        #expect(
            SoupRunMain.run(
                arguments: ["--help"], environment: [:], effects: h.effects(transport: FetchScriptedTransport([]))) == 0
        )
        #expect(h.stdout == HelpText.text(version: SoupRunVersion.string))
    }

    @Test func usageErrorsPrintOneErrorLineAndAHint() {
        let r = Recorder()
        let code = SoupRunMain.run(
            arguments: ["--bogus"], environment: [:], effects: r.effects(transport: FetchScriptedTransport([])))
        #expect(code == 64)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("soup-run: error: ") == true)
        #expect(r.stdout.isEmpty)
    }

    @Test func aMissingTokenIsAConfigurationError() {
        let r = Recorder()
        let transport = FetchScriptedTransport([])
        #expect(
            SoupRunMain.run(
                arguments: ["my-app", "prod", "--", "app"], environment: api, effects: r.effects(transport: transport))
                == 78)
        #expect(r.stderr.hasPrefix("soup-run: error: no API token"))
        #expect(transport.requests.isEmpty)
    }

    @Test func execsTheCommandWithTheMergedEnvironmentWithoutTheToken() throws {
        let r = Recorder()
        let transport = FetchScriptedTransport([FetchFixtures.ok(["DB_URL": "postgres://x", "HOME": "/secret-home"])])
        let env = api.merging(["SOUP_TOKEN": token, "HOME": "/root", "KEEP": "1"]) { $1 }
        let code = SoupRunMain.run(
            arguments: ["my-app", "prod", "app", "--flag"], environment: env, effects: r.effects(transport: transport))
        #expect(code == 127)
        let call = try #require(r.execCalls.first)
        #expect(call.0 == ["app", "--flag"])
        #expect(call.1["DB_URL"] == "postgres://x")
        #expect(call.1["KEEP"] == "1")
        #expect(call.1["SOUP_TOKEN"] == nil)
        #expect(r.stderr.contains("soup-run: warning: the secret HOME overrides the inherited HOME"))
        #expect(
            r.stderr.hasSuffix(
                "soup-run: error: \(ExecError.notFound(command: "app", searched: .path(directories: 1)))\n"))
        #expect(!r.stderr.contains(token))
        #expect(transport.requests.first?.headers["Authorization"] == "Bearer \(token)")
    }

    @Test func quietSilencesWarningsButNotErrors() {
        let r = Recorder()
        let transport = FetchScriptedTransport([FetchFixtures.ok(["PATH": "/evil"])])
        let env = api.merging(["SOUP_TOKEN": token, "PATH": "/bin"]) { $1 }
        _ = SoupRunMain.run(
            arguments: ["-q", "my-app", "prod", "app"], environment: env, effects: r.effects(transport: transport))
        #expect(!r.stderr.contains("warning"))
        #expect(r.stderr.contains("soup-run: error: "))
    }

    @Test func exportPrintsTheSecretsAndExecsNothing() {
        let r = Recorder()
        let transport = FetchScriptedTransport([FetchFixtures.ok(["B": "2", "A": "it's"])])
        let code = SoupRunMain.run(
            arguments: ["my-app", "prod", "--export", "--format", "dotenv"],
            environment: api.merging(["SOUP_TOKEN": token]) { $1 },
            effects: r.effects(transport: transport))
        #expect(code == 0)
        #expect(r.stdout == ExportFormatter.format(["A": "it's", "B": "2"], as: .dotenv))
        #expect(r.execCalls.isEmpty)
    }

    @Test func exportToAClosedStdoutIsAnOutputError() {
        let r = Recorder()
        let transport = FetchScriptedTransport([FetchFixtures.ok(["A": "1"])])
        let code = SoupRunMain.run(
            arguments: ["my-app", "prod", "--export"], environment: api.merging(["SOUP_TOKEN": token]) { $1 },
            effects: r.effects(transport: transport, stdoutWritable: false))
        #expect(code == 74)
        #expect(r.stderr == "soup-run: error: cannot write to standard output\n")
    }

    @Test func readsTheTokenFile() {
        let r = Recorder()
        let transport = FetchScriptedTransport([FetchFixtures.ok([:])])
        _ = SoupRunMain.run(
            arguments: ["--token-file", "/run/secrets/soup", "my-app", "prod", "app"], environment: api,
            effects: r.effects(transport: transport, files: ["/run/secrets/soup": token + "\n"]))
        #expect(transport.requests.first?.headers["Authorization"] == "Bearer \(token)")
    }

    @Test func anUnreadableTokenFileNamesThePath() {
        let r = Recorder()
        let code = SoupRunMain.run(
            arguments: ["--token-file", "/nope", "my-app", "prod", "app"], environment: api,
            effects: r.effects(transport: FetchScriptedTransport([])))
        #expect(code == 78)
        #expect(r.stderr == "soup-run: error: cannot read the token file /nope: No such file or directory\n")
    }

    @Test(arguments: [(401, Int32(77)), (403, 77), (404, 78), (500, 69), (400, 78)])
    func fetchFailuresMapToTheirExitCodes(status: Int, code: Int32) {
        let r = Recorder()
        let transport = FetchScriptedTransport([], fallback: FetchFixtures.status(status, body: #"{"error":"nope"}"#))
        let exit = SoupRunMain.run(
            arguments: ["--retries", "0", "my-app", "prod", "app"],
            environment: api.merging(["SOUP_TOKEN": token]) { $1 },
            effects: r.effects(transport: transport))
        #expect(exit == code)
        #expect(r.stderr.hasPrefix("soup-run: error: "))
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.execCalls.isEmpty)
    }

    @Test func anOnlyKeyThatIsMissingIsNotFound() {
        let r = Recorder()
        let transport = FetchScriptedTransport([FetchFixtures.ok(["A": "1"])])
        let exit = SoupRunMain.run(
            arguments: ["--only", "A,MISSING", "my-app", "prod", "app"],
            environment: api.merging(["SOUP_TOKEN": token]) { $1 },
            effects: r.effects(transport: transport))
        #expect(exit == 66)
        #expect(r.stderr.contains("MISSING"))
    }
}
