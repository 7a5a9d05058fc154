import Testing
@testable import SoupRun

@Suite struct HTTPURLTests {
    @Test func parsesTheParts() throws {
        let url = try HTTPURL.parse("HTTPS://user:pw@API.Example.test:8443/api/v1?x=1#frag")
        #expect(url.scheme == "https")
        #expect(url.userinfo == "user:pw")
        #expect(url.host == "api.example.test")
        #expect(url.port == 8443)
        #expect(url.pathAndQuery == "/api/v1?x=1")
        #expect(url.string == "https://user:pw@api.example.test:8443/api/v1?x=1")
        #expect(url.redacted == "https://***@api.example.test:8443/api/v1?x=***")
    }

    @Test func defaultPortsMakeTheOrigin() throws {
        #expect(try HTTPURL.parse("http://h/").origin.description == "http://h:80")
        #expect(try HTTPURL.parse("https://h").origin.description == "https://h:443")
        #expect(try HTTPURL.parse("https://h:443/a").origin == HTTPURL.parse("https://H/b").origin)
        #expect(try HTTPURL.parse("https://h:444").origin != HTTPURL.parse("https://h").origin)
        #expect(try HTTPURL.parse("http://[::1]:9/x").host == "[::1]")
    }

    @Test(arguments: [
        ("", URLProblem.empty),
        ("api.soup.dev/api/v1", .notAbsolute),
        ("ftp://h/x", .unsupportedScheme("ftp")),
        ("https:///x", .invalidHost),
        ("https://h:0/", .invalidPort),
        ("https://h:65536/", .invalidPort),
        ("https://h:/", .invalidPort),
        ("https://h:8a/", .invalidPort),
        ("https://h x/", .invalidCharacter),
        ("https://h/\r\nX: y", .invalidCharacter),
        ("https://hé/", .invalidCharacter),
        ("https://[::1/", .invalidHost),
        ("https://[zz]/", .invalidHost),
        ("https://a,b/", .invalidHost),
    ])
    func rejectsBadURLs(text: String, problem: URLProblem) {
        #expect(throws: problem) { try HTTPURL.parse(text) }
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080", true), ("http://127.255.0.9", true), ("http://localhost:1", true),
        ("http://LOCALHOST.", true), ("http://app.localhost", true), ("http://[::1]:80", true),
        ("http://128.0.0.1", false), ("http://127.0.0.1.example.com", false), ("http://10.0.0.1", false),
        ("http://127.0.0.256", false), ("http://127.0.0", false), ("http://localhost.example.com", false),
        ("http://[::2]", false),
    ])
    func loopback(text: String, expected: Bool) throws {
        #expect(try HTTPURL.parse(text).isLoopback == expected)
    }

    @Test(arguments: [
        ("https://other.test/x", "https://other.test/x"),
        ("//other.test:8/y", "https://other.test:8/y"),
        ("/api/v2/s?resolve=false", "https://h/api/v2/s?resolve=false"),
        ("?page=2", "https://h/api/v1/secrets?page=2"),
        ("next", "https://h/api/v1/next"),
        ("/z#frag", "https://h/z"),
    ])
    func resolvesLocations(location: String, expected: String) throws {
        let base = try HTTPURL.parse("https://h/api/v1/secrets?resolve=true")
        #expect(try base.resolving(location).string == expected)
    }

    @Test func refusesOtherSchemesInLocations() throws {
        let base = try HTTPURL.parse("https://h/a")
        #expect(throws: URLProblem.unsupportedScheme("javascript")) { try base.resolving("javascript:alert(1)") }
        #expect(throws: URLProblem.unsupportedScheme("file")) { try base.resolving("file:///etc/passwd") }
    }
}
