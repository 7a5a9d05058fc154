import SoupCore

/// `--export` output: the secrets as text another tool reads back to the exact bytes.
/// Keys are sorted (byte order); every format ends each entry with a newline.
public enum ExportFormatter {
    /// Formats `secrets` (keys valid by `SecretKey`, values without NUL, as `SecretsDocument`
    /// guarantees):
    /// - `shell`: `export KEY='value'` lines. Inside single quotes nothing is special to a POSIX
    ///   shell, so only `'` needs care: it is written `'\''` (close, escaped quote, reopen).
    ///   `eval "$(soup-run ... --export)"` in sh, dash, bash or zsh restores each value exactly,
    ///   newlines included.
    /// - `dotenv`: `KEY="value"` lines, the double-quoted dialect of godotenv and Docker Compose:
    ///   `\\`, `\"`, `\n` (line feed), `\r` (carriage return) and `\$` are the escapes; every other
    ///   character, tabs and Unicode included, stands for itself. `$` is escaped so that readers
    ///   that expand `${VAR}` leave values alone.
    /// - `json`: one compact object `{"KEY":"value",...}` and a newline.
    public static func format(_ secrets: [String: String], as format: Configuration.ExportFormat) -> String {
        switch format {
        case .json:
            return JSONValue.object(secrets.mapValues(JSONValue.string)).encoded() + "\n"
        case .shell:
            return sortedKeys(secrets).map { "export \($0)=\(shellQuoted(secrets[$0]!))\n" }.joined()
        case .dotenv:
            return sortedKeys(secrets).map { "\($0)=\(dotenvQuoted(secrets[$0]!))\n" }.joined()
        }
    }

    /// `value` in single quotes for a POSIX shell.
    public static func shellQuoted(_ value: String) -> String {
        escaped(value, open: UInt8(ascii: "'"), close: UInt8(ascii: "'")) { byte in
            byte == UInt8(ascii: "'") ? "'\\''" : nil
        }
    }

    /// `value` in double quotes with the dotenv escapes described at `format`.
    public static func dotenvQuoted(_ value: String) -> String {
        escaped(value, open: UInt8(ascii: "\""), close: UInt8(ascii: "\"")) { byte in
            switch byte {
            case UInt8(ascii: "\\"): return "\\\\"
            case UInt8(ascii: "\""): return "\\\""
            case UInt8(ascii: "\n"): return "\\n"
            case UInt8(ascii: "\r"): return "\\r"
            case UInt8(ascii: "$"): return "\\$"
            default: return nil
            }
        }
    }

    /// `value` between `open` and `close`, each byte replaced by `replacement(byte)` when that is
    /// not nil. Works on UTF-8 bytes: every byte replaced is ASCII, and no byte of a multi-byte
    /// character is, so characters pass through whole.
    private static func escaped(
        _ value: String, open: UInt8, close: UInt8, replacement: (UInt8) -> StaticString?
    ) -> String {
        var out: [UInt8] = [open]
        out.reserveCapacity(value.utf8.count + 2)
        for byte in value.utf8 {
            if let text = replacement(byte) {
                text.withUTF8Buffer { out.append(contentsOf: $0) }
            } else {
                out.append(byte)
            }
        }
        out.append(close)
        return String(decoding: out, as: UTF8.self)
    }

    private static func sortedKeys(_ secrets: [String: String]) -> [String] {
        ByteOrder.sorted(secrets.keys)
    }
}
