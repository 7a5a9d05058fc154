/// Turns a `Configuration.TokenSource` into the token. The file is read through a closure, so
/// this stays pure; errors name the flag, variable or path, never the token or the file's content.
public enum TokenLoader {
    /// Token files larger than this are refused: a token is short, a large file is a mistake.
    public static let maxFileBytes = 64 * 1024

    /// Reads the token from `source`. A file's trailing line breaks (`\n`, `\r\n`) are trimmed;
    /// an empty file, or one with a NUL, an inner line break, another control character or
    /// invalid UTF-8 is refused, as is a file that `readFile` cannot read (its error's
    /// description is shown, so it must not hold content).
    public static func load(
        _ source: Configuration.TokenSource, readFile: (String) throws -> [UInt8]
    ) throws(ConfigurationError) -> Secret {
        switch source {
        case .literal(let secret):
            if let problem = problem(in: secret.value) {
                throw ConfigurationError(.invalidToken(source: "--token or SOUP_TOKEN", problem: problem))
            }
            return secret
        case .file(let path):
            let bytes: [UInt8]
            do {
                bytes = try readFile(path)
            } catch {
                throw ConfigurationError(.unreadableTokenFile(path: path, detail: "\(error)"))
            }
            return try token(fromFile: bytes, path: path)
        }
    }

    /// A warning when the token file can be read by its group or by others (mode bits 0o044),
    /// or nil. Kubernetes mounts secrets 0644 unless `defaultMode` says otherwise.
    public static func permissionWarning(path: String, permissions: UInt32) -> String? {
        guard permissions & 0o044 != 0 else { return nil }
        let mode = "0" + String(permissions & 0o777, radix: 8)
        return "the token file \(path) is readable by its group or by others (mode \(mode)); "
            + "make it readable by its owner only (chmod 600, or defaultMode: 0400 in Kubernetes)"
    }

    /// The token in a file's bytes (see `load`).
    static func token(fromFile bytes: [UInt8], path: String) throws(ConfigurationError) -> Secret {
        if bytes.count > maxFileBytes {
            throw ConfigurationError(.invalidTokenFile(path: path, problem: "is larger than 64 KiB"))
        }
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let trimmed = bytes[..<end]
        if trimmed.isEmpty { throw ConfigurationError(.invalidTokenFile(path: path, problem: "is empty")) }
        // Decoding replaces invalid sequences, so a round trip that changes the bytes means
        // invalid UTF-8 (String(validating:) needs macOS 15; this builds for macOS 13).
        let text = String(decoding: trimmed, as: UTF8.self)
        guard text.utf8.elementsEqual(trimmed) else {
            throw ConfigurationError(.invalidTokenFile(path: path, problem: "is not valid UTF-8"))
        }
        if let problem = problem(in: text) {
            throw ConfigurationError(.invalidTokenFile(path: path, problem: problem))
        }
        return Secret(text)
    }

    /// Why `token` cannot be sent in an `Authorization` header, or nil if it can: it must not be
    /// empty nor contain a NUL, a line break or another control character.
    public static func problem(in token: String) -> String? {
        if token.isEmpty { return "is empty" }
        for scalar in token.unicodeScalars {
            switch scalar.value {
            case 0: return "contains a NUL byte"
            case 0x0A, 0x0D: return "contains a line break inside the token"
            case 0..<0x20, 0x7F: return "contains a control character"
            default: continue
            }
        }
        return nil
    }
}
