import SoupCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system side of the command's files: chooses and makes the private directory, writes each file
/// crash-safely (`DurableFile.replace`: 0600, `O_EXCL` temporary name, fsync, rename over the
/// destination) and removes everything it wrote, and the directory, when the supervisor ends.
/// Used from the supervisor's one thread only.
final class ChildFileStore {
    /// Every path written so far, in order (removed at the end).
    private(set) var written: [String] = []
    /// The private directory made for `--file KEY` without a path, if any.
    private(set) var privateDirectory: String?

    /// Whether the private directory has been made (by the first `write`).
    private var madePrivateDirectory = false

    /// Chooses the private directory: a fresh random name in the first of
    /// `PrivateDirectory.candidates(environment)` that is a writable directory. It is made (0700)
    /// by the first `write`, so nothing exists on disk before the supervisor's signal handlers do.
    func choosePrivateDirectory(environment: [String: String]) throws(SecretFilesError) -> String {
        let candidates = PrivateDirectory.candidates(environment)
        guard let base = candidates.first(where: Self.isWritableDirectory) else {
            throw .cannotWrite(
                path: "a private directory", detail: "none of \(candidates.joined(separator: ", ")) is writable")
        }
        let path = base + "/" + PrivateDirectory.freshName()
        privateDirectory = path
        return path
    }

    private static func isWritableDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR && access(path, W_OK | X_OK) == 0
    }

    /// Makes the private directory, once. `EEXIST` is a failure: a directory someone else made
    /// (in a shared `/tmp`) is never used.
    private func makePrivateDirectory() -> SecretFilesError? {
        guard let directory = privateDirectory, !madePrivateDirectory else { return nil }
        guard mkdir(directory, 0o700) == 0 else {
            return .cannotWrite(path: directory, detail: String(cString: strerror(errno)))
        }
        madePrivateDirectory = true
        chmod(directory, 0o700)  // exactly 0700 whatever the umask
        return nil
    }

    /// Writes `files` in order; stops at the first that fails and describes it.
    func write(_ files: [ChildFile]) -> SecretFilesError? {
        if let failure = makePrivateDirectory() { return failure }
        for file in files {
            do {
                try DurableFile.replace(file.path, with: file.bytes, mode: 0o600)
            } catch {
                return .cannotWrite(path: file.path, detail: Self.reason(error, destination: file.path))
            }
            if !written.contains(file.path) { written.append(file.path) }
        }
        return nil
    }

    /// Removes every file written and the private directory. Returns the paths that could not be
    /// removed (already gone counts as removed).
    @discardableResult
    func removeAll() -> [String] {
        var failed: [String] = []
        for path in written where unlink(path) != 0 && errno != ENOENT { failed.append(path) }
        written = []
        if let directory = privateDirectory, madePrivateDirectory, rmdir(directory) != 0, errno != ENOENT {
            failed.append(directory)
        }
        privateDirectory = nil
        madePrivateDirectory = false
        return failed
    }

    /// The reason for a person, naming the destination's directory where that is what is wrong.
    static func reason(_ error: FileError, destination: String) -> String {
        let directory = DurableFile.directoryName(of: destination)
        switch (error.operation, error.errno) {
        case ("replace", EISDIR), ("rename onto", EISDIR): return "it is a directory"
        case ("create", ENOENT): return "the directory \(directory) does not exist"
        case ("create", ENOTDIR): return "\(directory) is not a directory"
        case ("create", EACCES), ("create", EPERM), ("create", EROFS):
            return "the directory \(directory) is not writable (\(String(cString: strerror(error.errno))))"
        default: return error.description
        }
    }
}

/// Where `--file KEY` without a path puts its files: a fresh directory on a memory-backed file
/// system when there is one, so secrets do not reach a disk.
enum PrivateDirectory {
    /// `$XDG_RUNTIME_DIR` (a per-user tmpfs under systemd), then `/dev/shm` (tmpfs on Linux),
    /// then `$TMPDIR`, then `/tmp`; only absolute paths, each once.
    static func candidates(_ environment: [String: String]) -> [String] {
        var list: [String] = []
        for candidate in [environment["XDG_RUNTIME_DIR"], "/dev/shm", environment["TMPDIR"], "/tmp"] {
            guard let path = candidate, path.hasPrefix("/") else { continue }
            let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            if !list.contains(trimmed) { list.append(trimmed) }
        }
        return list
    }

    /// `soup-run.` and 16 random letters and digits (from the system's random source).
    static func freshName() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "soup-run." + String((0..<16).map { _ in alphabet.randomElement()! })
    }
}
