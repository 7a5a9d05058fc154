import SoupCore

/// The byte strings `--mask` replaces with `***`: for each secret value of at least the minimum
/// length, the value, each of its lines of at least that length, and for each of those the forms
/// a program is likely to print it in (base64, URL-safe base64, percent-encoded, JSON-escaped).
///
/// Values shorter than the minimum are not masked at all: masking `prod` would mangle every
/// `product` in the log (GitLab refuses values under 8 characters for the same reason).
///
/// Built at every start of `--mask` (100 secrets make ~1,000 forms), so the forms are written
/// back to back into one byte buffer, not one array each, and never hashed: a form that repeats
/// another (the value's percent form when it has nothing to escape) is merged by the automaton's
/// trie, which walks both to the same state.
public struct MaskPatterns: Sendable {
    /// Every pattern's bytes, one after another (with bytes of no pattern between some of them).
    private(set) var bytes: [UInt8] = []
    /// Pattern `i` is `bytes[starts[i]..<ends[i]]`; each is at least `minimumLength` long.
    private(set) var starts: [Int32] = []
    private(set) var ends: [Int32] = []
    /// The values whose patterns are here: two pattern sets are equal when these are.
    private var values: Set<String> = []
    public let minimumLength: Int

    /// The default `--mask-min-length`.
    public static let defaultMinimumLength = 8

    /// The patterns of `values`, skipping those shorter than `minimumLength` bytes.
    public init(values: some Collection<String>, minimumLength: Int = defaultMinimumLength) {
        self.minimumLength = max(1, minimumLength)
        // About twelve forms per value, most of them about as long as it.
        bytes.reserveCapacity(values.reduce(0) { $0 + $1.utf8.count } * 16)
        starts.reserveCapacity(values.count * 12)
        ends.reserveCapacity(values.count * 12)
        for value in values { add(value) }
    }

    /// The distinct patterns, as a set (for tests and the naive reference; the automaton reads the buffer).
    public var patterns: Set<[UInt8]> { Set(starts.indices.map { Array(bytes[range(at: $0)]) }) }

    /// How many patterns there are (one may repeat another).
    var count: Int { starts.count }

    /// Where pattern `index` is in `bytes`.
    func range(at index: Int) -> Range<Int> { Int(starts[index])..<Int(ends[index]) }

    /// Adds the patterns of one more value (with `--watch`, a rotated value: the old one stays).
    /// A value added before adds nothing, so the patterns compare equal and nothing is rebuilt.
    public mutating func add(_ value: String) {
        guard value.utf8.count >= minimumLength, values.insert(value).inserted else { return }
        var value = value
        value.withUTF8 { utf8 in
            appendForms(of: utf8)
            // Each line of a multi-line value (a PEM key, a certificate) is masked on its own too:
            // programs print them one at a time. `\r\n` counts as one line break.
            let lines = utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            guard lines.count > 1 else { return }
            for line in lines {
                let end = utf8[line.endIndex - 1] == UInt8(ascii: "\r") ? line.endIndex - 1 : line.endIndex
                if end - line.startIndex >= minimumLength {
                    appendForms(of: UnsafeBufferPointer(rebasing: utf8[line.startIndex..<end]))
                }
            }
        }
    }

    /// One value's forms (without the minimum length): itself, its percent-encoded and
    /// JSON-escaped text, its base64 texts (see `appendBase64Forms`). A set, so each is there once.
    public static func forms(of value: String) -> Set<[UInt8]> {
        var forms = MaskPatterns(values: [String](), minimumLength: 1)
        var value = value
        value.withUTF8 { forms.appendForms(of: $0) }
        return forms.patterns
    }

