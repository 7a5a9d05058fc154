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

@Suite("Secret key rule against its regular expression")
struct SecretKeyRegexTests {
    /// Every byte value first and later in a key, so each edge of each range is crossed
    /// ("@" and "[" around A-Z, "/" and ":" around 0-9, "^" and "`" around "_").
    @Test("every byte value, first and after a letter")
    func everyByteAtEveryPosition() throws {
        let rule = try Regex("^[A-Z][A-Z0-9_]{0,254}$")
        for value in 0...255 {
            for key in [[UInt8(value)], [0x41, UInt8(value)], [0x41, UInt8(value), 0x42]] {
                let text = String(decoding: key, as: UTF8.self)
                #expect(SecretKey.isValid(text) == (text.wholeMatch(of: rule) != nil), "\(key)")
            }
        }
        for text in ["Aé", "éA", "A\u{301}", "A😀"] { #expect(!SecretKey.isValid(text)) }
    }

    @Test("lengths around the limit", arguments: [(254, true), (255, true), (256, false)])
    func lengths(length: Int, valid: Bool) {
        #expect(SecretKey.isValid("K" + String(repeating: "_", count: length - 1)) == valid)
    }

    /// `isValid` is a hand-written loop; the API states the rule as `^[A-Z][A-Z0-9_]{0,254}$`.
    @Test("random keys: isValid agrees with ^[A-Z][A-Z0-9_]{0,254}$")
    func agreesWithTheRegex() throws {
        let rule = try Regex("^[A-Z][A-Z0-9_]{0,254}$")
        var generator = SplitMix64(seed: 255)
        let alphabet: [Character] = ["A", "Z", "M", "0", "9", "_", "a", "-", " ", "=", "é", "\u{0}", "Ä"]
        for _ in 0..<5000 {
            let length = [0, 1, 2, 5, 254, 255, 256][generator.next(below: 7)]
            var key = String((0..<length).map { _ in alphabet[generator.next(below: 6)] })
            if !key.isEmpty, generator.next(below: 3) == 0 {
                var characters = Array(key)
                characters[generator.next(below: characters.count)] = alphabet[generator.next(below: alphabet.count)]
                key = String(characters)
            }
            #expect(SecretKey.isValid(key) == (key.wholeMatch(of: rule) != nil), "\(key.prefix(20))… (\(key.count))")
            #expect(SecretKey.isValid(key[...]) == SecretKey.isValid(key))
        }
    }
}
