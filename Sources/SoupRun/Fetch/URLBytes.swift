/// The byte rules the URL parsers share (`HTTPURL`, `APIURL`). They run after a check that the
/// text is printable ASCII, so each rule is a test on one byte.
enum URLBytes {
    /// Printable ASCII without the space: what a URL may contain as written.
    static func isPrintable(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }
    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "f"))
    }
    /// The inside of `[...]`: hex digits, `:` and `.` (an IPv4 tail).
    static func isIPv6Byte(_ byte: UInt8) -> Bool {
        isHexDigit(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
    }

    /// The index of the first `://` in `bytes`, if any.
    static func schemeEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 3 else { return nil }
        for i in 0...(bytes.count - 3)
        where bytes[i] == UInt8(ascii: ":") && bytes[i + 1] == UInt8(ascii: "/") && bytes[i + 2] == UInt8(ascii: "/") {
            return i
        }
        return nil
    }

    /// `bytes` as a String, ASCII letters lowercased.
    static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        // A plain loop over an array: a lazy map here costs 40k instructions of generic metadata
        // lookups at its first use (callgrind), more than the whole parse.
        var lower = Array(bytes)
        for i in lower.indices where isLetter(lower[i]) { lower[i] |= 0x20 }
        return String(decoding: lower, as: UTF8.self)
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A port as written: 1 to 5 digits, 1...65535; nil otherwise.
    static func port(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 5, bytes.allSatisfy(isDigit) else { return nil }
        let value = bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return (1...65535).contains(value) ? value : nil
    }
}
