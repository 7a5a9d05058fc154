import Foundation
import SoupCore
import Testing

/// The built soup-run against a live soup-dev-server on 127.0.0.1: what reaches the command,
/// how it is started, and the exit codes the real API produces.
@Suite struct DevServerRunTests {
    /// Values that break naive quoting, encoding or line handling.
    /// Each value's bytes followed by a NUL, in key order: what `printf '%s\0'` prints.
    static func nulSeparated(_ keys: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for key in keys { bytes += Array(nasty[key]!.utf8) + [0] }
        return bytes
    }

    static let nasty: [String: String] = [
        "UNICODE": "héllo wörld 🍲 日本語 \u{200B}zero-width",
        "NEWLINES": "line one\nline two\r\nline three\n",
        "QUOTES": #"it's "double" and 'single' \backslash\ `backtick` $HOME $(id)"#,
        "SPACES": "  leading and trailing  \t",
        "EQUALS": "a=b=c",
        "EMPTY": "",
    ]

    @Test func valuesReachTheCommandByteForByte() throws {
        let server = try DevServer(state: DevServer.testState)
        for (key, value) in Self.nasty { try server.setSecret(key, value) }
        let keys = Self.nasty.keys.sorted()
        // printf '%s\0' prints each value's exact bytes, NUL-separated.
        let script = "printf '%s\\0' " + keys.map { "\"$\($0)\"" }.joined(separator: " ")
        let result = try soupRun(["my-app", "prod", "--", "/bin/sh", "-c", script], api: server.apiURL)
        expectExit(result, 0)
        #expect(result.stdout == Self.nulSeparated(keys))
    }

