#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `stat` says about a file, enough to tell that it changed: `--watch` re-reads an env file
/// or the token file only when its stamp differs. The inode and device count too, so a file replaced by rename
/// (how editors and `DurableFile` save) is seen even when size and time happen to match.
public struct FileStamp: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modifiedSeconds: Int64
    public var modifiedNanoseconds: Int64
    /// The permission bits (`0o600`): a token file readable by others is warned about.
    public var permissions: UInt32

    public init(
        device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int64, modifiedNanoseconds: Int64,
        permissions: UInt32 = 0
    ) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
        self.permissions = permissions
    }
}

extension Platform {
    /// The stamp of the file at `path` (symbolic links followed), or nil when there is no such
    /// file (`ENOENT`, `ENOTDIR`). Other failures (a permission denied on a directory) throw.
    public static func fileStamp(_ path: String) throws(FileError) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw FileError(path: path, reason: String(cString: strerror(code)))
        }
        #if canImport(Darwin)
            let modified = info.st_mtimespec
        #else
            let modified = info.st_mtim
        #endif
        return FileStamp(
            device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino),
            size: Int64(info.st_size),
            modifiedSeconds: Int64(modified.tv_sec), modifiedNanoseconds: Int64(modified.tv_nsec),
            permissions: UInt32(info.st_mode & 0o7777))
    }
}
