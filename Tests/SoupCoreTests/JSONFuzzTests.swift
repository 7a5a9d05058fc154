import SoupTestSupport
import Testing

@testable import SoupCore

/// Seeded, reproducible fuzzing of the parser: mutated valid documents and random bytes.
/// The parser must always return a value or a `JSONParseError` with an offset inside the input.
@Suite("JSON fuzz")
struct JSONFuzzTests {
    @Test("mutated documents never crash and errors point inside the input")
    func mutations() {
        var generator = SplitMix64(seed: 2026)
        let alphabet = Array("{}[],:\"\\/ -+.0123456789eEtrufalsn\u{0}\n\t".utf8) + [0xFF, 0xC3, 0xED, 0x80]
        var parsed = 0
        for _ in 0..<20_000 {
            var bytes = Array(generator.randomValue(depth: 3).encoded().utf8)
            for _ in 0...generator.next(below: 4) {
                let op = generator.next(below: 3)
                let at = bytes.isEmpty ? 0 : generator.next(below: bytes.count)
                switch op {
                case 0 where !bytes.isEmpty: bytes.remove(at: at)
                case 1: bytes.insert(alphabet[generator.next(below: alphabet.count)], at: at)
                default: if !bytes.isEmpty { bytes[at] = alphabet[generator.next(below: alphabet.count)] }
                }
            }
            do {
                _ = try JSON.parse(bytes)
                parsed += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count)
            }
        }
        // Some mutations keep the document valid; if none did, the generator is broken.
        #expect(parsed > 0)
    }

    @Test("random bytes never crash")
    func randomBytes() {
        var generator = SplitMix64(seed: 99)
        for _ in 0..<20_000 {
            let bytes = (0..<generator.next(below: 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            do {
                _ = try JSON.parse(bytes)
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count)
            }
        }
    }
}