    /// An inherited variable that is not UTF-8 (a Latin-1 value) reaches the command byte for byte,
    /// as with `env`; one a secret replaces gets the secret. The variables are set by a shell, since
    /// a Swift String cannot hold those bytes.
    @Test func inheritedBytesThatAreNotUTF8ReachTheCommandUnchanged() throws {
        let server = try DevServer(state: DevServer.testState)
        try server.setSecret("REPLACED", "from the API")
        let script = #"""
            LATIN1="$(printf 'caf\351')" REPLACED="$(printf 'old\377')" exec "$0" my-app prod -- \
                /bin/sh -c 'printf "%s\0" "$LATIN1" "$REPLACED"'
            """#
        let result = try runProcess(
            "/bin/sh", ["-c", script, Binaries.soupRun],
            environment: ["SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken, "PATH": "/usr/bin:/bin"])
        expectExit(result, 0)
        #expect(result.stdout == Array("caf".utf8) + [0xE9, 0] + Array("from the API".utf8) + [0])
    }

    @Test func theCommandKeepsSoupRunsPid() throws {
        let server = try DevServer(state: DevServer.testState)
        let child = try ChildProcess(
            Binaries.soupRun, ["my-app", "prod", "--", "/bin/sh", "-c", "echo $$"],
            environment: ["SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken, "PATH": "/usr/bin:/bin"])
        let result = child.wait(timeout: 60)
        expectExit(result, 0)
        #expect(result.stdoutText == "\(child.pid)\n")
    }

    @Test(arguments: [Int32(0), 3, 255])
    func theCommandsExitCodeIsSoupRuns(code: Int32) throws {
        let server = try DevServer(state: DevServer.testState)
        let result = try soupRun(["my-app", "prod", "--", "/bin/sh", "-c", "exit \(code)"], api: server.apiURL)
        expectExit(result, code)
        #expect(result.stderrText.isEmpty)
    }

    @Test func theSecretsWinAndResolveReferences() throws {
        let server = try DevServer(state: DevServer.testState)
        let result = try soupRun(
            ["my-app", "prod", "--", "/bin/sh", "-c", "printf '%s|%s' \"$DATABASE_URL\" \"$LOG_LEVEL\""],
            api: server.apiURL,
            environment: ["LOG_LEVEL": "debug"])
        expectExit(result, 0)
        #expect(result.stdoutText == "postgres://app:change-me@db.internal:5432/app|warn")
    }

    @Test func noResolveGivesRawReferences() throws {
        let server = try DevServer(state: DevServer.testState)
        let result = try soupRun(
            ["--no-resolve", "my-app", "prod", "--", "/bin/sh", "-c", "printf %s \"$DATABASE_URL\""], api: server.apiURL
        )
        expectExit(result, 0)
        #expect(result.stdoutText == "postgres://app:${DB_PASSWORD}@${DB_HOST}:${DB_PORT}/${DB_NAME}")
    }

    @Test func aBadTokenIs77() throws {
        let server = try DevServer(state: DevServer.testState)
        let result = try soupRun(["my-app", "prod", "--", "true"], api: server.apiURL, token: "e2e-wrong-token")
        expectExit(result, 77, token: "e2e-wrong-token")
        expectOneErrorLine(result, containing: "HTTP 401")
    }

    @Test func anotherProjectsTokenIs77() throws {
        let server = try DevServer(state: DevServer.testState)
        let result = try soupRun(
            ["my-app", "prod", "--", "true"], api: server.apiURL, token: DevServer.otherProjectToken)
        expectExit(result, 77, token: DevServer.otherProjectToken)
        expectOneErrorLine(result, containing: "no access to project 'my-app', environment 'prod' (HTTP 403)")
    }

    /// `--api-url` without `/api/v1`: the dev server's 404 for an unknown route names no project
    /// or environment, so the URL is blamed, not the project.
    @Test func anAPIURLWithoutTheAPIPathSaysTheURLMayBeWrong() throws {
        let server = try DevServer(state: DevServer.testState)
        let base = String(server.apiURL.dropLast("/api/v1".count))
        let result = try soupRun(["my-app", "prod", "--", "true"], api: base)
        expectExit(result, 78)
        expectOneErrorLine(result, containing: "the API URL may be wrong (no Soup API at \(base);")
    }

    /// `--export` with stdout closed (`>&-`): the start-up holds fd 1 with /dev/null opened
    /// read-only, so the write fails and soup-run exits 74; the command under exec still finds
    /// writing to its closed stdout failing, as it would without soup-run.
    @Test func exportToAClosedStdoutIs74AndTheCommandSeesItClosed() throws {
        let server = try DevServer(state: DevServer.testState)
        let environment = ["SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken, "PATH": "/usr/bin:/bin"]
        let export = try runProcess(
            "/bin/sh", ["-c", #"exec "$0" my-app prod --export >&-"#, Binaries.soupRun], environment: environment)
        expectExit(export, 74)
        expectOneErrorLine(export, containing: "cannot write to standard output")
        let command = try runProcess(
            "/bin/sh",
            ["-c", #"exec "$0" my-app prod -- /bin/sh -c 'echo x || echo write-failed >&2' >&-"#, Binaries.soupRun],
            environment: environment)
        expectExit(command, 0)
        #expect(command.stderrText.contains("write-failed"), "stderr: \(command.stderrText)")
    }

    /// A secret that replaces PATH so the command is not found: 127, and the way out named.
    @Test func aSecretPATHThatHidesTheCommandSuggestsPreserveEnv() throws {
        let server = try DevServer(state: DevServer.testState)
        try server.setSecret("PATH", "/nonexistent/bin", environment: "prod")
        let result = try soupRun(["my-app", "prod", "--", "true"], api: server.apiURL)
        expectExit(result, 127)
        // The merge's warning (a secret sets PATH), then the error with the way out.
        #expect(result.stderrText.contains("soup-run: warning: "), "\(result.stderrText)")
        let error = result.stderrText.split(separator: "\n").filter { $0.hasPrefix("soup-run: error: ") }
        #expect(error.count == 1 && error[0].hasSuffix("keep yours with --preserve-env=PATH"), "\(result.stderrText)")
        let kept = try soupRun(["--preserve-env=PATH", "my-app", "prod", "--", "true"], api: server.apiURL)
        expectExit(kept, 0)
    }

    @Test func anUnknownEnvironmentIs66() throws {
        let server = try DevServer(state: DevServer.testState)
        let result = try soupRun(["my-app", "staging", "--", "true"], api: server.apiURL)
        expectExit(result, 66)
        expectOneErrorLine(result, containing: "(HTTP 404) for project 'my-app', environment 'staging'")
    }

    @Test func theTokenNeverReachesTheCommand() throws {
        let server = try DevServer(state: DevServer.testState)
        let dir = try TemporaryDirectory()
        let tokenFile = try dir.write("token", e2eToken + "\n", mode: 0o600)
        let fromVariable = try soupRun(["my-app", "prod", "--", "/usr/bin/env"], api: server.apiURL)
        expectExit(fromVariable, 0)
        #expect(!fromVariable.stdoutText.contains("SOUP_TOKEN"))
        #expect(fromVariable.stdoutText.contains("DB_HOST=db.internal\n"))

        let fromFile = try runSoupRun(
            ["my-app", "prod", "--", "/usr/bin/env"],
            environment: ["SOUP_API_URL": server.apiURL, "SOUP_TOKEN_FILE": tokenFile, "PATH": "/usr/bin:/bin"])
        expectExit(fromFile, 0)
        #expect(!fromFile.stdoutText.contains("SOUP_TOKEN"))
    }

    @Test func keepTokenKeepsIt() throws {
        let server = try DevServer(state: DevServer.testState)
        let result = try soupRun(["--keep-token", "my-app", "prod", "--", "/usr/bin/env"], api: server.apiURL)
        #expect(result.termination == .exited(0))
        #expect(result.stdoutText.contains("SOUP_TOKEN=\(e2eToken)\n"))
        #expect(!result.stderrText.contains(e2eToken))
    }

    @Test func verboseRunsNeverShowTheToken() throws {
        let server = try DevServer(state: DevServer.testState)
        let result = try soupRun(["-v", "my-app", "prod", "--", "true"], api: server.apiURL)
        expectExit(result, 0)
        #expect(result.stderrText.contains("received 6 keys"))
    }

    @Test func exportShellEvaluatesBackToTheSameBytes() throws {
        let server = try DevServer(state: DevServer.testState)
        for (key, value) in Self.nasty { try server.setSecret(key, value) }
        let export = try soupRun(["my-app", "prod", "--export"], api: server.apiURL)
        expectExit(export, 0)
        let keys = Self.nasty.keys.sorted()
        let script = "eval \"$(cat)\"; printf '%s\\0' " + keys.map { "\"$\($0)\"" }.joined(separator: " ")
        let shell = try runProcess(
            "/bin/sh", ["-c", script], environment: ["PATH": "/usr/bin:/bin"], stdin: export.stdout, timeout: 30)
        #expect(shell.termination == .exited(0), "\(shell.stderrText)")
        #expect(shell.stdout == Self.nulSeparated(keys))
    }

    @Test func exportJSONIsTheSecrets() throws {
        let server = try DevServer(state: DevServer.testState)
        for (key, value) in Self.nasty { try server.setSecret(key, value) }
        let export = try soupRun(["my-app", "prod", "--export", "--format", "json"], api: server.apiURL)
        expectExit(export, 0)
        let parsed = try JSON.parse(export.stdout)
        let object = try #require(parsed.objectValue)
        for (key, value) in Self.nasty { #expect(object[key]?.stringValue == value, "\(key)") }
        #expect(object["DB_HOST"]?.stringValue == "db.internal")
    }

    @Test func exportDotenvListsSortedKeys() throws {
        let server = try DevServer(state: DevServer.testState)
        let export = try soupRun(
            ["--only", "DB_HOST,DB_PORT", "my-app", "prod", "--export", "--format", "dotenv"], api: server.apiURL)
        expectExit(export, 0)
        let lines = export.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("DB_HOST="))
        #expect(lines[0].contains("db.internal"))
        #expect(lines[1].hasPrefix("DB_PORT="))
        #expect(lines[1].contains("5432"))
    }
}
