import SoupCore

/// The byte strings `--mask` replaces with `***`: for each secret value of at least the minimum
/// length, the value, each of its lines of at least that length, and for each of those the forms
/// a program is likely to print it in (base64, URL-safe base64, percent-encoded, JSON-escaped).
///
/// Values shorter than the minimum are not masked at all: masking `prod` would mangle every
/// `product` in the log (GitLab refuses values under 8 characters for the same reason).
public struct MaskPatterns: Sendable, Equatable {
    /// The distinct patterns, each at least `minimumLength` bytes.
    public private(set) var patterns: Set<[UInt8]>
    public let minimumLength: Int

    /// The default `--mask-min-length`.
    public static let defaultMinimumLength = 8

    /// The patterns of `values`, skipping those shorter than `minimumLength` bytes.
    public init(values: some Sequence<String>, minimumLength: Int = defaultMinimumLength) {
        self.minimumLength = max(1, minimumLength)
        patterns = []
        for value in values { add(value) }
    }

    /// Adds the patterns of one more value (with `--watch`, a rotated value: the old one stays).
    public mutating func add(_ value: String) {
        guard value.utf8.count >= minimumLength else { return }
        var pieces = [value]
        // Each line of a multi-line value (a PEM key, a certificate) is masked on its own too:
        // programs print them one at a time. `\r\n` counts as one line break.
        let lines = value.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        if lines.count > 1 {
            for line in lines {
                let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
                if trimmed.count >= minimumLength { pieces.append(String(decoding: trimmed, as: UTF8.self)) }
            }
        }
        // Each distinct form is hashed once: a start with 100 secrets hashes ~1,000 of them.
        patterns.reserveCapacity(patterns.count + pieces.count * 10)
        for piece in pieces {
            for form in Self.formList(of: piece) where form.count >= minimumLength { patterns.insert(form) }
        }
    }

    /// One value's forms: itself, its percent-encoded and JSON-escaped text, and its base64
    /// texts (see `base64Forms`). A set, so a form equal to the value is there once.
    public static func forms(of value: String) -> Set<[UInt8]> { Set(formList(of: value)) }

    /// `forms(of:)` as a list without repeats (a few entries: compared, not hashed).
    static func formList(of value: String) -> [[UInt8]] {
        let bytes = Array(value.utf8)
        var forms = [bytes]
        appendNew(Array(PercentEncoding.encodeSegment(value).utf8), to: &forms)
        appendNew(Array(JSON.quote(value).utf8.dropFirst().dropLast()), to: &forms)
        for form in base64FormList(of: bytes) { appendNew(form, to: &forms) }
        return forms
    }

    private static func appendNew(_ form: [UInt8], to forms: inout [[UInt8]]) {
        if !forms.contains(form) { forms.append(form) }
    }

    /// Standard and URL-safe base64 of `bytes` as it appears inside a longer encoded text: for
    /// each of the three offsets the value can start at (mod 3), the characters that depend on
    /// the value's bytes alone, as GitHub's runner masks them; plus the whole padded encoding.
    public static func base64Forms(of bytes: [UInt8]) -> Set<[UInt8]> { Set(base64FormList(of: bytes)) }

    /// `base64Forms(of:)` as a list (it may repeat a form).
    static func base64FormList(of bytes: [UInt8]) -> [[UInt8]] {
        var forms: [[UInt8]] = []
        let whole = Array(Base64.encode(bytes).utf8)
        forms.append(whole)
        forms.append(urlSafe(whole))
        for shift in 0..<3 {
            let text = Array(Base64.encode([UInt8](repeating: 0, count: shift) + bytes).utf8)
            // The first characters also carry bits of the bytes before the value: 0, 2 or 3 of them.
            let leading = [0, 2, 3][shift]
            // With padding, the last character before it carries bits of the bytes after the value.
            let padding = text.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            let trailing = padding > 0 ? padding + 1 : 0
            guard text.count > leading + trailing else { continue }
            let inner = Array(text[leading..<(text.count - trailing)])
            forms.append(inner)
            forms.append(urlSafe(inner))
        }
        return forms
    }

    /// Base64url (RFC 4648 §5): `-` and `_` for `+` and `/`, no padding.
    static func urlSafe(_ text: [UInt8]) -> [UInt8] {
        text.compactMap { byte in
            switch byte {
            case UInt8(ascii: "+"): return UInt8(ascii: "-")
            case UInt8(ascii: "/"): return UInt8(ascii: "_")
            case UInt8(ascii: "="): return nil
            default: return byte
            }
        }
    }
}
