/// Percent-encoding of URL path segments and query components (RFC 3986).
public enum PercentEncoding {
    /// Encodes everything but the unreserved set `A-Z a-z 0-9 - . _ ~`, so the result is one
    /// path segment whatever the input (`/`, `?`, `%`, spaces and non-ASCII included).
    public static func encodeSegment(_ s: String) -> String {
        var s = s
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        s.withUTF8 { appendSegment(utf8: $0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `encodeSegment` of the UTF-8 text `utf8` to `out`, as bytes.
    public static func appendSegment(utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for b in utf8 {
            switch b {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hexDigit(b >> 4))
                out.append(hexDigit(b & 0xF))
            }
        }
    }

    /// An upper-case hex digit.
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    /// Decodes `%XX` escapes (and, when `plusAsSpace`, `+` as a space, for query strings).
    /// Nil when an escape is malformed or the result is not valid UTF-8.
    public static func decode(_ s: some StringProtocol, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        func hexValue(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hv = hexValue(h), let lv = hexValue(l) else {
                    return nil
                }
                bytes.append(hv << 4 | lv)
            } else if plusAsSpace && b == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else {
                bytes.append(b)
            }
        }
        // Decoding replaces invalid UTF-8 with U+FFFD; a round trip that changes the bytes means it was invalid.
        // (Not String(validating:as:), which needs macOS 15.)
        let decoded = String(decoding: bytes, as: UTF8.self)
        return decoded.utf8.elementsEqual(bytes) ? decoded : nil
    }
}
