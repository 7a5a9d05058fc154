#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed file operation: what was being done, on which path, and the system's reason.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let reason = errno == 0 ? "file too large" : String(cString: strerror(errno))
        return "cannot \(operation) \(path): \(reason)"
    }
}

/// Whole-file reads and crash-safe whole-file replacement (the dev server's state file; soup-run's
/// files), shared by client and server.
public enum DurableFile {
    /// Makes temporary names unique within the process, whichever store writes.
    private static let temporaryCounter = Locked(0)

    /// Files larger than this are refused rather than read into memory.
    public static let maxSize = 64 << 20

    /// The file's bytes, or nil when it does not exist.
    public static func read(_ path: String) throws(FileError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw FileError(operation: "open", path: path, errno: code)
        }
        defer { close(fd) }
        // A buffer of the file's size (plus one byte, so the end is seen in the same read), not
        // zeroed: a small file costs no more than it holds.
        var info = stat()
        let size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: min(max(size + 1, 4096), 64 * 1024), alignment: 1)
        defer { chunk.deallocate() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(size, maxSize + 1))
        while true {
            let n = systemRead(fd, chunk.baseAddress, chunk.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            if bytes.count > maxSize { throw FileError(operation: "read", path: path, errno: 0) }
        }
    }

    /// Replaces the file at `path` with `bytes` so that a crash at any moment leaves either the
    /// old or the new content, and a return means the new content is on disk.
    ///
    /// Writes a temporary file in the same directory, created with `O_EXCL` (a name that exists,
    /// or a symlink planted there, is never written through: the next name is tried) and `mode`
    /// (0600 by default: the files hold tokens and secrets), fsyncs it, renames it over `path`
    /// (atomic within one file system: a reader sees the old or the new file, never a part),
    /// then fsyncs the directory so the rename itself survives a power loss. A directory at
    /// `path` is refused (`EISDIR`) before anything is created. A crash leaves at most the
    /// temporary file: see `removeStaleTemporaries`. A symbolic link at `path` is replaced, not
    /// followed (see `replaceKeeping`).
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o600) throws(FileError) {
        try replace(path, with: bytes, mode: mode, owner: nil)
    }

    /// `replace`, giving the new file `owner` (uid, gid) when one is given (best effort).
    private static func replace(_ path: String, with bytes: [UInt8], mode: mode_t, owner: (uid_t, gid_t)?)
        throws(FileError)
    {
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw FileError(operation: "replace", path: path, errno: EISDIR)
        }
        let directory = directoryName(of: path)
        var temporary = ""
        var fd: Int32 = -1
        // Bounded: only a name taken by someone else between our unlink and open is retried.
        for _ in 0..<16 {
            let sequence = temporaryCounter.withLock { counter -> Int in
                counter += 1
                return counter
            }
            temporary = "\(directory)/\(temporaryPrefix(of: path))\(getpid())-\(sequence)"
            unlink(temporary)  // a stale one of ours, left by a crash of an earlier process with our pid
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw FileError(operation: "create", path: temporary, errno: errno) }
        // The umask applies to open's mode: set the bits asked for exactly.
        _ = fchmod(fd, mode)
        if let owner { _ = fchown(fd, owner.0, owner.1) }
        do throws(FileError) {
            try writeAll(fd, bytes, path: temporary)
            guard fsync(fd) == 0 else { throw FileError(operation: "fsync", path: temporary, errno: errno) }
            guard close(fd) == 0 else { throw FileError(operation: "close", path: temporary, errno: errno) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileError(operation: "rename onto", path: path, errno: code)
        }
        try syncDirectory(directory)
    }

    /// Removes the file at `path` durably (the directory is fsynced, so the removal survives a
    /// power loss). Returns false when there was no file.
    @discardableResult
    public static func remove(_ path: String) throws(FileError) -> Bool {
        guard unlink(path) == 0 else {
            if errno == ENOENT { return false }
            throw FileError(operation: "remove", path: path, errno: errno)
        }
        try syncDirectory(directoryName(of: path))
        return true
    }

    /// fsyncs `directory`, so a rename or unlink in it survives a power loss.
    private static func syncDirectory(_ directory: String) throws(FileError) {
        let dirFD = open(directory, O_RDONLY | O_CLOEXEC)
        guard dirFD >= 0 else { throw FileError(operation: "open directory", path: directory, errno: errno) }
        defer { close(dirFD) }
        // Some file systems cannot fsync a directory (EINVAL); the change is then as durable as they allow.
        if fsync(dirFD) != 0 && errno != EINVAL {
            throw FileError(operation: "fsync directory", path: directory, errno: errno)
        }
    }

    /// Removes the temporary files `replace` leaves when killed mid-write (`.<name>.tmp-*` next to
    /// the target of `path`): each is a full copy of the content. Without `olderThan`, only safe
    /// while no other process writes the same file (the caller holds a lock on it); with it, only
    /// files last modified more than that many seconds ago are removed (a writer that shares the
    /// file without a lock finishes a write in well under that). Returns the paths removed.
    public static func removeStaleTemporaries(of path: String, olderThan age: Int? = nil) throws(FileError)
        -> [String]
    {
        let target = try resolvedTarget(of: path)
        let directory = directoryName(of: target)
        let prefix = temporaryPrefix(of: target)
        guard let stream = opendir(directory) else {
            throw FileError(operation: "list directory", path: directory, errno: errno)
        }
        defer { closedir(stream) }
        var removed: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(prefix) else { continue }
            let stale = "\(directory)/\(name)"
            if let age {
                var info = stat()
                guard lstat(stale, &info) == 0 else { continue }
                #if canImport(Darwin)
                    let modified = Int(info.st_mtimespec.tv_sec)
                #else
                    let modified = Int(info.st_mtim.tv_sec)
                #endif
                guard Int(time(nil)) - modified > age else { continue }
            }
            if unlink(stale) == 0 { removed.append(stale) }
        }
        return removed
    }

    /// The file a path finally names: symbolic links followed (relative targets from the link's
    /// directory), at most 40 of them as the kernel allows. A missing final file is fine (it is
    /// to be created); a loop is ELOOP.
    public static func resolvedTarget(of path: String) throws(FileError) -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else { throw FileError(operation: "read link", path: current, errno: errno) }
            let link = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : "\(directoryName(of: current))/\(link)"
        }
        throw FileError(operation: "follow links of", path: path, errno: ELOOP)
    }

    /// `.<name>.tmp-`: how the temporary files of `target` begin.
    static func temporaryPrefix(of target: String) -> String { ".\(baseName(of: target)).tmp-" }

    /// `replace`, for a file someone else may have set up (the dev server's `--data`): a symbolic
    /// link at `path` is written through (its target is replaced, the link stays), and the new
    /// file keeps the mode and owner of the one it replaces (an owner this process may not give,
    /// not being root, is left as ours: the content still must be saved); a new file gets 0600.
    public static func replaceKeeping(_ path: String, with bytes: [UInt8]) throws(FileError) {
        let target = try resolvedTarget(of: path)
        var info = stat()
        guard stat(target, &info) == 0 else { return try replace(target, with: bytes) }
        let owner = info.st_uid != geteuid() || info.st_gid != getegid() ? (info.st_uid, info.st_gid) : nil
        try replace(target, with: bytes, mode: info.st_mode & 0o7777, owner: owner)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(FileError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "write", path: path, errno: errno)
            }
            offset += n
        }
    }

    public static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = path[..<slash]
        return dir.isEmpty ? "/" : String(dir)
    }

    public static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

// `read` and `write` are shadowed inside types that have members of those names.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
