/// The key rule of the Secrets API: `^[A-Z][A-Z0-9_]{0,254}$`.
public enum SecretKey {
    public static let maxLength = 255
    public static let rule = "keys start with a letter A-Z and contain only A-Z, 0-9 and _, 1-255 characters"

    public static func isValid(_ key: some StringProtocol) -> Bool {
        let utf8 = key.utf8
        guard let first = utf8.first, utf8.count <= maxLength, first >= 0x41 && first <= 0x5A else { return false }
        return utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}
