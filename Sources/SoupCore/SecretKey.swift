/// The key rule of the Secrets API: `^[A-Z][A-Z0-9_]{0,254}$`.
public enum SecretKey {
    public static let maxLength = 255
    public static let rule = "keys start with a letter A-Z and contain only A-Z, 0-9 and _, 1-255 characters"

    /// Inlinable so that callers get a loop over their own string type's bytes, not a generic call
    /// per key (soup-run checks every key of every response).
    @inlinable
    public static func isValid(_ key: some StringProtocol) -> Bool {
        var count = 0
        for byte in key.utf8 {
            let upper = byte >= 0x41 && byte <= 0x5A
            guard upper || (count > 0 && ((byte >= 0x30 && byte <= 0x39) || byte == 0x5F)) else { return false }
            count += 1
            if count > maxLength { return false }
        }
        return count > 0
    }
}
