import SoupCore
import Testing
@testable import SoupRun

@Suite struct CurlTransportTests {
    @Test func caSettingsFollowTheCurlTool() {
        let everything = TrustStore.Probe(isFile: { _ in true }, isDirectory: { _ in true }, hasHashedCA: { _ in true })
        let both = CurlTransport(
            environment: ["CURL_CA_BUNDLE": "/a.pem", "SSL_CERT_FILE": "/b.pem", "SSL_CERT_DIR": "/certs"],
            probe: everything)
        #expect(both.trustStore == .store(file: "/a.pem", directory: "/certs"))
        #expect(
            CurlTransport(environment: ["SSL_CERT_FILE": "/b.pem"], probe: everything).trustStore
                == .store(file: "/b.pem", directory: nil))
    }

    /// The store is looked for at the first https request, once: plain http never probes.
    @Test func theStoreIsChosenAtTheFirstHTTPSRequestOnly() {
        let probes = Locked(0)
        let counting = TrustStore.Probe(
            isFile: { _ in
                probes.withLock { $0 += 1 }
                return false
            },
            isDirectory: { _ in
                probes.withLock { $0 += 1 }
                return false
            }, hasHashedCA: { _ in false })
        let transport = CurlTransport(environment: ["SSL_CERT_FILE": "/nowhere.pem"], probe: counting)
        var request = TransportRequest(url: "http://127.0.0.1:9/x", headers: [:], timeout: 5, maxBodyBytes: 100)
        guard case .failure(let refused) = transport.get(request) else {
            Issue.record("expected a failure")
            return
        }
        #expect(refused.kind == .network)
        #expect(probes.withLock { $0 } == 0, "plain http looks for no store")
        request.url = "https://127.0.0.1:9/x"
        for _ in 0..<2 {
            guard case .failure(let failure) = transport.get(request) else {
                Issue.record("expected a failure")
                return
            }
            #expect(failure.kind == .trustStore && failure.message.contains("SSL_CERT_FILE names /nowhere.pem"))
        }
        #expect(probes.withLock { $0 } == 1, "chosen once, at the first https request")
    }

    @Test func anHTTPSRequestWithoutAStoreFailsBeforeAnyConnection() {
        let request = TransportRequest(url: "https://127.0.0.1:9/x", headers: [:], timeout: 5, maxBodyBytes: 100)
        let none = CurlTransport(trustStore: .notFound(tried: ["/nowhere.pem"]))
        guard case .failure(let failure) = none.get(request) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.kind == .trustStore)
        #expect(failure.message.contains("/nowhere.pem"))
        // Plain http needs no store: the request goes out (and finds port 9 closed).
        var plain = request
        plain.url = "http://127.0.0.1:9/x"
        guard case .failure(let refused) = none.get(plain) else {
            Issue.record("expected a failure")
            return
        }
        #expect(refused.kind == .network)
    }

    @Test(arguments: [(0.5, 500), (10, 10_000), (0.0001, 1), (0, 1), (-1, 1), (.infinity, 1), (1e12, Int(Int32.max))])
    func timeoutsBecomeWholeMilliseconds(seconds: Double, ms: Int) {
        #expect(CurlTransport.milliseconds(seconds) == ms)
    }

    @Test(arguments: [
        (Int32(28), TransportFailure.Kind.timedOut), (6, .network), (7, .network), (52, .network), (56, .network),
        (35, .network), (60, .tls), (77, .tls), (1, .badURL), (3, .badURL), (63, .bodyTooLarge),
    ])
    func curlCodesAreClassified(code: Int32, kind: TransportFailure.Kind) {
        #expect(CurlTransport.kind(ofCurlCode: code) == kind)
    }

    @Test func detailedMessagesNeverCarryCredentials() {
        let summary = "Couldn't connect to server"
        #expect(
            CurlTransport.safeMessage(
                detail: "Failed to connect to h port 1: Connection refused", summary: summary, forbidden: ["Bearer t0k"]
            )
                == "Failed to connect to h port 1: Connection refused")
        #expect(
            CurlTransport.safeMessage(detail: "error near Bearer t0k", summary: summary, forbidden: ["Bearer t0k"])
                == summary)
        #expect(CurlTransport.safeMessage(detail: "user:pw@h failed", summary: summary, forbidden: []) == summary)
        #expect(CurlTransport.safeMessage(detail: "", summary: summary, forbidden: []) == summary)
        #expect(CurlTransport.userinfoParts(of: "https://user:pw@h/x") == ["user", "pw", "user:pw"])
        #expect(CurlTransport.userinfoParts(of: "https://h/x").isEmpty)
    }

    @Test func aClosedPortIsANetworkFailure() throws {
        // Port 9 (discard) on loopback: nothing listens in a test environment, so the connection is refused.
        let result = CurlTransport().get(
            TransportRequest(
                url: "http://127.0.0.1:9/x", headers: ["Authorization": "Bearer t0k"], timeout: 5, maxBodyBytes: 100))
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.kind == .network)
        #expect(!failure.message.contains("t0k"))
    }

    @Test func otherSchemesAreRefusedByLibcurl() {
        let result = CurlTransport().get(
            TransportRequest(url: "file:///etc/passwd", headers: [:], timeout: 5, maxBodyBytes: 100))
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.kind == .badURL)
    }
}
