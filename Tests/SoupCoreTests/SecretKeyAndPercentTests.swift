import SoupTestSupport
import Testing

@testable import SoupCore

@Suite("Secret key rule")
struct SecretKeyTests {
    @Test(
        "valid keys",
        arguments: ["A", "DATABASE_URL", "API_KEY_V2", "MY_VAR", "A1", "Z_", String(repeating: "K", count: 255)])
    func valid(key: String) { #expect(SecretKey.isValid(key)) }

    @Test(
        "invalid keys",
        arguments: [
            "", "database_url", "123_KEY", "my-var", "_A", "A-B", "A B", "Ä", "A\u{0}", "a", "KEY=1",
            String(repeating: "K", count: 256),
        ])
    func invalid(key: String) { #expect(!SecretKey.isValid(key)) }
}

@Suite("Percent encoding")
struct PercentEncodingTests {
    @Test(
        "segments encode everything outside the unreserved set",
        arguments: [
            ("my-app", "my-app"), ("proj_123", "proj_123"), ("a b", "a%20b"), ("a/b", "a%2Fb"), ("a?b#c", "a%3Fb%23c"),
            ("100%", "100%25"), ("é", "%C3%A9"), ("..", ".."), ("~x", "~x"),
        ])
    func encode(input: String, expected: String) { #expect(PercentEncoding.encodeSegment(input) == expected) }

    @Test("decode inverts encode for any string")
    func roundTrip() {
        var generator = SplitMix64(seed: 5)
        for _ in 0..<1000 {
            let s = generator.randomString(maxLength: 20)
            #expect(PercentEncoding.decode(PercentEncoding.encodeSegment(s)) == s)
        }
    }

    @Test("decode rejects malformed escapes and invalid UTF-8", arguments: ["%", "%4", "%G1", "%FF", "a%zz"])
    func decodeRejects(input: String) { #expect(PercentEncoding.decode(input) == nil) }

    @Test("plus means space only in query mode")
    func plus() {
        #expect(PercentEncoding.decode("a+b") == "a+b")
        #expect(PercentEncoding.decode("a+b", plusAsSpace: true) == "a b")
    }
}
