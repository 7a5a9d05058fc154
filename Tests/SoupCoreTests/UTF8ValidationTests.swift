import SoupTestSupport
import Testing

@testable import SoupCore

/// The parser's UTF-8 check against the standard library's decoder, which is the reference:
/// every sequence of up to two bytes, and up to four bytes around every boundary of Table 3-7.
@Suite("UTF-8 validation")
struct UTF8ValidationTests {
    /// What the reference says: well-formed iff decoding changes nothing (a repair inserts U+FFFD).
    static func wellFormed(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes)
    }

    /// The offset the validator reports, checked against the reference: all bytes before it are
    /// well-formed, and no sequence starting there is (no prefix ending 1 to 4 bytes later is).
    static func check(_ bytes: [UInt8]) {
        let offset = bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset(in: $0) }
        guard let offset else {
            #expect(wellFormed(bytes), "accepted \(bytes)")
            return
        }
        #expect(wellFormed(Array(bytes[..<offset])), "\(bytes): bytes before \(offset) are not well-formed")
        for end in (offset + 1)...min(offset + 4, bytes.count) {
            #expect(!wellFormed(Array(bytes[..<end])), "\(bytes): rejected at \(offset), but \(end) bytes decode")
        }
    }

    @Test("every sequence of one and two bytes")
    func allShortSequences() {
        for a in 0...255 {
            Self.check([UInt8(a)])
            for b in 0...255 { Self.check([UInt8(a), UInt8(b)]) }
        }
    }

    @Test("three and four bytes: every lead byte with continuation bytes at every range boundary")
    func longerSequences() {
        // The edges of the ranges Table 3-7 allows after a lead byte, and one byte of each other kind.
        let edges: [UInt8] = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        for lead in 0xC0...0xFF {
            for b in edges {
                for c in edges {
                    Self.check([UInt8(lead), b, c])
                    // Four-byte forms only start at E0 (three-byte leads followed by one more byte too).
                    if lead >= 0xE0 { for d in edges { Self.check([UInt8(lead), b, c, d]) } }
                }
            }
        }
    }

    @Test("random byte strings, mostly well-formed text with damage")
    func randomStrings() {
        var generator = SplitMix64(seed: 3107)
        let pieces: [[UInt8]] = [
            [0x61], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xED, 0x9F, 0xBF],
        ]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<generator.next(below: 8) { bytes += pieces[generator.next(below: pieces.count)] }
            if !bytes.isEmpty, generator.next(below: 2) == 0 {
                bytes[generator.next(below: bytes.count)] = UInt8(truncatingIfNeeded: generator.next())
            }
            Self.check(bytes)
        }
    }

    @Test("encoding matches the standard library for every scalar")
    func encodingEveryScalar() {
        var mismatches = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            var buffer: [UInt8] = []
            UTF8Validation.append(scalar, to: &buffer)
            if !buffer.elementsEqual(String(scalar).utf8) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
