import SoupCore
import SoupRun
import Testing

/// Validation of the API's 200 body.
@Suite struct SecretsDocumentTests {
    /// A value no error message may contain.
    static let value = "s3cr3t-VALUE-91c2"

    static func parse(_ text: String) throws(InvalidDataError) -> [String: String] {
        try SecretsDocument.parse(Array(text.utf8))
    }

    @Test func goodDocument() throws {
        let secrets = try Self.parse(
            #"{"data": {"DATABASE_URL": "postgres://x", "API_KEY": "\#(Self.value)", "E": ""}}"#)
        #expect(secrets == ["DATABASE_URL": "postgres://x", "API_KEY": Self.value, "E": ""])
    }

    @Test func emptyDataAndExtraMembers() throws {
        #expect(try Self.parse(#"{"data": {}}"#) == [:])
        #expect(try Self.parse(#"{"meta": [1, 2], "data": {"A": "a"}, "etag": null}"#) == ["A": "a"])
    }

    @Test func unicodeAndControlCharactersInValuesAreKept() throws {
        let secrets = try Self.parse(#"{"data": {"U": "ünïcødé 🎉 \u00e9", "NL": "a\nb\r\n", "Q": "'\"\\$`"}}"#)
        #expect(secrets == ["U": "ünïcødé 🎉 é", "NL": "a\nb\r\n", "Q": "'\"\\$`"])
    }

    @Test func longestValidKey() throws {
        let key = "K" + String(repeating: "_", count: 254)
        #expect(try Self.parse(#"{"data": {"\#(key)": "v"}}"#) == [key: "v"])
    }

    @Test(arguments: [
        ("<html><body>502 Bad Gateway \(value)</body></html>", "not valid JSON"),
        ("", "not valid JSON"),
        (#"{"data": {"A": "\#(value)"}"#, "not valid JSON"),
        (#"{"data": {"A": "\#(value)", "A": "x"}}"#, "not valid JSON"),
        (#"["\#(value)"]"#, "got an array"),
        (#""\#(value)""#, "got a string"),
        (#"{"error": "\#(value)"}"#, "no \"data\" member"),
        (#"{"data": ["\#(value)"]}"#, "\"data\" is an array"),
        (#"{"data": "\#(value)"}"#, "\"data\" is a string"),
        (#"{"data": null}"#, "\"data\" is null"),
        (#"{"data": {"A_KEY": 42}}"#, "value of A_KEY is a number"),
        (#"{"data": {"A_KEY": null}}"#, "value of A_KEY is null"),
        (#"{"data": {"A_KEY": {"v": "\#(value)"}}}"#, "value of A_KEY is an object"),
        (#"{"data": {"A_KEY": true}}"#, "value of A_KEY is a boolean"),
        (#"{"data": {"OK": "x", "NUL_KEY": "a\u0000\#(value)"}}"#, "value of NUL_KEY contains a NUL byte"),
        (#"{"data": {"lower_key": "\#(value)"}}"#, "invalid key 'lower_ke…' (9 bytes)"),
        (#"{"data": {"1KEY": "\#(value)"}}"#, "invalid key '1KEY'"),
        (#"{"data": {"MY-VAR": "\#(value)"}}"#, "invalid key 'MY-VAR'"),
        (#"{"data": {"": "\#(value)"}}"#, "invalid key ''"),
        (#"{"data": {"A=B": "\#(value)"}}"#, "invalid key 'A=B'"),
        (#"{"data": {"\u001b[31mX": "\#(value)"}}"#, #"invalid key '\u{1b}[31mX'"#),
        (#"{"data": {"K\#(String(repeating: "_", count: 255))": "\#(value)"}}"#, "invalid key"),
    ])
    func invalidDocumentsNameTheProblemNotTheValue(body: String, mention: String) throws {
        let error = try #require(throws: InvalidDataError.self) { try Self.parse(body) }
        #expect(error.exitCode == .invalidData)
        #expect(error.description.contains(mention), "\(error.description)")
        #expect(!error.description.contains(Self.value))
        #expect(!error.description.contains("\u{1b}"))
    }

    /// The first violation in key order is the one reported, so the message is deterministic.
    @Test func firstViolationInKeyOrder() throws {
        let error = try #require(throws: InvalidDataError.self) {
            try Self.parse(#"{"data": {"Z": 1, "B": "a\u0000", "a": "x"}}"#)
        }
        #expect(error.reason == .nulInValue(key: "B"))
    }

    /// With many violations, whatever order the dictionary iterates in, the smallest key (bytes)
    /// is reported: the parser does not sort, it keeps the least violation it has seen.
    @Test func leastViolatingKeyAmongMany() throws {
        // The dictionary's order follows the hash seed and the set of keys: reporting the first
        // violation met would name "B" in about one document in 60, so ten different documents.
        for count in 55..<65 {
            var members = (1...count).map { #""K\#($0)": \#($0)"# }
            members += [#""B": "a\u0000""#, #""a": "x""#, #""A": "fine""#, #""ZZ": "fine""#]
            let error = try #require(throws: InvalidDataError.self) {
                try Self.parse(#"{"data": {"# + members.joined(separator: ",") + "}}")
            }
            #expect(error.reason == .nulInValue(key: "B"))
            let onlyTypes = (1...count).map { #""K\#($0)": [\#($0)]"# }.joined(separator: ",")
            let typeError = try #require(throws: InvalidDataError.self) {
                try Self.parse(#"{"data": {"# + onlyTypes + "}}")
            }
            #expect(typeError.reason == .notAString(key: "K1", kind: "an array"))
        }
    }

    /// The limit is inclusive: padding (cheap to parse) brings a document to exactly the limit.
    @Test func sizeLimit() throws {
        #expect(SecretsDocument.maxBytes == 16 * 1024 * 1024)
        let document = Array(#"{"data": {"A": "a"}}"#.utf8)
        let padding = Array(repeating: UInt8(ascii: " "), count: SecretsDocument.maxBytes - document.count)
        #expect(try SecretsDocument.parse(padding + document) == ["A": "a"])
        let error = try #require(throws: InvalidDataError.self) {
            try SecretsDocument.parse([0x20] + padding + document)
        }
        #expect(error.reason == .tooLarge(bytes: SecretsDocument.maxBytes + 1))
        #expect(error.description.contains("16 MiB"))
    }

    @Test func invalidUTF8IsRefused() throws {
        let body = Array(#"{"data": {"A": ""#.utf8) + [0xC3, 0x28] + Array(#""}}"#.utf8)
        let error = try #require(throws: InvalidDataError.self) { try SecretsDocument.parse(body) }
        #expect(error.description.contains("not valid JSON"))
    }
}
