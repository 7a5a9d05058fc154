#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

import SoupCore

/// The exclusive lock a server holds on its state file for as long as it runs, so a second
/// server on the same file refuses to start instead of losing the first one's acknowledged writes.
///
/// The lock is an `flock` on a file next to the state file (`.<name>.lock`, beside the symbolic
/// link's target): the state file itself is replaced on every write, so a lock on it would be
/// lost with its old inode. The holder writes its pid there for the message. The kernel drops the
/// lock when the process ends, however it ends; the lock file stays (removing it would race).
public final class StateLock: Sendable {
    /// The lock file.
    public let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// The lock file for the state file at `statePath`.
    public static func lockPath(for statePath: String) throws(FileError) -> String {
        let target = try DurableFile.resolvedTarget(of: statePath)
        return "\(DurableFile.directoryName(of: target))/.\(DurableFile.baseName(of: target)).lock"
    }

    /// Takes the lock, without waiting.
    /// - Throws: `.locked` naming the lock file and the holder's pid when another process holds it;
    ///   `.cannotCreate` when the lock file cannot be opened.
    public static func acquire(for statePath: String) throws(StoreError) -> StateLock {
        let path: String
        do {
            path = try lockPath(for: statePath)
        } catch {
            throw .cannotCreate(error)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .cannotCreate(FileError(operation: "open the lock file", path: path, errno: errno)) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = code == EWOULDBLOCK ? holderPID(fd) : nil
            close(fd)
            if code == EWOULDBLOCK { throw .locked(statePath: statePath, lockPath: path, holder: holder) }
            throw .cannotCreate(FileError(operation: "lock", path: path, errno: code))
        }
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
        return StateLock(path: path, fd: fd)
    }

    /// The pid the holder wrote, if it is readable.
    private static func holderPID(_ fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).filter { $0 != "\n" })
    }
}
