import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Proxies and answers that are not what the API speaks, with the built binary.
@Suite("soup-run: proxies and non-HTTP answers", .serialized)
struct ProxyAndProtocolEndToEndTests {
    static let args = ["--retries", "1", "my-app", "prod", "--", "/bin/true"]
    static let token = ["SOUP_TOKEN": DevServer.demoToken]

    @Test func aProxyAnswering407ToConnectIs77NamingTheProxyWithoutRetries() throws {
        let proxy = try RawServer("proxy-407")
        let result = try runSoupRun(
            ["--api-url", "https://api.soup.example/api/v1"] + Self.args,
            environment: Self.token.merging(["https_proxy": "http://user:pw@127.0.0.1:\(proxy.port)"]) { $1 })
        #expect(result.termination == .exited(77), "stderr: \(result.stderrText)")
        #expect(
            result.stderrText.contains(
                "the proxy http://***@127.0.0.1:\(proxy.port) requires authentication (HTTP 407)"),
            "stderr: \(result.stderrText)")
        #expect(!result.stderrText.contains("pw@"))
        proxy.waitForRequests(1)
        #expect(proxy.requests == ["CONNECT api.soup.example:443 HTTP/1.1"], "one attempt, not retried")
    }

    @Test func anotherConnectRefusalNamesTheProxyNotTheAPI() throws {
        let proxy = try RawServer("proxy-403")
        let result = try runSoupRun(
            ["--api-url", "https://api.soup.example/api/v1"] + Self.args,
            environment: Self.token.merging(["HTTPS_PROXY": "http://127.0.0.1:\(proxy.port)"]) { $1 })
        #expect(result.termination == .exited(69), "stderr: \(result.stderrText)")
        #expect(
            result.stderrText.contains(
                "the proxy http://127.0.0.1:\(proxy.port) refused to open a tunnel to https://api.soup.example:443 (HTTP 403)"
            ),
            "stderr: \(result.stderrText)")
    }

    @Test func plainHttpThroughAProxyIsWarnedAbout() throws {
        let proxy = try RawServer("proxy-502")
        let result = try runSoupRun(
            ["--api-url", "http://api.soup.example/api/v1", "--retries", "0", "my-app", "prod", "--", "/bin/true"],
            environment: Self.token.merging(["http_proxy": "http://127.0.0.1:\(proxy.port)"]) { $1 })
        #expect(
            result.stderrText.contains(
                "sending the token over plain http to api.soup.example through the proxy http://127.0.0.1:\(proxy.port), which sees it"
            ),
            "stderr: \(result.stderrText)")
        #expect(proxy.waitForRequests(1))
        #expect(proxy.requests.first?.hasPrefix("GET http://api.soup.example/api/v1/") == true)
    }

    @Test func aLoopbackAPINeverGoesThroughAProxy() throws {
        let server = try DevServer()
        let proxy = try RawServer("proxy-403")
        let proxies = [
            "http_proxy": proxy.url, "https_proxy": proxy.url, "all_proxy": proxy.url, "ALL_PROXY": proxy.url,
        ]
        let result = try runSoupRun(
            ["--api-url", server.apiURL, "my-app", "prod", "--", "/bin/true"],
            environment: Self.token.merging(proxies) { $1 })
        #expect(result.termination == .exited(0), "stderr: \(result.stderrText)")
        #expect(!proxy.waitForRequests(1, timeout: 1), "no request reached the proxy")
        #expect(!result.stderrText.contains("warning"))
    }

    @Test(arguments: ["not-http", "http09"])
    func aServerThatDoesNotSpeakHTTPIsSaidSo(mode: String) throws {
        let raw = try RawServer(mode)
        let result = try runSoupRun(["--api-url", raw.url + "/api/v1"] + Self.args, environment: Self.token)
        #expect(result.termination == .exited(78), "stderr: \(result.stderrText)")
        #expect(
            result.stderrText.contains(
                "the server at \(raw.url)/api/v1/projects/my-app/environments/prod/secrets does not speak HTTP"),
            "stderr: \(result.stderrText)")
        #expect(!result.stderrText.contains("invalid API URL"))
    }

    @Test func hugeResponseHeadersAreSaidSoNotOutOfMemory() throws {
        let raw = try RawServer("huge-headers")
        let result = try runSoupRun(["--api-url", raw.url + "/api/v1"] + Self.args, environment: Self.token)
        #expect(result.termination == .exited(65), "stderr: \(result.stderrText)")
        #expect(result.stderrText.contains("the response headers exceed 64 KiB"), "stderr: \(result.stderrText)")
        #expect(!result.stderrText.lowercased().contains("out of memory"))
    }
}
