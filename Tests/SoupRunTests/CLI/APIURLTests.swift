import SoupRun
import Testing

/// Checking and normalising the API base URL.
@Suite struct APIURLTests {
    @Test(arguments: [
        ("https://api.soup.dev/api/v1", "https://api.soup.dev/api/v1"),
        ("https://api.soup.dev/api/v1/", "https://api.soup.dev/api/v1"),
        ("https://api.soup.dev/", "https://api.soup.dev"),
        ("https://api.soup.dev", "https://api.soup.dev"),
        ("HTTP://LocalHost:8080/API/", "http://localhost:8080/API"),
        ("http://127.0.0.1:1/a/b///", "http://127.0.0.1:1/a/b"),
        ("http://[::1]:8080/api/v1", "http://[::1]:8080/api/v1"),
        ("http://[2001:db8::1]/", "http://[2001:db8::1]"),
        ("http://my_host.internal:65535/x%20y", "http://my_host.internal:65535/x%20y"),
    ])
    func validURLsAreNormalised(text: String, normalised: String) throws {
        #expect(try APIURL.parse(text).string == normalised)
    }

    @Test func parts() throws {
        let url = try APIURL.parse("https://Secrets.Example.com:8443/api/v1/")
        #expect(url.scheme == "https" && url.host == "secrets.example.com" && url.port == 8443 && url.path == "/api/v1")
        #expect(url.origin == "https://secrets.example.com:8443")
    }

    @Test(arguments: [
        ("", "empty"),
        ("api.soup.dev", "http:// or https://"),
        ("ftp://api.soup.dev", "http or https"),
        ("file:///etc/passwd", "http or https"),
        ("http://", "no host"),
        ("http:///path", "no host"),
        ("http://:8080", "no host"),
        ("http://h:0", "port"),
        ("http://h:65536", "port"),
        ("http://h:80a", "port"),
        ("http://h:", "port"),
        ("http://h/a?x=1", "query"),
        ("http://h/#frag", "fragment"),
        ("http://user:pw@h/", "user information"),
        ("http://h /", "space"),
        ("http://h/\n", "control"),
        ("http://hö/", "non-ASCII"),
        ("http://h!/", "host may contain only"),
        ("http://[::1/", "closed with ]"),
        ("http://[xyz]/", "IPv6"),
        ("http://[::1]x/", "after the IPv6"),
    ])
    func invalidURLsAreRefused(text: String, problem: String) throws {
        let error = try #require(throws: APIURL.Invalid.self) { try APIURL.parse(text) }
        #expect(error.problem.contains(problem), "\(error.problem)")
    }

    @Test(arguments: [
        ("http://user:pw@host/x", "http://host/x"),
        ("https://tok@host", "https://host"),
        ("user:pw@host/api", "host/api"),
        ("http://host/a@b", "http://host/a@b"),
        ("http://a@b@host:1/", "http://host:1/"),
        ("http://host", "http://host"),
    ])
    func redactionDropsUserInformation(text: String, redacted: String) {
        #expect(APIURL.redacted(text) == redacted)
    }
}
