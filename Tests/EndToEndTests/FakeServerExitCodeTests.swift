import Foundation
import SoupHTTP
import Testing

/// Each exit code soup-run produces before the command runs, from the situation that causes it,
/// against scripted servers on 127.0.0.1.
@Suite struct FakeServerExitCodeTests {
    @Test func serverErrorsAreRetriedThenExit69() throws {
        let api = try FakeAPI { _ in FakeAPI.json(500, #"{"error":"database down"}"#) }
        let result = try soupRun(["--retries", "1", "my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(result, 69)
        expectOneErrorLine(result, containing: "HTTP 500: database down (gave up after 2 attempts)")
        #expect(api.requests.count == 2)
    }

    @Test func rateLimitingIsWaitedOutWithinMaxWaitThenExits69() throws {
        let api = try FakeAPI { _ in FakeAPI.json(429, #"{"error":"slow down"}"#, headers: [("Retry-After", "0")]) }
        let result = try soupRun(
            ["-q", "--retries", "0", "--max-wait", "2", "my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(result, 69)
        expectOneErrorLine(result, containing: "HTTP 429")
        #expect(result.stderrText.contains("could not begin within --max-wait 2s"))
        // At least 0.5 s between attempts (Retry-After 0 is no busy loop), more than --retries allows.
        #expect((2...5).contains(api.requests.count), "\(api.requests.count) requests")
    }

    @Test func maxWaitZeroTriesOnceUnderARateLimit() throws {
        let api = try FakeAPI { _ in FakeAPI.json(429, #"{"error":"slow down"}"#, headers: [("Retry-After", "1")]) }
        let result = try soupRun(["--max-wait", "0", "my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(result, 69)
        expectOneErrorLine(result, containing: "(not waiting for a retry: --max-wait 0s)")
        #expect(api.requests.count == 1)
    }

    @Test func garbageInsteadOfJSONIs65() throws {
        let api = try FakeAPI { _ in HTTPResponse(status: 200, body: Array("{\"data\": {\"A\": ".utf8)) }
        let result = try soupRun(["my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(result, 65)
        expectOneErrorLine(result, containing: "not valid JSON")
        #expect(api.requests.count == 1)
    }

    @Test func anHTMLErrorPageIsReportedByItsStatus() throws {
        let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
        let api = try FakeAPI { _ in
            HTTPResponse(status: 502, headers: [("Content-Type", "text/html")], body: Array(html.utf8))
        }
        let result = try soupRun(["--retries", "0", "my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(result, 69)
        expectOneErrorLine(result, containing: "HTTP 502")
        #expect(!result.stderrText.contains("nginx"))
    }

    @Test func aHangingServerIsBoundedByTheTimeout() throws {
        let silent = try SilentPort()
        let result = try soupRun(
            ["--timeout", "0.5", "--retries", "1", "my-app", "prod", "--", "true"],
            api: "http://127.0.0.1:\(silent.port)/api/v1",
            timeout: 60)
        expectExit(result, 69)
        expectOneErrorLine(result, containing: "did not answer within 0.5 s")
        #expect(result.elapsed >= 1.0)  // two attempts of 0.5 s each
        #expect(result.elapsed < 20)
    }

    @Test func aServerThatIsDownIs69() throws {
        let port = try closedPort()
        let result = try soupRun(
            ["--retries", "1", "my-app", "prod", "--", "true"], api: "http://127.0.0.1:\(port)/api/v1")
        expectExit(result, 69)
        expectOneErrorLine(result, containing: "cannot reach the API at http://127.0.0.1:\(port)")
    }

    @Test(arguments: [
        (#"{"data":{"lower_case":"v"}}"#, "invalid key"),
        (#"{"data":{"GOOD":"a\u0000b"}}"#, "GOOD contains a NUL byte"),
        (#"{"data":{"NUMBER":42}}"#, "NUMBER is a number"),
        (#"{"secrets":{}}"#, "no \"data\" member"),
    ])
    func invalidDataIs65AndNamesTheKey(body: String, fragment: String) throws {
        let api = try FakeAPI { _ in FakeAPI.json(200, body) }
        let result = try soupRun(["my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(result, 65)
        expectOneErrorLine(result, containing: fragment)
    }

    @Test func anOversizedBodyIs65() throws {
        // 17 MiB of valid JSON: one value past the 16 MiB cap.
        let big = FakeAPI.secrets(["BIG": String(repeating: "x", count: 17 << 20)])
        let api = try FakeAPI { _ in big }
        let result = try soupRun(["my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(result, 65)
        expectOneErrorLine(result, containing: "16 MiB")
    }

    @Test func aCrossOriginRedirectNeverCarriesTheToken() throws {
        let elsewhere = try FakeAPI { _ in FakeAPI.secrets(["STOLEN": "yes"]) }
        let target = elsewhere.apiURL + "/projects/my-app/environments/prod/secrets"
        let api = try FakeAPI { _ in HTTPResponse(status: 302, headers: [("Location", target)]) }
        let result = try soupRun(["my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(result, 78)
        expectOneErrorLine(result, containing: "refused to follow a redirect to \(elsewhere.origin)")
        #expect(api.requests.count == 1)
        #expect(elsewhere.requests.allSatisfy { $0.header("Authorization") == nil })
        #expect(elsewhere.requests.isEmpty)
    }

    @Test func aSameOriginRedirectIsFollowedWithTheToken() throws {
        let api = try FakeAPI { request in
            if request.path.hasPrefix("/api/v1/") {
                return HTTPResponse(
                    status: 308, headers: [("Location", "/v2" + request.target.dropFirst("/api/v1".count))])
            }
            return FakeAPI.secrets(["MOVED": "ok"])
        }
        let result = try soupRun(["my-app", "prod", "--", "/bin/sh", "-c", "printf %s \"$MOVED\""], api: api.apiURL)
        expectExit(result, 0)
        #expect(result.stdoutText == "ok")
        #expect(
            api.requests.map(\.target) == [
                "/api/v1/projects/my-app/environments/prod/secrets", "/v2/projects/my-app/environments/prod/secrets",
            ])
        #expect(api.requests.allSatisfy { $0.header("Authorization") == "Bearer \(e2eToken)" })
    }

    @Test func aMissingCommandIs127() throws {
        let api = try FakeAPI { _ in FakeAPI.secrets(["A": "1"]) }
        let result = try soupRun(["my-app", "prod", "--", "no-such-command-e2e"], api: api.apiURL)
        expectExit(result, 127)
        expectOneErrorLine(result, containing: "no-such-command-e2e")
    }

    @Test func aNonExecutableCommandIs126() throws {
        let dir = try TemporaryDirectory()
        let script = try dir.write("not-executable.sh", "#!/bin/sh\necho hi\n", mode: 0o644)
        let api = try FakeAPI { _ in FakeAPI.secrets(["A": "1"]) }
        let result = try soupRun(["my-app", "prod", "--", script], api: api.apiURL)
        // As root a file without any execute bit still cannot be executed.
        expectExit(result, 126)
        expectOneErrorLine(result, containing: "not-executable.sh")
    }

    @Test func anEnvironmentTooLargeForExecIs126() throws {
        // One KEY=value string over 128 KiB: the kernel's per-string limit.
        let api = try FakeAPI { _ in FakeAPI.secrets(["HUGE": String(repeating: "v", count: 200 * 1024)]) }
        let result = try soupRun(["my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(result, 126)
        expectOneErrorLine(result, containing: "HUGE")
    }

    @Test func verboseOutputTellsTheStoryWithoutTheToken() throws {
        let api = try FakeAPI { _ in FakeAPI.secrets(["A": "1", "B": "2"]) }
        let result = try soupRun(["-v", "my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(result, 0)
        let log = result.stderrText
        #expect(log.contains("GET \(api.apiURL)/projects/my-app/environments/prod/secrets (attempt 1 of 4)"))
        #expect(log.contains("HTTP 200 in "))
        #expect(log.contains("received 2 keys"))
        #expect(!log.contains("Bearer"))
    }

    @Test func requestsCarryTheContractsHeaders() throws {
        let api = try FakeAPI { _ in FakeAPI.secrets([:]) }
        let result = try soupRun(["--no-resolve", "my app", "pr/od", "--", "true"], api: api.apiURL)
        expectExit(result, 0)
        let request = try #require(api.requests.first)
        #expect(request.method == "GET")
        #expect(request.target == "/api/v1/projects/my%20app/environments/pr%2Fod/secrets?resolve=false")
        #expect(request.header("Authorization") == "Bearer \(e2eToken)")
        #expect(request.header("Accept") == "application/json")
        #expect(request.header("User-Agent")?.hasPrefix("soup-run/") == true)
    }
}
