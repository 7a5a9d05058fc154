import Testing

@testable import SoupRun

/// Which proxy a request uses: curl's variables, `no_proxy`, and never one for loopback.
@Suite struct ProxySelectionTests {
    static func proxy(_ url: String, _ environment: [String: String]) throws -> String? {
        ProxySelection.proxy(for: try HTTPURL.parse(url), environment: environment)
    }

    @Test func schemeSpecificVariablesThenAllProxy() throws {
        let env = ["http_proxy": "http://h:1", "https_proxy": "http://s:2", "ALL_PROXY": "http://a:3"]
        #expect(try Self.proxy("http://api.test/x", env) == "http://h:1")
        #expect(try Self.proxy("https://api.test/x", env) == "http://s:2")
        #expect(try Self.proxy("https://api.test/x", ["HTTPS_PROXY": "http://S:2"]) == "http://S:2")
        #expect(try Self.proxy("http://api.test/x", ["ALL_PROXY": "http://a:3"]) == "http://a:3")
        #expect(
            try Self.proxy("http://api.test/x", ["HTTP_PROXY": "http://cgi:1"]) == nil, "upper case ignored for http")
        #expect(try Self.proxy("https://api.test/x", ["https_proxy": ""]) == nil, "empty counts as unset")
    }

    @Test func loopbackHostsNeverUseAProxy() throws {
        let env = ["http_proxy": "http://h:1", "https_proxy": "http://s:2", "all_proxy": "http://a:3"]
        for url in ["http://127.0.0.1:8080/x", "https://localhost/x", "http://[::1]:9/x", "http://127.9.9.9/x"] {
            #expect(try Self.proxy(url, env) == nil, "\(url)")
        }
    }

    @Test(arguments: [
        ("*", "api.test", true), ("api.test", "api.test", true), (".test", "api.test", true),
        ("test", "api.test", true), ("est", "api.test", false), ("other.test, api.test", "api.test", true),
        ("API.TEST", "api.test", true), ("api.test.", "api.test", true), ("sub.api.test", "api.test", false),
    ])
    func noProxyMatchesHostsAndSubdomains(list: String, host: String, bypassed: Bool) {
        #expect(ProxySelection.bypasses(host: host, noProxy: list) == bypassed)
    }

    @Test func proxyCredentialsAreRedacted() {
        #expect(ProxySelection.redacted("http://user:pw@p:3128") == "http://***@p:3128")
        #expect(ProxySelection.redacted("user:pw@p:3128") == "***@p:3128")
        #expect(ProxySelection.redacted("http://p:3128") == "http://p:3128")
    }
}
