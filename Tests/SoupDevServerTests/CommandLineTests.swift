import SoupCore
import SoupHTTP
import Testing

@testable import SoupDevServer

/// `soup-dev-server` argument parsing and the request log line.
@Suite struct CommandLineTests {
    @Test(
        arguments: [
            ([], ServerCommand.run(ServerOptions())),
            (["--port", "0"], .run(ServerOptions(port: 0))),
            (["--port=9090", "--host=0.0.0.0"], .run(ServerOptions(host: "0.0.0.0", port: 9090))),
            (["--data", "/tmp/s.json", "--host", "::1"], .run(ServerOptions(host: "::1", dataPath: "/tmp/s.json"))),
            (["--data=a=b.json"], .run(ServerOptions(dataPath: "a=b.json"))),
            (["--port", "65535"], .run(ServerOptions(port: 65535))),
            (["--help"], .help), (["-h"], .help), (["--version"], .version),
            (["--port", "1", "--version"], .version), (["--version", "--help"], .help),
        ] as [([String], ServerCommand)])
    func parsesValidCommandLines(arguments: [String], expected: ServerCommand) throws {
        #expect(try ServerCommandLine.parse(arguments) == expected)
    }

    @Test(arguments: [
        (["--verbose"], "unknown option --verbose"),
        (["--portt=1"], "unknown option --portt"),
        (["-p", "1"], "unknown option -p"),
        (["serve"], "unexpected argument serve"),
        (["--port"], "--port needs a value"),
        (["--data"], "--data needs a value"),
        (["--port", "x"], "--port must be a number from 0 to 65535"),
        (["--port", "65536"], "--port must be a number from 0 to 65535"),
        (["--port", "-1"], "--port must be a number from 0 to 65535"),
        (["--port="], "--port must be a number from 0 to 65535"),
        (["--host", ""], "--host needs a non-empty address"),
        (["--data="], "--data needs a non-empty path"),
        (["--port", "1", "--port", "2"], "--port given more than once"),
        (["--help=yes"], "--help takes no value"),
        (["--version=1"], "--version takes no value"),
    ])
    func refusesBadCommandLinesNamingTheFlag(arguments: [String], message: String) {
        #expect(throws: UsageError(message)) { _ = try ServerCommandLine.parse(arguments) }
    }

    @Test func usageNamesEveryFlagAndTheVersionIsSet() {
        for flag in ["--host", "--port", "--data", "--help", "--version"] {
            #expect(ServerCommandLine.usage.contains(flag))
        }
        #expect(ServerCommandLine.version == "soup-dev-server 0.1.0")
    }

    @Test func baseURLBracketsIPv6() {
        #expect(ServerCommandLine.baseURL(host: "127.0.0.1", port: 8080) == "http://127.0.0.1:8080/api/v1")
        #expect(ServerCommandLine.baseURL(host: "::1", port: 1) == "http://[::1]:1/api/v1")
    }

    @Test func logLineHasFourFieldsAndNoQuery() {
        #expect(
            RequestLog.line(method: "GET", path: "/api/v1/x", status: 200, milliseconds: 3) == "GET /api/v1/x 200 3ms\n"
        )
        #expect(RequestLog.line(method: "", path: "", status: 400, milliseconds: 0) == "- - 400 0ms\n")
        #expect(
            RequestLog.line(method: "G T", path: "/a b\n\u{1}é", status: 404, milliseconds: 12)
                == "G%20T /a%20b%0A%01%C3%A9 404 12ms\n")
        let long = RequestLog.line(
            method: "GET", path: String(repeating: "a", count: 10_000), status: 404, milliseconds: 0)
        #expect(long.utf8.count < 300)
    }

    @Test func loggingWrapperLogsEachRequestWithoutTokensOrValues() {
        let lines = Locked<[String]>([])
        let handler = RequestLog.logging(makeAPI().handle) { line in lines.withLock { $0.append(line) } }
        let request = HTTPRequest(
            method: "POST", target: "\(prefix)/dev/secrets?resolve=false",
            headers: [("Authorization", "Bearer demo-token")], body: Array(#"{"key":"K","value":"hush-hush"}"#.utf8))
        #expect(handler(request).status == 201)
        _ = handler(HTTPRequest(method: "GET", target: "/nope?token=abc"))
        let logged = lines.withLock { $0 }
        #expect(logged.count == 2)
        #expect(logged[0].hasPrefix("POST /api/v1/projects/my-app/environments/dev/secrets 201 "))
        #expect(logged[1].hasPrefix("GET /nope 404 "))
        for line in logged {
            #expect(line.hasSuffix("ms\n"))
            #expect(!line.contains("demo-token") && !line.contains("hush-hush") && !line.contains("abc"))
        }
    }
}
