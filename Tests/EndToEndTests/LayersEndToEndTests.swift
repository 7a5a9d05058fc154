import Foundation
import SoupDevServer
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Layers end to end: the built soup-run against soup-dev-server with `--also` environments and
/// `--env-file` files, once and under `--watch`.
@Suite("soup-run layers: --also and --env-file", .serialized)
struct LayersEndToEndTests {
    /// The test state plus two shared environments whose keys overlap `my-app/prod`'s.
    static var state: DevServerState {
        var state = DevServer.testState
        state.projects["shared"] = ProjectState(environments: [
            "prod": EnvironmentState(secrets: ["LOG_LEVEL": "shared", "DB_HOST": "shared-db", "SHARED_ONLY": "s"])
        ])
        state.projects["team"] = ProjectState(environments: [
            "prod": EnvironmentState(secrets: ["DB_HOST": "team-db", "TEAM_ONLY": "t"])
        ])
        return state
    }

    @Test func threeLayersAndAnEnvFileCombineLaterWinning() throws {
        let server = try DevServer(state: Self.state)
        let directory = try TemporaryDirectory(prefix: "soup-layers")
        let envFile = try directory.write(
            ".env", "# local overrides\r\nexport LOG_LEVEL='from file'\r\nLOCAL=1 # inline\r\n")
        let keys = ["DB_HOST", "LOG_LEVEL", "SHARED_ONLY", "TEAM_ONLY", "LOCAL", "DB_NAME"]
        let script = "printf '%s|' " + keys.map { "\"$\($0)\"" }.joined(separator: " ")
        let result = try soupRun(
            [
                "-v", "--also", "shared/prod", "--also", "team/prod", "--env-file", envFile, "--env-file-optional",
                directory.path + "/.env.local", "my-app", "prod", "--", "/bin/sh", "-c", script,
            ], api: server.apiURL)
        expectExit(result, 0)
        // DB_HOST: my-app/prod over team over shared; LOG_LEVEL: the file over everything.
        #expect(result.stdoutText == "db.internal|from file|s|t|1|app|")
        #expect(
            result.stderrText.contains("layers: DB_HOST from my-app/prod (over --also team/prod, --also shared/prod)"))
        #expect(
            result.stderrText.contains(
                "layers: LOG_LEVEL from --env-file \(envFile) (over my-app/prod, --also shared/prod)"))
        #expect(!result.stderrText.contains("from file|") && !result.stderrText.contains("team-db"))
        // Three GETs, one per environment.
        #expect(
            watchWaitUntil(server.process, timeout: 10) {
                watchCount(of: "GET /api/v1/projects/", in: server.process.stderrText) >= 3
            })
        #expect(watchCount(of: "GET /api/v1/projects/", in: server.process.stderrText) == 3)

        let export = try soupRun(
            [
                "--also", "shared/prod", "--env-file", envFile, "--only", "LOG_LEVEL,SHARED_ONLY", "my-app", "prod",
                "--export", "--format", "json",
            ], api: server.apiURL)
        expectExit(export, 0)
        #expect(export.stdoutText == #"{"LOG_LEVEL":"from file","SHARED_ONLY":"s"}"# + "\n")
    }

    @Test func aFailingLayerIsNamedInTheError() throws {
        let server = try DevServer(state: Self.state)
        let missing = try soupRun(["--also", "shared/nope", "my-app", "prod", "--", "/bin/true"], api: server.apiURL)
        expectExit(missing, 66)
        expectOneErrorLine(missing, containing: "in --also shared/nope: Environment not found (HTTP 404)")

        let denied = try soupRun(
            ["--also", "shared/prod", "other-app", "prod", "--", "/bin/true"], api: server.apiURL,
            token: DevServer.otherProjectToken)
        expectExit(denied, 77, token: DevServer.otherProjectToken)
        expectOneErrorLine(denied, containing: "in --also shared/prod: the token has no access")

        let directory = try TemporaryDirectory(prefix: "soup-layers")
        let bad = try directory.write("bad.env", "A=1\nB=\"s3cret-value\n")
        let syntax = try soupRun(["--env-file", bad, "my-app", "prod", "--", "/bin/true"], api: server.apiURL)
        expectExit(syntax, 65)
        expectOneErrorLine(
            syntax, containing: "in --env-file \(bad): line 2: the double quote opened here is never closed")
        #expect(!syntax.stderrText.contains("s3cret"))

        let absent = try soupRun(
            ["--env-file", directory.path + "/absent.env", "my-app", "prod", "--", "/bin/true"], api: server.apiURL)
        expectExit(absent, 66)
        expectOneErrorLine(absent, containing: "in --env-file \(directory.path)/absent.env: no such file")
    }

    /// A change in an `--also` environment, then in the env file, each restart the child; the
    /// file disappearing is one failing poll, logged once, the child untouched.
    @Test func changesInAnyLayerRestartTheWatchedChild() throws {
        let server = try DevServer(state: Self.state)
        let script = try WatchScript()
        let envFile = try script.directory.write("watch.env", "OTHER=1\n")
        let run = try startWatch(
            apiURL: server.apiURL, options: ["--also", "shared/prod", "--env-file", envFile, "--stop-timeout", "5"],
            command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30))
        #expect(run.stdoutText.contains("value=unset"))
        #expect(watchWaitUntil(run, timeout: 30) { watchCount(of: "secrets not modified", in: run.stderrText) >= 2 })

        try server.setSecret("WATCHED", "from-shared", project: "shared", environment: "prod")
        #expect(run.waitForOutput("ready 2 ", in: .stdout, timeout: 30))
        #expect(run.stdoutText.contains("value=from-shared"))
        #expect(run.stderrText.contains("secrets changed (added: WATCHED); restarting the command"))

        _ = try script.directory.write("watch.env", "OTHER=1\nWATCHED=from-file\n")
        #expect(run.waitForOutput("ready 3 ", in: .stdout, timeout: 30))
        #expect(run.stdoutText.contains("value=from-file"))
        #expect(run.stderrText.contains("secrets changed (changed: WATCHED)"))
        // -v: the restart changed which layer WATCHED comes from, so the list is printed again.
        #expect(run.stderrText.contains("layers: now WATCHED from --env-file \(envFile) (over --also shared/prod)"))
        #expect(
            watchCount(of: "layers: now DB_HOST from my-app/prod (over --also shared/prod)", in: run.stderrText) == 1)

        unlink(envFile)
        let warning = "cannot refresh secrets: in --env-file \(envFile): no such file"
        #expect(watchWaitUntil(run, timeout: 30) { run.stderrText.contains(warning) })
        #expect(watchWaitUntil(run, timeout: 30) { watchCount(of: warning, in: run.stderrText) >= 3 })
        #expect(watchCount(of: "soup-run: warning: " + warning, in: run.stderrText) == 1, "logged once per state")
        #expect(!run.stdoutText.contains("ready 4"), "the child is untouched")
        #expect(!run.stderrText.contains("from-shared") && !run.stderrText.contains("from-file"))

        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
    }
}
