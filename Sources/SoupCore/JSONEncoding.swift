extension JSONValue {
    /// The value as compact JSON text. Object members are sorted by name (byte order), so equal
    /// values encode to equal text (stable ETags, stable exports).
    public func encoded() -> String {
        var out = ""
        write(to: &out, indent: nil, level: 0)
        return out
    }

    /// The value as indented JSON text (two spaces), members sorted, with a trailing newline.
    public func encodedPretty() -> String {
        var out = ""
        write(to: &out, indent: "  ", level: 0)
        out.append("\n")
        return out
    }

    private func write(to out: inout String, indent: String?, level: Int) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .number(let n): out.append(n)
        case .string(let s): JSON.appendQuoted(s, to: &out)
        case .array(let items):
            if items.isEmpty {
                out.append("[]")
                return
            }
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(",") }
                newline(&out, indent, level + 1)
                item.write(to: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append("]")
        case .object(let members):
            if members.isEmpty {
                out.append("{}")
                return
            }
            out.append("{")
            let names = ByteOrder.sorted(members.keys)
            for (i, name) in names.enumerated() {
                if i > 0 { out.append(",") }
                newline(&out, indent, level + 1)
                JSON.appendQuoted(name, to: &out)
                out.append(indent == nil ? ":" : ": ")
                members[name]!.write(to: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out.append("}")
        }
    }

    private func newline(_ out: inout String, _ indent: String?, _ level: Int) {
        guard let indent else { return }
        out.append("\n")
        for _ in 0..<level { out.append(indent) }
    }
}

extension JSON {
    /// `s` as a JSON string literal, quotes included. Control characters, `"` and `\` are escaped;
    /// everything else (all of Unicode) is written as UTF-8.
    public static func quote(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    /// Works on UTF-8 bytes: every byte escaped is ASCII, and multi-byte characters pass through whole.
    static func appendQuoted(_ s: String, to out: inout String) {
        var s = s
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 2)
        s.withUTF8 { appendQuoted(utf8: $0, to: &bytes) }
        out.append(String(decoding: bytes, as: UTF8.self))
    }

    /// The UTF-8 text `utf8` as a JSON string literal, quotes included, appended to `bytes`.
    public static func appendQuoted(utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in utf8 {
            guard needsEscape(byte) else {
                bytes.append(byte)
                continue
            }
            let escape: UInt8
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): escape = byte
            case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
            case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
            case 0x08: escape = UInt8(ascii: "b")
            case 0x0C: escape = UInt8(ascii: "f")
            default: escape = UInt8(ascii: "u")  // the other control characters
            }
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(escape)
            if escape == UInt8(ascii: "u") {
                // \u00XX, lower-case hex.
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(hexDigit(byte >> 4))
                bytes.append(hexDigit(byte & 0xF))
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether `appendQuoted` writes `byte` as an escape: `"`, `\` and the control characters.
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
