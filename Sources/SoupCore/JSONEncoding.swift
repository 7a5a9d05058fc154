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
            let names = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
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

    static func appendQuoted(_ s: String, to out: inout String) {
        out.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16, uppercase: false)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }
}
