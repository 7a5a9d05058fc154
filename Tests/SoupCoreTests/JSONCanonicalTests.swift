import SoupTestSupport
import Testing

@testable import SoupCore

/// `JSON.isEncoding`: true for the encoder's own text of the same members, and never true for a
/// text that decodes to other members (checked against the parser on random inputs, seeded).
@Suite("JSON: is this text the canonical encoding of these members?")
struct JSONCanonicalTests {
    static func text(_ members: [String: String], under name: String = "data") -> [UInt8] {
        Array(JSONValue.object([name: .stringObject(members)]).encoded().utf8)
    }

    /// What the text decodes to, when it is `{name: {string: string}}`; the reference.
    static func decoded(_ text: [UInt8], under name: String = "data") -> [String: String]? {
        guard case .object(let top)? = try? JSON.parse(text), top.count == 1, case .object(let inner)? = top[name]
        else { return nil }
        var members: [String: String] = [:]
        for (key, value) in inner {
            guard case .string(let string) = value else { return nil }
            members[key] = string
        }
        return members
    }

    static func randomMembers(_ random: inout SplitMix64, plainKeys: Bool) -> [String: String] {
        var members: [String: String] = [:]
        let keyPool = Array("ABCXYZ_019")
        for _ in 0..<random.next(below: 12) {
            let key =
                plainKeys
                ? String((0...random.next(below: 6)).map { _ in keyPool[random.next(below: keyPool.count)] })
                : random.randomString(maxLength: 5)
            members[key] = random.randomString(maxLength: 12)
        }
        return members
    }

    @Test func theEncodersOwnTextIsRecognised() {
        var random = SplitMix64(seed: 0x5EED_CA11)
        for _ in 0..<500 {
            let members = Self.randomMembers(&random, plainKeys: true)
            #expect(JSON.isEncoding(of: members, under: "data", Self.text(members)), "\(members)")
        }
        #expect(JSON.isEncoding(of: [:], under: "data", Array(#"{"data":{}}"#.utf8)))
    }

    @Test func otherMembersAreNeverTakenForTheseOnes() {
        var random = SplitMix64(seed: 0xD1FF_E2E7)
        for _ in 0..<500 {
            let members = Self.randomMembers(&random, plainKeys: random.next(below: 2) == 0)
            var other = members
            switch random.next(below: 4) {
            case 0: other[other.keys.first ?? "A"] = "changed"
            case 1: if let key = other.keys.first { other[key] = nil }
            case 2: other["EXTRA_KEY"] = ""
            default: other = Self.randomMembers(&random, plainKeys: true)
            }
            if JSON.isEncoding(of: members, under: "data", Self.text(other)) {
                #expect(other == members, "\(members) accepted the text of \(other)")
            }
        }
    }

    @Test func aChangedByteIsNeverTakenForOtherMembers() {
        var random = SplitMix64(seed: 0xB17E_F11B)
        for _ in 0..<300 {
            let members = Self.randomMembers(&random, plainKeys: true)
            var text = Self.text(members)
            let at = random.next(below: text.count)
            switch random.next(below: 3) {
            case 0: text[at] ^= UInt8(1 << random.next(below: 8))
            case 1: text.remove(at: at)
            default: text.insert(UInt8(random.next(below: 128)), at: at)
            }
            if JSON.isEncoding(of: members, under: "data", text) {
                #expect(Self.decoded(text) == members, "accepted \(String(decoding: text, as: UTF8.self))")
            }
        }
    }

    @Test(arguments: [
        #"{"data":{"B":"2","A":"1"}}"#,  // members out of order
        #"{"data": {"A":"1","B":"2"}}"#,  // a space
        #"{"data":{"A":"1","B":"\u0032"}}"#,  // an escape the encoder does not write
        #"{"data":{"A":"1","A":"1","B":"2"}}"#,  // a duplicate
        #"{"data":{"A":"1","B":"2"}} "#,  // trailing bytes
        #"{"data":{"A":"1","B":"2"}"#,  // truncated
        #"{"other":{"A":"1","B":"2"}}"#,  // another top-level name
    ])
    func anEquivalentOrDamagedTextIsNotTheEncoding(text: String) {
        #expect(!JSON.isEncoding(of: ["A": "1", "B": "2"], under: "data", Array(text.utf8)))
    }
}
