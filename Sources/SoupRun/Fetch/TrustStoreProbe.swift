#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension TrustStore.Probe {
    /// The file system as it is: `stat` and a directory read that stops at the first hashed entry.
    public static let live = TrustStore.Probe(
        isFile: { kind(of: $0) == S_IFREG },
        isDirectory: { kind(of: $0) == S_IFDIR },
        hasHashedCA: { directory in
            guard let dir = opendir(directory) else { return false }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let matches = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    TrustStore.Probe.isHashedName(raw.prefix { $0 != 0 })
                }
                if matches { return true }
            }
            return false
        }
    )

    /// `S_IFREG`, `S_IFDIR`, ... of what `path` names after symlinks, or nil when it is not there.
    private static func kind(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    /// OpenSSL's name for a CA in a hashed directory: eight hex digits, a dot, a number
    /// (`5ad8a5d6.0`). CRLs (`.r0`) do not count.
    static func isHashedName<Name: Collection>(_ name: Name) -> Bool where Name.Element == UInt8 {
        let bytes = Array(name)
        guard bytes.count >= 10, bytes[8] == UInt8(ascii: ".") else { return false }
        let hex = bytes[0..<8].allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
        let number = bytes[9...].allSatisfy { $0 >= 48 && $0 <= 57 }
        return hex && number
    }
}
