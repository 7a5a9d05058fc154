import SoupCore
import SoupTestSupport
import Testing

@testable import SoupRun

/// `SecretsDocument.parseSet` against the dictionary reader it replaced (`reference`): for random
/// bodies with repeated names, invalid keys, non-strings, NULs and broken JSON, the same secrets
/// or the same error (the first violation in key order, a duplicate at its parser offset).
@Suite struct SecretsDocumentSetTests {
    /// What `SecretsDocument.parse` did before `SecretSet`: a dictionary, `.duplicate` as read.
    static func reference(_ body: [UInt8]) throws(InvalidDataError) -> [String: String] {
        var secrets: [String: String] = [:]
        var first: (key: String, error: InvalidDataError)? = nil
        let document: JSONValue?
        do {
            document = try JSON.parse(body, streaming: "data") { key, member in
                let value = member.stringValue ?? ""
                if secrets.updateValue(value, forKey: key) != nil { return .duplicate }
                if first == nil || ByteOrder.precedes(key, first!.key), let error = violation(key, member) {
                    first = (key, error)
                }
                return .next
            }
        } catch {
            throw InvalidDataError(.notJSON(error))
        }
        if let first { throw first.error }
        guard let document, let top = document.objectValue else {
            throw InvalidDataError(.notAnObject(document?.kindDescription ?? "an object"))
        }
        guard let data = top["data"] else { throw InvalidDataError(.missingData) }
        guard data.objectValue != nil else { throw InvalidDataError(.dataNotAnObject(data.kindDescription)) }
        return secrets
    }

    static func violation(_ key: String, _ member: JSONValue) -> InvalidDataError? {
        guard SecretKey.isValid(key) else { return InvalidDataError(.invalidKey(key)) }
        guard case .string(let value) = member else {
            return InvalidDataError(.notAString(key: key, kind: member.kindDescription))
        }
        return value.utf8.contains(0) ? InvalidDataError(.nulInValue(key: key)) : nil
    }

    /// Names as JSON text: valid keys, invalid ones (lower case, a digit first, `_` first,
    /// non-ASCII, a NUL), some of them repeated by the draws.
    static let names = [
        "A", "B", "K1", "K10", "DB_URL", "Z", "a", "1A", "_X", "\\u00e9", "K\\u0000", "", "A\\u0041",
    ]
    static let values = [
        "\"\"", "\"v\"", "\"it's \\\"q\\\"\"", "\"\\u0000\"", "1", "null", "true", "{}", "[\"x\"]", "\"é🎉\"",
    ]

    static func randomBody(_ random: inout SplitMix64) -> [UInt8] {
        let members = (0..<random.next(below: 12)).map { _ in
            "\"\(names[random.next(below: names.count)])\": \(values[random.next(below: values.count)])"
        }
        let variant = random.next(below: 10)
        let top = variant == 2 ? "other" : "data"
        var text = #"{"meta": 1, ""# + top + #"": {"# + members.joined(separator: ", ") + "}}"
        if variant == 0 { text = String(text.dropLast(random.next(below: 6) + 1)) }  // cut short
        if variant == 1 { text += " x" }  // garbage after the document
        return Array(text.utf8)
    }

    @Test func randomBodiesGiveTheDictionaryReadersAnswer() {
        var random = SplitMix64(seed: 0x5EC2_E75E7)
        // What the draws reached, so the test shows it compared every kind of answer.
        var kinds: Set<String> = []
        for _ in 0..<600 {
            let body = Self.randomBody(&random)
            let text = String(decoding: body, as: UTF8.self)
            let expected = Result { () throws(InvalidDataError) in try Self.reference(body) }
            let actual = Result { () throws(InvalidDataError) in try SecretsDocument.parseSet(body) }
            switch (expected, actual) {
            case (.success(let dictionary), .success(let set)):
                kinds.insert("secrets")
                #expect(set == SecretSet(dictionary), "\(text)")
            case (.failure(let old), .failure(let new)):
                kinds.insert(Self.kind(old))
                #expect(old == new, "\(text)")
            default:
                Issue.record("\(expected) against \(actual) for \(text)")
            }
        }
        #expect(
            kinds == ["secrets", "duplicate", "syntax", "invalid key", "not a string", "NUL", "no data"],
            "\(kinds.sorted())")
    }

    static func kind(_ error: InvalidDataError) -> String {
        switch error.reason {
        case .notJSON(let error): return error.description.contains("duplicate") ? "duplicate" : "syntax"
        case .invalidKey: return "invalid key"
        case .notAString: return "not a string"
        case .nulInValue: return "NUL"
        case .missingData: return "no data"
        default: return "\(error.reason)"
        }
    }

    @Test func aDuplicateIsReportedAtItsSecondAppearanceBeforeALaterSyntaxError() {
        let body = Array(#"{"data": {"B": "1", "A": "2", "A": "3", "B": "4", "a": 5, oops"#.utf8)
        let expected = Result { () throws(InvalidDataError) in try Self.reference(body) }
        let actual = Result { () throws(InvalidDataError) in try SecretsDocument.parseSet(body) }
        guard case .failure(let old) = expected, case .failure(let new) = actual else {
            Issue.record("both must fail: \(expected), \(actual)")
            return
        }
        #expect(old == new)
        // At the second "A" (offset 30), not the second "B" nor the syntax error after it.
        #expect(new.description.contains("duplicate member name"))
        #expect(new.description.contains("30"))
    }

    /// Names are compared as bytes: two spellings of one Unicode text (only possible in keys that
    /// break the key rule anyway) are the invalid key they are, not a duplicate.
    @Test func canonicallyEqualButDifferentBytesIsAnInvalidKeyNotADuplicate() {
        let body = Array(#"{"data": {"\u212a": "1", "K": "2"}}"#.utf8)
        #expect(throws: InvalidDataError(.invalidKey("\u{212A}"))) { try SecretsDocument.parseSet(body) }
    }
}
