/// Strong entity tags for response bodies, and `If-None-Match` matching (RFC 9110 §8.8.3, §13.1.2).
public enum ETag {
    /// The quoted tag of `body`: its 64-bit FNV-1a hash in 16 lowercase hex digits.
    public static func of(_ body: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// Whether an `If-None-Match` field value matches `etag`: `*`, or a list of entity tags one of
    /// which equals it under weak comparison (a `W/` prefix is ignored). A malformed list matches
    /// only as far as it could be read.
    public static func ifNoneMatch(_ field: String, matches etag: String) -> Bool {
        let wanted = opaque(etag)
        let bytes = Array(field.utf8)
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ","):
                i += 1
            case UInt8(ascii: "*"):
                return true
            default:
                if bytes[i] == UInt8(ascii: "W"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "/") { i += 2 }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return false }
                // An opaque tag may contain commas, so the list is read tag by tag, not split.
                guard let close = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: "\"")) else { return false }
                if bytes[(i + 1)..<close].elementsEqual(wanted) { return true }
                i = close + 1
            }
        }
        return false
    }

    /// The bytes between the quotes of a tag (after an optional `W/`).
    private static func opaque(_ etag: String) -> [UInt8] {
        var bytes = Array(etag.utf8)
        if bytes.starts(with: Array("W/".utf8)) { bytes.removeFirst(2) }
        if bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") {
            return Array(bytes[1..<(bytes.count - 1)])
        }
        return bytes
    }
}
