import SoupTestSupport
import Testing

@testable import SoupCore

@Suite("JSON parser")
struct JSONParserTests {
    @Test(
        "accepts every kind of value",
        arguments: [
            ("null", JSONValue.null),
            ("true", .bool(true)),
            ("false", .bool(false)),
            ("0", .number("0")),
            ("-0", .number("-0")),
            ("12.5e-3", .number("12.5e-3")),
            ("1E+9", .number("1E+9")),
            ("\"\"", .string("")),
            ("\"a\\\"b\\\\c\\/d\"", .string("a\"b\\c/d")),
            ("\"\\b\\f\\n\\r\\t\"", .string("\u{08}\u{0C}\n\r\t")),
            ("\"\\u00e9\\u0000\"", .string("é\u{0}")),
            ("\"\\ud83d\\ude00\"", .string("😀")),
            ("\"日本\"", .string("日本")),
            ("[]", .array([])),
            ("[1, [2], {}]", .array([.number("1"), .array([.number("2")]), .object([:])])),
            (" {\"a\" : {\"b\": null}}\n", .object(["a": .object(["b": .null])])),
        ])
    func accepts(text: String, expected: JSONValue) throws {
        #expect(try JSON.parse(text) == expected)
    }

    @Test(
        "rejects what RFC 8259 rejects",
        arguments: [
            "", " ", "nul", "tru", "True", "01", "-", "1.", ".5", "1e", "+1", "[1,]", "{\"a\":1,}",
            "{a:1}", "{\"a\" 1}", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
            "\"\\ud800\\u0041\"", "\"tab\there\"", "[", "{", "{\"a\":", "1 2", "// c\n1", "NaN", "Infinity",
            "{\"a\":1,\"a\":2}", "'x'",
        ])
    func rejects(text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test("rejects invalid UTF-8 inside strings")
    func rejectsInvalidUTF8() {
        for bad: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: JSONParseError.self) { try JSON.parse(bad) }
        }
    }

    @Test("bounds nesting depth instead of recursing without limit")
    func boundsDepth() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSON.parse(ok)
        let deep = String(repeating: "[", count: 100_000)
        let error = try #require(throws: JSONParseError.self) { try JSON.parse(deep) }
        #expect(error.reason.contains("nesting"))
    }

    @Test("an error names an offset and a reason, never the text around it")
    func errorsCarryNoInput() throws {
        let error = try #require(throws: JSONParseError.self) {
            try JSON.parse("{\"data\": {\"K\": \"s3cr3t-value\" oops}}")
        }
        #expect(error.offset == 30)
        #expect(!error.description.contains("s3cr3t"))
    }

    @Test("duplicate member names are rejected, at the second name")
    func duplicates() throws {
        let error = try #require(throws: JSONParseError.self) { try JSON.parse("{\"A\":1,\"A\":1}") }
        #expect(error.reason == "duplicate member name")
        #expect(error.offset == 7)
    }
}

@Suite("JSON parser: strings")
struct JSONStringTests {
    @Test("an invalid UTF-8 error points at the offending byte")
    func invalidUTF8Offset() throws {
        let bytes = Array(#"{"A": "ok\n"#.utf8) + [0xE2, 0x28, 0xA1] + Array(#""}"#.utf8)
        let error = try #require(throws: JSONParseError.self) { try JSON.parse(bytes) }
        #expect(error.offset == 11)
        #expect(error.reason == "invalid UTF-8 in a string")
    }

    /// The offending byte lies inside a run of raw text, after valid multi-byte characters.
    @Test("an invalid UTF-8 error inside a run of text points at that byte")
    func invalidUTF8OffsetInsideARun() throws {
        let bytes = Array(#""ok é日"#.utf8) + [0xF0, 0x9F, 0x98] + Array(#"x""#.utf8)
        let error = try #require(throws: JSONParseError.self) { try JSON.parse(bytes) }
        #expect(error.offset == 9)
        let afterEscape = Array(#""a\n"#.utf8) + [0xC0, 0x80, UInt8(ascii: "\"")]
        #expect(throws: JSONParseError(offset: 4, reason: "invalid UTF-8 in a string")) { try JSON.parse(afterEscape) }
    }

    @Test("raw text and escapes mix in one string")
    func rawAndEscapes() throws {
        #expect(try JSON.parse(#""é\n日\u0041😀\\\"\ud83d\ude00x""#) == .string("é\n日A😀\\\"😀x"))
        #expect(try JSON.parse(#""\u00e9\u20ac\ud83d\ude00\u0000""#) == .string("é€😀\u{0}"))
    }

    @Test("every kind of scalar survives a \\u escape")
    func escapedScalars() throws {
        var generator = SplitMix64(seed: 515)
        for _ in 0..<5000 {
            let value = UInt32(generator.next(below: 0x11_0000))
            guard let scalar = Unicode.Scalar(value) else { continue }
            let units = Array(String(scalar).utf16)
            let text =
                "\""
                + units.map { unit in
                    let hex = String(unit, radix: 16)
                    return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }.joined() + "\""
            #expect(try JSON.parse(text) == .string(String(scalar)), "\(text)")
        }
    }
}
