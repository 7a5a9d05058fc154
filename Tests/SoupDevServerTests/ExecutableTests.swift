import Foundation
import Testing

/// The built `soup-dev-server` binary: output contract, durability across `kill -9`, signals,
/// exit codes. Each test waits on output markers and kills what it started on every path.
@Suite(.serialized) struct ExecutableTests {
    let secretsPath = "/projects/my-app/environments/dev/secrets"
    let auth = ["-H", "Authorization: Bearer demo-token"]

    @Test func anAcknowledgedPostSurvivesKill9() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        let first = try ServerProcess(["--port", "0", "--data", path], stderrPath: dir.path + "/stderr-1")
        defer { first.stop() }
        #expect(try first.waitUntilReady() == ["demo token: demo-token"])
        #expect(first.baseURL.hasPrefix("http://127.0.0.1:") && first.baseURL.hasSuffix("/api/v1"))
        let post = try curl(
            auth + [
                "-H", "Content-Type: application/json", "-d", #"{"key":"DURABLE","value":"kept-after-kill"}"#,
                first.baseURL + secretsPath,
            ])
        #expect(post.status == 201)
        #expect(first.signal(SIGKILL) == SIGKILL)
        #expect(first.process.terminationReason == .uncaughtSignal)

        let second = try ServerProcess(["--port", "0", "--data", path], stderrPath: dir.path + "/stderr-2")
        defer { second.stop() }
        // The file exists now: no demo line, straight to the ready line.
        #expect(try second.waitUntilReady() == [])
        let get = try curl(auth + [second.baseURL + secretsPath + "/DURABLE"])
        #expect(get.status == 200)
        #expect(get.body == #"{"data":{"key":"DURABLE","value":"kept-after-kill"}}"#)
        #expect(second.signal(SIGTERM) == 0)
        #expect(second.process.terminationReason == .exit)
        #expect(dir.contents().filter { $0.hasPrefix(".state.json.tmp") }.isEmpty)
    }

    @Test func sigintExitsZeroAfterLoggingOneLinePerRequest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let server = try ServerProcess(["--port=0"], stderrPath: dir.path + "/stderr")
        defer { server.stop() }
        #expect(try server.waitUntilReady() == ["demo token: demo-token"])
        #expect(try curl(auth + [server.baseURL + secretsPath + "?resolve=false"]).status == 200)
        #expect(try curl(auth + [server.baseURL + "/nope"]).status == 404)
        #expect(try curl([server.baseURL + secretsPath]).status == 401)
        #expect(server.signal(SIGINT) == 0)
        #expect(server.process.terminationReason == .exit)
        let log = server.stderr.split(separator: "\n").map(String.init)
        let requests = log.filter { !$0.hasPrefix("soup-dev-server:") }
        #expect(requests.count == 3)
        let pattern = #/^(GET) (\S+) (\d{3}) (\d+)ms$/#
        let parsed = requests.compactMap { try? pattern.wholeMatch(in: $0) }.map { "\($0.2) \($0.3)" }
        #expect(parsed == ["/api/v1\(secretsPath) 200", "/api/v1/nope 404", "/api/v1\(secretsPath) 401"])
        #expect(!server.stderr.contains("demo-token"))
        #expect(!server.stderr.contains("dev-password"))
    }

    @Test func anInvalidStateFileExits78NamingThePlace() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        try #"{"tokens":{},"projects":{"my-app":{"environments":{"prod":{"parent":"x"}}}}}"#.write(
            toFile: path, atomically: false, encoding: .utf8)
        let server = try ServerProcess(["--data", path, "--port", "0"], stderrPath: dir.path + "/stderr")
        defer { server.stop() }
        #expect(server.waitForExit() == 78)
        #expect(
            server.stderr
                == #"soup-dev-server: \#(path): projects.my-app.environments.prod.parent: unknown environment "x""#
                + "\n")
        #expect(server.nextLine() == nil)
    }

    @Test(arguments: [
        (["--bogus"], 64, "unknown option --bogus"), (["--port", "70000"], 64, "--port must be a number"),
        (["extra"], 64, "unexpected argument extra"),
    ])
    func usageErrorsExit64NamingTheArgument(arguments: [String], status: Int32, message: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let server = try ServerProcess(arguments, stderrPath: dir.path + "/stderr")
        defer { server.stop() }
        #expect(server.waitForExit() == status)
        #expect(server.stderr.hasPrefix("soup-dev-server: \(message)"))
        #expect(server.nextLine() == nil)
    }

    @Test func versionAndHelpGoToStdoutAndExitZero() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let version = try ServerProcess(["--version"], stderrPath: dir.path + "/stderr-1")
        defer { version.stop() }
        #expect(version.nextLine() == "soup-dev-server 0.1.0")
        #expect(version.waitForExit() == 0)
        let help = try ServerProcess(["--help"], stderrPath: dir.path + "/stderr-2")
        defer { help.stop() }
        #expect(help.nextLine()?.hasPrefix("usage: soup-dev-server") == true)
        #expect(help.waitForExit() == 0)
    }

    @Test func aPortInUseExits69() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let first = try ServerProcess(["--port", "0"], stderrPath: dir.path + "/stderr-1")
        defer { first.stop() }
        try first.waitUntilReady()
        let port = try #require(first.baseURL.split(separator: ":").last?.split(separator: "/").first)
        let second = try ServerProcess(["--port", String(port)], stderrPath: dir.path + "/stderr-2")
        defer { second.stop() }
        #expect(second.waitForExit() == 69)
        #expect(second.stderr.hasPrefix("soup-dev-server: cannot listen on 127.0.0.1:\(port)"))
        #expect(first.signal(SIGTERM) == 0)
    }
}

/// The state file's lock and stale temporaries, through the built binary.
@Suite(.serialized) struct ExecutableStateFileTests {
    @Test func aSecondServerOnTheSameFileExits73NamingIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        let stale = dir.path + "/.state.json.tmp-999999-1"
        #expect(FileManager.default.createFile(atPath: stale, contents: Data("{}".utf8)))
        let first = try ServerProcess(["--port", "0", "--data", path], stderrPath: dir.path + "/stderr-1")
        defer { first.stop() }
        try first.waitUntilReady()
        #expect(first.stderr.contains("removed \(stale), left by a server killed while writing"))
        #expect(!FileManager.default.fileExists(atPath: stale))
        let second = try ServerProcess(["--port", "0", "--data", path], stderrPath: dir.path + "/stderr-2")
        defer { second.stop() }
        #expect(second.waitForExit() == 73)
        #expect(
            second.stderr.hasPrefix(
                "soup-dev-server: \(path) is in use by process \(first.process.processIdentifier) "
                    + "(it holds the lock \(dir.path)/.state.json.lock)"))
        #expect(first.signal(SIGTERM) == 0)
        let third = try ServerProcess(["--port", "0", "--data", path], stderrPath: dir.path + "/stderr-3")
        defer { third.stop() }
        try third.waitUntilReady()
        #expect(third.signal(SIGTERM) == 0)
    }
}
