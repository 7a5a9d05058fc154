import SoupCore
import SoupTestSupport
import Testing

@testable import SoupRun

/// The naive definition the filter must equal: mark every byte any pattern occurrence covers,
/// then replace each run of marked bytes with `***`.
func referenceMask(_ text: [UInt8], _ patterns: Set<[UInt8]>) -> [UInt8] {
    var covered = [Bool](repeating: false, count: text.count)
    for start in text.indices {
        for pattern in patterns where start + pattern.count <= text.count {
            if text[start..<(start + pattern.count)].elementsEqual(pattern) {
                for index in start..<(start + pattern.count) { covered[index] = true }
            }
        }
    }
    var out: [UInt8] = []
    for index in text.indices {
        if covered[index] {
            if index == 0 || !covered[index - 1] { out += MaskFilter.replacement }
        } else {
            out.append(text[index])
        }
    }
    return out
}

/// Runs `pieces` through a fresh filter, then flushes.
func masked(_ pieces: [[UInt8]], _ patterns: MaskPatterns) -> [UInt8] {
    var filter = MaskFilter(patterns: patterns)
    var out: [UInt8] = []
    for piece in pieces { filter.write(piece, into: &out) }
    filter.flush(into: &out)
    #expect(!filter.isHolding)
    return out
}

func masked(_ text: String, values: [String], minimumLength: Int = 8) -> String {
    String(
        decoding: masked([Array(text.utf8)], MaskPatterns(values: values, minimumLength: minimumLength)), as: UTF8.self)
}

