@testable import SoupCore

/// A tiny seeded PRNG so fuzz and property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below n: Int) -> Int { Int(next() % UInt64(n)) }

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
