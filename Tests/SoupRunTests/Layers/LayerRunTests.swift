import SoupCore
import Testing

@testable import SoupRun

/// Answers each request by its environment path, whatever the order the layers ask in.
struct RoutingTransport: HTTPTransport {
    let routes: [String: TransportResult]
    func get(_ request: TransportRequest) -> TransportResult {
        for (path, result) in routes where request.url.hasSuffix(path) { return result }
        return FetchFixtures.status(404, body: #"{"error":"Environment not found"}"#)
    }
}

/// The run story with layers: `--export` prints the layered result, filters apply to it,
/// failures name the layer, and the command line refuses malformed `--also` values.
@Suite struct LayerRunTests {
    let environment = ["SOUP_API_URL": "http://127.0.0.1:9/api/v1", "SOUP_TOKEN": FetchFixtures.token]

    func run(_ arguments: [String], routes: [String: TransportResult], files: FakeEnvFiles = FakeEnvFiles())
        -> (code: Int32, recorder: SoupRunMainTests.Recorder)
    {
        let recorder = SoupRunMainTests.Recorder()
        var effects = recorder.effects(transport: FetchScriptedTransport([]))
        effects.makeTransport = { _ in RoutingTransport(routes: routes) }
        effects.envFiles = files.access
        return (SoupRunMain.run(arguments: arguments, environment: environment, effects: effects), recorder)
    }

    static let routes: [String: TransportResult] = [
        "/projects/shared/environments/prod/secrets": FetchFixtures.ok(["A": "shared", "B": "shared", "S": "s"]),
        "/projects/a%2Fb/environments/prod/secrets": FetchFixtures.ok(["B": "slash"]),
        "/projects/my-app/environments/prod/secrets": FetchFixtures.ok(["C": "app", "A": "app"]),
    ]

    @Test func exportPrintsTheLayeredResultAfterOnly() {
        let files = FakeEnvFiles()
        files.write(".env", "export C=\"from file\" # local\nD=d\n")
        let (code, r) = run(
            [
                "--also", "shared/prod", "--also=a%2Fb/prod", "--env-file", ".env", "--env-file-optional", ".env.local",
                "--only", "A,B,C,D,S", "my-app", "prod", "--export", "--format", "dotenv",
            ], routes: Self.routes, files: files)
        #expect(code == 0, "\(r.stderr)")
        #expect(
            r.stdout
                == ExportFormatter.format(
                    ["A": "app", "B": "slash", "C": "from file", "D": "d", "S": "s"], as: .dotenv))
    }

    @Test func verboseNamesTheLayerOfEachOverriddenKeyNeverItsValue() {
        let files = FakeEnvFiles()
        files.write(".env", "A=file-value\n")
        let (code, r) = run(
            ["-v", "--also", "shared/prod", "--env-file", ".env", "my-app", "prod", "--export"], routes: Self.routes,
            files: files)
        #expect(code == 0)
        #expect(r.stderr.contains("soup-run: layers: A from --env-file .env (over my-app/prod, --also shared/prod)\n"))
        #expect(!r.stderr.contains("file-value") && !r.stderr.contains("shared\n"))
    }

    /// Every layer's client would warn about plain http to the same host: the warning shows once.
    @Test func aWarningSharedByTheLayersIsPrintedOnce() {
        let recorder = SoupRunMainTests.Recorder()
        var effects = recorder.effects(transport: FetchScriptedTransport([]))
        effects.makeTransport = { _ in RoutingTransport(routes: Self.routes) }
        let code = SoupRunMain.run(
            arguments: ["--also", "shared/prod", "--also", "a%2Fb/prod", "my-app", "prod", "--export"],
            environment: ["SOUP_API_URL": "http://secrets.example.test/api/v1", "SOUP_TOKEN": FetchFixtures.token],
            effects: effects)
        #expect(code == 0)
        #expect(
            recorder.stderr
                == "soup-run: warning: sending the token over plain http to secrets.example.test; use https for anything but local testing\n"
        )
    }

    @Test func theCommandGetsTheLayeredEnvironment() {
        let (code, r) = run(["--also", "shared/prod", "my-app", "prod", "--", "app"], routes: Self.routes)
        #expect(code == 127)
        #expect(r.execCalls.first?.1["A"] == "app" && r.execCalls.first?.1["S"] == "s")
    }

    @Test func aFailingAlsoLayerIsNamedWithItsExitCode() {
        let (code, r) = run(["--also", "shared/missing", "my-app", "prod", "--export"], routes: Self.routes)
        #expect(code == 66)
        #expect(
            r.stderr
                == "soup-run: error: in --also shared/missing: Environment not found (HTTP 404) for project 'shared', environment 'missing'\n"
        )
        #expect(r.stdout.isEmpty)
    }

    @Test func aMalformedEnvFileIs65AndAMissingOne66() {
        let files = FakeEnvFiles()
        files.write("bad.env", "A=1\nB='s3cret\n")
        let bad = run(["--env-file", "bad.env", "my-app", "prod", "--export"], routes: Self.routes, files: files)
        #expect(bad.code == 65)
        #expect(
            bad.recorder.stderr
                == "soup-run: error: in --env-file bad.env: line 2: the single quote opened here is never closed\n")
        let missing = run(["--env-file", ".env.local", "my-app", "prod", "--export"], routes: Self.routes)
        #expect(missing.code == 66)
        #expect(missing.recorder.stderr.hasPrefix("soup-run: error: in --env-file .env.local: no such file"))
    }

    @Test(arguments: ["shared", "shared/", "/prod", "a/b/c", "a%2/b", "a%ZZ/b", "%FF/b"])
    func malformedAlsoValuesAreUsageErrors(value: String) {
        let failure = Parse.failure(["--also=\(value)", "p", "e", "cmd"])
        #expect(failure?.exitCode == .usage)
        #expect(failure?.description.contains("for --also: expected PROJECT/ENVIRONMENT") == true)
    }

    @Test func alsoAndEnvFilesAccumulateInOrder() throws {
        let c = try Parse.configuration(
            ["--env-file", "b", "--also", "x/1", "--env-file-optional", "a", "--also", "y/2", "p", "e", "cmd"])
        #expect(c.also.map(\.description) == ["x/1", "y/2"])
        #expect(c.envFiles == [.init(path: "b"), .init(path: "a", optional: true)])
    }
}
