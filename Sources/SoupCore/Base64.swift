/// Standard base64 (RFC 4648 §4, with `=` padding), for `{{ KEY | base64 }}` in templates.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The base64 text of `bytes`: four characters per three bytes, the last group padded.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        Array(bytes).withUnsafeBufferPointer { append($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the base64 text of `bytes` to `out` (for callers that collect many encodings in
    /// one buffer, as `--mask` does for every secret's forms).
    public static func append(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        alphabet.withUnsafeBufferPointer { table in
            var index = 0
            while index + 3 <= bytes.count {
                let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                out.append(table[Int(group >> 18 & 63)])
                out.append(table[Int(group >> 12 & 63)])
                out.append(table[Int(group >> 6 & 63)])
                out.append(table[Int(group & 63)])
                index += 3
            }
            let left = bytes.count - index
            guard left > 0 else { return }
            let group = UInt32(bytes[index]) << 16 | (left == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(table[Int(group >> 18 & 63)])
            out.append(table[Int(group >> 12 & 63)])
            out.append(left == 2 ? table[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
    }
}
