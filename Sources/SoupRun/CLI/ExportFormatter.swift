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
        var out = "'"
        for scalar in value.unicodeScalars {
            if scalar == "'" { out += "'\\''" } else { out.unicodeScalars.append(scalar) }
        }
        return out + "'"
    }

    /// `value` in double quotes with the dotenv escapes described at `format`.
    public static func dotenvQuoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "$": out += "\\$"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func sortedKeys(_ secrets: [String: String]) -> [String] {
        secrets.keys.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
    }
}