@Suite("MaskFilter: streaming masking equals the naive reference")
struct MaskFilterTests {
    @Test("random streams split at random points match the reference", arguments: 0..<40)
    func randomStreams(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let alphabet = Array("ab=+/%\\\n".utf8)
        func word(_ length: Int) -> [UInt8] { (0..<length).map { _ in alphabet[random.next(below: alphabet.count)] } }
        let minimumLength = 1 + random.next(below: 4)
        let values = (0..<(1 + random.next(below: 5))).map { _ in
            String(decoding: word(1 + random.next(below: 7)), as: UTF8.self)
        }
        let patterns = MaskPatterns(values: values, minimumLength: minimumLength)
        let list = Array(patterns.patterns)
        // Filler with whole patterns and their prefixes mixed in, so matches, overlaps and near
        // misses all occur.
        var text: [UInt8] = []
        while text.count < 400 {
            switch random.next(below: 3) {
            case 0: text += word(random.next(below: 6))
            case 1 where !list.isEmpty: text += list[random.next(below: list.count)]
            default:
                if let pattern = list.randomElement(using: &random) {
                    text += pattern.prefix(random.next(below: pattern.count + 1))
                }
            }
        }
        var pieces: [[UInt8]] = []
        var rest = text[...]
        while !rest.isEmpty {
            let size = min(rest.count, random.next(below: 12))
            pieces.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        #expect(masked(pieces, patterns) == referenceMask(text, patterns.patterns), "seed \(seed)")
    }

    @Test("every encoded form of a value is masked, base64 at each alignment inside a longer text")
    func everyForm() {
        let value = "s3cr3t/pa+ss wörd\"\u{1}"
        let bytes = Array(value.utf8)
        let forms = [
            value, Base64.encode(bytes), PercentEncoding.encodeSegment(value),
            String(JSON.quote(value).dropFirst().dropLast()),
            MaskPatterns.urlSafe(Array(Base64.encode(bytes).utf8)).map { String(UnicodeScalar($0)) }.joined(),
        ]
        #expect(Set(forms).count == forms.count)
        for form in forms { #expect(masked("<\(form)>", values: [value]) == "<***>", "\(forms.firstIndex(of: form)!)") }
        for prefix in 0..<6 {
            for suffix in 0..<4 {
                let around = [UInt8](repeating: 0x41, count: prefix) + bytes + [UInt8](repeating: 0x42, count: suffix)
                let standard = Base64.encode(around)
                let url = String(decoding: MaskPatterns.urlSafe(Array(standard.utf8)), as: UTF8.self)
                for text in [standard, url] {
                    let out = masked(text, values: [value])
                    #expect(out.contains("***"), "prefix \(prefix) suffix \(suffix)")
                    // At most the characters shared with the bytes around it stay visible.
                    #expect(out.count <= 3 + (prefix + 2) / 3 * 4 + 3 + (suffix + 2) / 3 * 4 + 3)
                }
            }
        }
    }

    @Test("a form equal to the value is not repeated; forms shorter than the minimum are dropped")
    func formsDeduplicated() {
        let patterns = MaskPatterns(values: ["abcdefgh"])
        #expect(patterns.patterns.contains(Array("abcdefgh".utf8)))
        #expect(patterns.patterns.allSatisfy { $0.count >= 8 })
        #expect(MaskPatterns.forms(of: "abcdefgh").filter { $0 == Array("abcdefgh".utf8) }.count == 1)
    }

    @Test("overlapping values: every covered byte is masked, as one ***")
    func overlapping() {
        #expect(masked("x abcdefgh12345678 y", values: ["abcdefgh12", "fgh12345678"]) == "x *** y")
        #expect(masked("abcdefgh12 fgh12345678", values: ["abcdefgh12", "fgh12345678"]) == "*** ***")
    }

    @Test("values that are prefixes of each other: the longest wins")
    func prefixes() {
        let values = ["password1", "password123"]
        #expect(masked("[password123]", values: values) == "[***]")
        #expect(masked("[password12]", values: values) == "[***2]")
        #expect(masked("[password1x]", values: values) == "[***x]")
        #expect(masked("passwordpassword123", values: values) == "password***")
    }

    @Test("values shorter than the minimum length are not masked: words stay whole")
    func minimumLength() {
        #expect(masked("below the bell", values: ["be", "bell"]) == "below the bell")
        #expect(masked("below the bell", values: ["bell"], minimumLength: 4) == "below the ***")
        #expect(MaskPatterns(values: ["1234567"]).patterns.isEmpty)
        #expect(!MaskPatterns(values: ["12345678"]).patterns.isEmpty)
    }

    @Test("each line of a multi-line value at least the minimum long is masked on its own")
    func multiLine() {
        let value = "-----BEGIN KEY-----\r\nline-two-abc\nxy\n"
        #expect(masked("got line-two-abc here", values: [value]) == "got *** here")
        #expect(masked("got -----BEGIN KEY----- here", values: [value]) == "got *** here")
        #expect(masked("xy", values: [value]) == "xy")
        #expect(masked("<\(value)>", values: [value]) == "<***>")
        #expect(masked("\"line-two-abc\"", values: [value]) == "\"***\"")
    }

    @Test("only bytes that could start a match are held back; flush releases them")
    func holding() {
        var filter = MaskFilter(patterns: MaskPatterns(values: ["password1"]))
        var out: [UInt8] = []
        filter.write(Array("hello pass".utf8), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "hello ")
        #expect(filter.isHolding)
        filter.write(Array("word1!".utf8), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "hello ***!")
        #expect(!filter.isHolding)
        filter.write(Array("> pa".utf8), into: &out)
        filter.flush(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "hello ***!> pa")
        #expect(!filter.isHolding)
    }

    @Test("a stream of back-to-back values holds a bounded number of bytes")
    func repeatedValueBounded() {
        var filter = MaskFilter(patterns: MaskPatterns(values: ["password1"]))
        var out: [UInt8] = []
        let chunk = Array(String(repeating: "password1", count: 1000).utf8)
        for _ in 0..<100 { filter.write(chunk, into: &out) }
        #expect(out.isEmpty)
        filter.flush(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "***")
    }

    @Test("update: a new value is masked from then on, the old one still, held bytes re-read")
    func update() {
        let old = MaskPatterns(values: ["old-secret-1"])
        var both = old
        both.add("old-secret-2")
        var filter = MaskFilter(patterns: old)
        var out: [UInt8] = []
        // "old-secret-" is held as a possible start of the old value, and ends the new one.
        filter.write(Array("a old-secret-".utf8), into: &out)
        filter.update(both, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "a ")
        filter.write(Array("2 old-secret-1 b".utf8), into: &out)
        filter.flush(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "a *** *** b")
    }
}
