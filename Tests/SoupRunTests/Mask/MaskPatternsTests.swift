import SoupCore
import SoupTestSupport
import Testing

@testable import SoupRun

/// The forms of `value` by their definition, through the String encoders (what the flat buffer
/// of `MaskPatterns` must hold): the value, percent, JSON-escaped, whole base64 and base64url, and
/// at each alignment the characters that depend on the value alone.
func referenceForms(_ value: String) -> Set<[UInt8]> {
    let bytes = Array(value.utf8)
    func urlSafe(_ text: [UInt8]) -> [UInt8] { MaskPatterns.urlSafe(text) }
    var forms: Set<[UInt8]> = [bytes, Array(PercentEncoding.encodeSegment(value).utf8)]
    forms.insert(Array(JSON.quote(value).utf8.dropFirst().dropLast()))
    let whole = Array(Base64.encode(bytes).utf8)
    forms.formUnion([whole, urlSafe(whole)])
    for shift in 0..<3 {
        let text = Array(Base64.encode([UInt8](repeating: 0, count: shift) + bytes).utf8)
        let leading = [0, 2, 3][shift]
        let padding = text.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        let trailing = padding > 0 ? padding + 1 : 0
        guard text.count > leading + trailing else { continue }
        let inner = Array(text[leading..<(text.count - trailing)])
        forms.formUnion([inner, urlSafe(inner)])
    }
    return forms
}

/// The patterns of `values` by their definition: each value's and each line's forms, filtered.
func referencePatterns(_ values: [String], minimumLength: Int) -> Set<[UInt8]> {
    var patterns: Set<[UInt8]> = []
    for value in values where value.utf8.count >= minimumLength {
        var pieces = [value]
        let lines = value.utf8.split(separator: UInt8(ascii: "\n"))
        if lines.count > 1 {
            for line in lines {
                let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
                if trimmed.count >= minimumLength { pieces.append(String(decoding: trimmed, as: UTF8.self)) }
            }
        }
        for piece in pieces { patterns.formUnion(referenceForms(piece).filter { $0.count >= minimumLength }) }
    }
    return patterns
}

@Suite("MaskPatterns: the forms in one buffer equal their definition")
struct MaskPatternsTests {
    @Test("random values (ASCII, base64 and URL characters, controls, newlines, non-ASCII)", arguments: 0..<30)
    func randomValues(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let alphabet = ["a", "Z", "0", "+", "/", "=", "-", "_", "%", "\"", "\\", "\n", "\r", "\u{1}", " ", "é", "€"]
        let values = (0..<(1 + random.next(below: 6))).map { _ in
            (0..<random.next(below: 40)).map { _ in alphabet[random.next(below: alphabet.count)] }.joined()
        }
        let minimumLength = 1 + random.next(below: 10)
        let patterns = MaskPatterns(values: values, minimumLength: minimumLength)
        #expect(patterns.patterns == referencePatterns(values, minimumLength: minimumLength), "seed \(seed)")
        for index in 0..<patterns.count { #expect(patterns.range(at: index).count >= minimumLength) }
    }

    @Test("every value length up to 3 groups: each base64 alignment and padding")
    func everyLength() {
        for length in 1...12 {
            let value = String(repeating: "?", count: length)
            #expect(MaskPatterns.forms(of: value) == referenceForms(value), "length \(length)")
        }
    }

    @Test("equal when the values are: order and repeats do not matter, a new value does")
    func equality() {
        var patterns = MaskPatterns(values: ["first-secret", "second-secret"])
        let reversed = MaskPatterns(values: ["second-secret", "first-secret"])
        #expect(patterns == reversed)
        let count = patterns.count
        patterns.add("first-secret")
        #expect(patterns == reversed)
        #expect(patterns.count == count)
        patterns.add("short")
        #expect(patterns == reversed)
        patterns.add("third-secret")
        #expect(patterns != reversed)
        #expect(MaskPatterns(values: ["first-secret"], minimumLength: 4) != MaskPatterns(values: ["first-secret"]))
    }
}
