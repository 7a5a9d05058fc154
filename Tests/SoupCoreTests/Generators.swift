@testable import SoupCore
import SoupTestSupport

/// Random strings and JSON documents for the round-trip and fuzz tests.
extension SplitMix64 {
    mutating func randomString(maxLength: Int) -> String {
        let pool: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "é", "€", "😀", "'", "$", "\u{7F}",
        ]
        var s = String.UnicodeScalarView()
        for _ in 0..<next(below: maxLength + 1) { s.append(pool[next(below: pool.count)]) }
        return String(s)
    }

    mutating func randomValue(depth: Int) -> JSONValue {
        let kind = next(below: depth > 0 ? 7 : 5)
        switch kind {
        case 0: return .null
        case 1: return .bool(next(below: 2) == 0)
        case 2:
            return .number(["0", "-1", "3.25", "1e10", "-0.5E-2", "123456789012345678901234567890"][next(below: 6)])
        case 3, 4: return .string(randomString(maxLength: 8))
        case 5: return .array((0..<next(below: 4)).map { _ in randomValue(depth: depth - 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<next(below: 4) { members[randomString(maxLength: 5)] = randomValue(depth: depth - 1) }
            return .object(members)
        }
    }
}
