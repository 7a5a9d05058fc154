import Testing

@testable import SoupRun

/// A `Secret` (the token) must not show through any of Swift's ways of printing a value.
@Suite struct SecretRedactionTests {
    let secret = Secret("TOPSECRET-token-value")

    @Test func printingDescribingReflectingAndDumpingShowNoValue() {
        var dumped = ""
        dump(secret, to: &dumped)
        var dumpedConfiguration = ""
        let configuration = Configuration(
            project: "p", environment: "e", mode: .export(.shell), token: .literal(secret))
        dump(configuration, to: &dumpedConfiguration)
        for text in [
            "\(secret)", String(describing: secret), String(reflecting: secret), dumped, dumpedConfiguration,
            "\(configuration)", String(reflecting: configuration),
        ] {
            #expect(!text.contains("TOPSECRET"))
        }
        #expect(Mirror(reflecting: secret).children.isEmpty)
    }

    @Test func curlMessagesQuotingTheBareTokenAreSuppressed() {
        let headers = ["Authorization": "Bearer tok_123", "Accept": "application/json"]
        #expect(CurlTransport.credentials(in: headers) == ["tok_123"])
        let forbidden = Array(headers.values) + CurlTransport.credentials(in: headers)
        #expect(
            CurlTransport.safeMessage(detail: "odd failure near tok_123", summary: "curl error", forbidden: forbidden)
                == "curl error")
        #expect(
            CurlTransport.safeMessage(detail: "Connection refused", summary: "curl error", forbidden: forbidden)
                == "Connection refused")
    }
}
