import SoupTestSupport
import Testing

@testable import SoupCore

@Suite("JSON encoding")
struct JSONEncodingTests {
    @Test("compact encoding sorts members by bytes")
    func compactSorted() {
        let value = JSONValue.object(["b": .number("1"), "a": .array([.bool(true), .null]), "B": .string("x")])
        #expect(value.encoded() == #"{"B":"x","a":[true,null],"b":1}"#)
    }

    @Test("pretty encoding indents by two spaces and ends with a newline")
    func pretty() {
        let value = JSONValue.object(["a": .array([.number("1")]), "b": .object([:])])
        #expect(value.encodedPretty() == "{\n  \"a\": [\n    1\n  ],\n  \"b\": {}\n}\n")
    }

    @Test(
        "quote escapes quotes, backslashes and control characters only",
        arguments: [
            ("plain", #""plain""#),
            ("a\"b", #""a\"b""#),
            ("back\\slash", #""back\\slash""#),
            ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
            ("\u{0}\u{1F}", #""\u0000\u001f""#),
            ("é😀/", "\"é😀/\""),
        ])
    func quoting(input: String, expected: String) {
        #expect(JSON.quote(input) == expected)
    }

    @Test("every string survives encode then parse")
    func stringRoundTrip() throws {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let s = generator.randomString(maxLength: 40)
            #expect(try JSON.parse(JSON.quote(s)) == .string(s))
        }
    }

    @Test("documents survive encode then parse, compact and pretty")
    func documentRoundTrip() throws {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<300 {
            let value = generator.randomValue(depth: 4)
            #expect(try JSON.parse(value.encoded()) == value)
            #expect(try JSON.parse(value.encodedPretty()) == value)
        }
    }
}
