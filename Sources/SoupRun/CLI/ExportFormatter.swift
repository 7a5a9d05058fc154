import SoupCore

/// `--export` output: the secrets as text another tool reads back to the exact bytes.
/// Keys are sorted (byte order); every format ends each entry with a newline.
public enum ExportFormatter {
    /// Formats `secrets` (keys valid by `SecretKey`, values without NUL, as `SecretsDocument`
    /// guarantees):
    /// - `shell`: `export KEY='value'` lines. Inside single quotes nothing is special to a POSIX
    ///   shell, so only `'` needs care: it is written `'\''` (close, escaped quote, reopen).
    ///   `eval "$s"` of it in sh, dash, bash or zsh restores each value exactly, newlines included.
    /// - `dotenv`: `KEY="value"` lines, the double-quoted dialect of godotenv and Docker Compose:
    ///   `\\`, `\"`, `\n` (line feed), `\r` (carriage return) and `\$` are the escapes; every other
    ///   character, tabs and Unicode included, stands for itself. `$` is escaped so that readers
    ///   that expand `${VAR}` leave values alone.
    /// - `json`: one compact object `{"KEY":"value",...}` and a newline.
    /// - `fish`: `set -gx KEY 'value'` lines. fish's single quotes are not POSIX ones: `\\` and
    ///   `\'` are escapes inside them, so both are written escaped and everything else literally.
    ///
    /// The keys are sorted in byte order (the exec path's sort, `EnvironmentBlock`), and the text
    /// is written as bytes: no String per key or value.
    public static func format(_ secrets: [String: String], as format: Configuration.ExportFormat) -> String {
        var text = ""
        _ = write(SecretSet(secrets), as: format) { chunk in
            text += chunk
            return true
        }
        return text
    }

    /// Bytes of output collected before `write` hands them on: large enough that a million
    /// secrets are a few hundred writes, small enough that the output is never held whole.
    public static let chunkBytes = 64 * 1024

    /// `format` of `secrets`, handed to `output` in chunks of whole entries (each about
    /// `chunkBytes`, a long value's more), so the text is never held whole (`--export` of a huge
    /// body). Stops at the first chunk `output` refuses; returns whether every chunk was taken.
    public static func write(
        _ secrets: SecretSet, as format: Configuration.ExportFormat, chunkBytes: Int = chunkBytes,
        to output: (String) -> Bool
    ) -> Bool {
        var out: [UInt8] = []
        out.reserveCapacity(min(secrets.byteCount + secrets.count * 16 + 4, chunkBytes * 2))
        var written = true
        var calls = 0
        // After a whole entry only: a chunk never ends inside a UTF-8 sequence. The last is
        // handed on even when empty, so an empty export still finds a closed output.
        func flush(atLeast bytes: Int) {
            guard written, out.count >= bytes, !out.isEmpty || calls == 0 else { return }
            written = output(String(decoding: out, as: UTF8.self))
            calls += 1
            out.removeAll(keepingCapacity: true)
        }
        switch format {
        case .json:
            out.append(UInt8(ascii: "{"))
            var first = true
            secrets.forEachBytes { key, value in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSON.appendQuoted(utf8: key, to: &out)
                out.append(UInt8(ascii: ":"))
                JSON.appendQuoted(utf8: value, to: &out)
                flush(atLeast: chunkBytes)
            }
            out.append(contentsOf: "}\n".utf8)
        case .shell:
            secrets.forEachBytes { key, value in
                line(&out, "export ", key, "=", value, quote: UInt8(ascii: "'"), replacement: shellReplacement)
                flush(atLeast: chunkBytes)
            }
        case .dotenv:
            secrets.forEachBytes { key, value in
                line(&out, "", key, "=", value, quote: UInt8(ascii: "\""), replacement: dotenvReplacement)
                flush(atLeast: chunkBytes)
            }
        case .fish:
            secrets.forEachBytes { key, value in
                line(&out, "set -gx ", key, " ", value, quote: UInt8(ascii: "'"), replacement: fishReplacement)
                flush(atLeast: chunkBytes)
            }
        }
        flush(atLeast: 0)
        return written
    }

    /// `value` in single quotes for a POSIX shell.
    public static func shellQuoted(_ value: String) -> String { quoted(value, UInt8(ascii: "'"), shellReplacement) }

    /// `value` in double quotes with the dotenv escapes described at `format`.
    public static func dotenvQuoted(_ value: String) -> String { quoted(value, UInt8(ascii: "\""), dotenvReplacement) }

    /// `value` in single quotes for fish.
    public static func fishQuoted(_ value: String) -> String { quoted(value, UInt8(ascii: "'"), fishReplacement) }

    // Each returns what a byte is written as, or nil when it stands for itself. Every byte
    // replaced is ASCII, and no byte of a multi-byte UTF-8 character is, so characters pass whole.
    private static func shellReplacement(_ byte: UInt8) -> StaticString? {
        byte == UInt8(ascii: "'") ? "'\\''" : nil
    }

    private static func dotenvReplacement(_ byte: UInt8) -> StaticString? {
        switch byte {
        case UInt8(ascii: "\\"): return "\\\\"
        case UInt8(ascii: "\""): return "\\\""
        case UInt8(ascii: "\n"): return "\\n"
        case UInt8(ascii: "\r"): return "\\r"
        case UInt8(ascii: "$"): return "\\$"
        default: return nil
        }
    }

    private static func fishReplacement(_ byte: UInt8) -> StaticString? {
        switch byte {
        case UInt8(ascii: "\\"): return "\\\\"
        case UInt8(ascii: "'"): return "\\'"
        default: return nil
        }
    }

    /// `prefix KEY separator <quoted value>\n`.
    private static func line(
        _ out: inout [UInt8], _ prefix: StaticString, _ key: UnsafeBufferPointer<UInt8>, _ separator: StaticString,
        _ value: UnsafeBufferPointer<UInt8>, quote: UInt8, replacement: (UInt8) -> StaticString?
    ) {
        prefix.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: key)
        separator.withUTF8Buffer { out.append(contentsOf: $0) }
        appendQuoted(value, quote: quote, replacement: replacement, to: &out)
        out.append(UInt8(ascii: "\n"))
    }

    private static func quoted(_ value: String, _ quote: UInt8, _ replacement: (UInt8) -> StaticString?) -> String {
        var value = value
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 2)
        value.withUTF8 { appendQuoted($0, quote: quote, replacement: replacement, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` between two `quote`s, each byte replaced by `replacement(byte)` when that is not nil.
    private static func appendQuoted(
        _ value: UnsafeBufferPointer<UInt8>, quote: UInt8, replacement: (UInt8) -> StaticString?,
        to out: inout [UInt8]
    ) {
        out.append(quote)
        for byte in value {
            if let text = replacement(byte) {
                text.withUTF8Buffer { out.append(contentsOf: $0) }
            } else {
                out.append(byte)
            }
        }
        out.append(quote)
    }
}

extension Configuration.ExportFormat {
    /// The format `--export` uses without `--format`.
    public static let `default`: Self = .shell

    /// `shell, dotenv, json or fish`: for error messages.
    public static var spelledOut: String { OptionValues.alternatives(allCases.map(\.rawValue)) }

    /// `shell|dotenv|json|fish`: for usage lines.
    public static var alternatives: String { allCases.map(\.rawValue).joined(separator: "|") }

    /// `shell (default), dotenv, json or fish`: for the option's summary.
    public static var withDefault: String {
        OptionValues.alternatives(allCases.map { $0 == .default ? "\($0.rawValue) (default)" : $0.rawValue })
    }
}
