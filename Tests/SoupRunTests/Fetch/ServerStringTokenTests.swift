import SoupCore
import Testing

@testable import SoupRun

/// Strings that come from the server are checked for the token before they are printed, not
/// only `{"error"}` messages: invalid keys, redirect hosts and URLs, and `-v` URLs.
@Suite("Server strings never carry the token out")
struct ServerStringTokenTests {
    let token = FetchFixtures.token  // tok_0123456789abcdef

    @Test func anInvalidKeyIsShownAsAPrefixAndItsLength() throws {
        let key = "bad-key-" + String(repeating: "x", count: 100)
        let body = Array("{\"data\":{\"\(key)\":\"v\"}}".utf8)
        #expect(throws: FetchError.invalidData("invalid key 'bad-key-…' (108 bytes): \(SecretKey.rule)")) {
            try ResponseInterpreter.interpret(
                TransportResponse(status: 200, body: body), sentETag: false, token: token, project: "p",
                environment: "e", apiURL: "https://api.example.test/api/v1")
        }
    }

    @Test func anInvalidKeyThatEchoesTheTokenIsNotShownAtAll() throws {
        for key in [token, "tok_0123-and-more", String(token.prefix(8)) + "_AND_MORE"] {
            let body = Array("{\"data\":{\"\(key)\":\"v\"}}".utf8)
            do {
                _ = try ResponseInterpreter.interpret(
                    TransportResponse(status: 200, body: body), sentETag: false, token: token, project: "p",
                    environment: "e", apiURL: "https://api.example.test/api/v1")
                Issue.record("accepted \(key.count) bytes")
            } catch {
                #expect(!ResponseInterpreter.echoesToken(error.description, token: token), "\(error)")
                #expect(error.description.contains("an invalid key of \(key.utf8.count) bytes (not shown)"))
            }
        }
    }

    @Test func aRedirectToAHostThatEchoesTheTokenIsRefusedWithoutNamingIt() throws {
        let start = try HTTPURL.parse("https://api.example.test/api/v1/x")
        let location = "https://\(token).evil.test/x"
        do {
            _ = try RedirectPolicy.target(of: location, from: start, start: start, token: token)
            Issue.record("followed")
        } catch {
            #expect(!ResponseInterpreter.echoesToken(error.description, token: token), "\(error)")
            #expect(error.description.contains("a host that contains the token (not shown)"))
        }
    }

    @Test func verboseURLsHaveTheirQueryRedactedAndNeverShowTheToken() throws {
        let log = FetchLogBuffer()
        let transport = FetchScriptedTransport([
            FetchFixtures.status(302, location: "/api/v1/projects/my-app/environments/prod/secrets?sig=abc&t=\(token)"),
            FetchFixtures.ok(["A": "1"]),
        ])
        let client = FetchFixtures.client(transport, log: log)
        _ = try client.fetch()
        #expect(
            log.text.contains("following redirect (HTTP 302) to a URL that contains the token (not shown)") == false)
        #expect(log.text.contains("secrets?sig=***&t=***"), "\(log.text)")
        #expect(!log.text.contains(token) && !log.text.contains("abc"))
        #expect(HTTPURL.redactingQuery("/p?resolve=false&key=s3cret&flag") == "/p?resolve=false&key=***&flag=***")
        #expect(HTTPURL.redactingQuery("/p") == "/p")
    }

    @Test func aRedirectURLWhosePathEchoesTheTokenIsNotLogged() throws {
        let log = FetchLogBuffer()
        let transport = FetchScriptedTransport([
            FetchFixtures.status(302, location: "/api/v1/\(token)/secrets"), FetchFixtures.ok(["A": "1"]),
        ])
        _ = try FetchFixtures.client(transport, log: log).fetch()
        #expect(log.text.contains("following redirect (HTTP 302) to a URL that contains the token (not shown)"))
        #expect(!ResponseInterpreter.echoesToken(log.text, token: token))
    }
}