    /// Appends the forms of `utf8` and records those at least `minimumLength` long.
    private mutating func appendForms(of utf8: UnsafeBufferPointer<UInt8>) {
        let value = bytes.count..<(bytes.count + utf8.count)
        bytes.append(contentsOf: utf8)
        record(value.lowerBound, value.upperBound)
        let percent = bytes.count
        PercentEncoding.appendSegment(utf8: utf8, to: &bytes)
        recordIfNew(percent, bytes.count, than: value)
        let quoted = bytes.count
        JSON.appendQuoted(utf8: utf8, to: &bytes)
        // Without its quotes: the value inside a longer JSON text.
        recordIfNew(quoted + 1, bytes.count - 1, than: value)
        appendBase64Forms(of: utf8)
    }

    /// Standard and URL-safe base64 of `utf8` as it appears inside a longer encoded text: for
    /// each of the three offsets the value can start at (mod 3), the characters that depend on
    /// the value's bytes alone, as GitHub's runner masks them; plus the whole padded encoding.
    private mutating func appendBase64Forms(of utf8: UnsafeBufferPointer<UInt8>) {
        // The value after 0, 1 or 2 zero bytes, in one buffer: the three encodings are its suffixes'.
        var shifted: [UInt8] = [0, 0]
        shifted.append(contentsOf: utf8)
        shifted.withUnsafeBufferPointer { shifted in
            for shift in 0..<3 {
                let text = bytes.count
                Base64.append(UnsafeBufferPointer(rebasing: shifted[(2 - shift)...]), to: &bytes)
                let end = bytes.count
                if shift == 0 {
                    record(text, end)
                    appendURLSafe(text, end)
                }
                // The first characters also carry bits of the bytes before the value: 0, 2 or 3 of them.
                let leading = shift == 0 ? 0 : shift + 1
                // With padding, the last character before it carries bits of the bytes after the value.
                var padding = 0
                while padding < 2 && bytes[end - 1 - padding] == UInt8(ascii: "=") { padding += 1 }
                let trailing = padding > 0 ? padding + 1 : 0
                // At shift 0 without padding, that is the whole text, done above.
                guard end - text > leading + trailing, shift > 0 || trailing > 0 else { continue }
                record(text + leading, end - trailing)
                appendURLSafe(text + leading, end - trailing)
            }
        }
    }

    /// Appends and records the URL-safe form of the base64 text at `start..<end`, when it differs.
    private mutating func appendURLSafe(_ start: Int, _ end: Int) {
        guard bytes[start..<end].contains(where: { Self.urlSafe($0) != $0 }) else { return }
        let form = bytes.count
        for index in start..<end {
            let byte = Self.urlSafe(bytes[index])
            if byte != 0 { bytes.append(byte) }
        }
        record(form, bytes.count)
    }

    /// Records `start..<end` as a pattern when it is long enough.
    private mutating func record(_ start: Int, _ end: Int) {
        guard end - start >= minimumLength else { return }
        starts.append(Int32(start))
        ends.append(Int32(end))
    }

    /// Records `start..<end` unless it spells the same bytes as `value` (a range of `bytes`).
    private mutating func recordIfNew(_ start: Int, _ end: Int, than value: Range<Int>) {
        if end - start == value.count && bytes[start..<end].elementsEqual(bytes[value]) { return }
        record(start, end)
    }

    /// Base64url (RFC 4648 §5): `-` and `_` for `+` and `/`, no padding.
    static func urlSafe(_ text: [UInt8]) -> [UInt8] {
        text.compactMap { byte in
            let safe = urlSafe(byte)
            return safe == 0 ? nil : safe
        }
    }

    /// One base64 character in base64url; 0 for padding, which base64url drops.
    private static func urlSafe(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "+"): return UInt8(ascii: "-")
        case UInt8(ascii: "/"): return UInt8(ascii: "_")
        case UInt8(ascii: "="): return 0
        default: return byte
        }
    }
}

extension MaskPatterns: Equatable {
    /// Patterns are a function of the values and the minimum length.
    public static func == (left: MaskPatterns, right: MaskPatterns) -> Bool {
        left.minimumLength == right.minimumLength && left.values == right.values
    }
}
