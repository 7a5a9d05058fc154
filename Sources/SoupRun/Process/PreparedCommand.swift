import CSoupProcess
import SoupCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command ready for execve: the resolved file, argv as typed, the environment as
/// `KEY=value` strings. Built by `prepare`, which does the PATH lookup and the limit check.
public struct PreparedCommand: Sendable, Equatable {
    /// The file execve opens (the lookup result).
    public var path: String
    /// The arguments, argv[0] as the user typed it.
    public var argv: [String]
    /// The `KEY=value` strings in one NUL-separated buffer, which `withCArrays` points into.
    private var block: EnvironmentBlock

    /// `KEY=value`, sorted by key (byte order) so runs are reproducible.
    public var environment: [String] { block.strings }

    /// A command with the environment strings in the order given.
    public init(path: String, argv: [String], environment: [String]) {
        self.init(path: path, argv: argv, block: EnvironmentBlock(strings: environment))
    }

    private init(path: String, argv: [String], block: EnvironmentBlock) {
        self.path = path
        self.argv = argv
        self.block = block
    }

    /// Resolves `command[0]` in the PATH of `environment` and checks the kernel's limits.
    public static func prepare(
        command: [String],
        environment: [String: String],
        probe: (String) -> FileKind = ProcessSystem.probe,
        limits: ProcessSystem.Limits = .current
    ) -> Result<PreparedCommand, ExecError> {
        guard let name = command.first else {
            return .failure(.notFound(command: "", searched: .asGiven))
        }
        let path: String
        switch ExecutableLookup.resolve(name, path: environment["PATH"], probe: probe) {
        case .failure(let error): return .failure(error)
        case .success(let found): path = found
        }
        if let problem = ExecLimits.check(
            path: path, argv: command, environment: environment,
            argMax: limits.argMax, pageSize: limits.pageSize
        ) {
            return .failure(.tooLarge(problem))
        }
        return .success(PreparedCommand(path: path, argv: command, block: EnvironmentBlock(sorting: environment)))
    }

    /// The error for an errno execve returned for this command.
    func error(forExecErrno code: Int32, environment: [String: String]) -> ExecError {
        guard code == E2BIG else { return ExecError.fromExec(errno: code, command: argv[0]) }
        // Measure against a zero limit: the sizes and the largest keys, for the message.
        let measured = ExecLimits.check(path: path, argv: argv, environment: environment, argMax: 0, pageSize: nil)
        guard case .totalTooLarge(let bytes, _, let largest)? = measured else {
            return .tooLarge(.refusedByKernel(bytes: 0, largest: []))
        }
        return .tooLarge(.refusedByKernel(bytes: bytes, largest: largest))
    }

    /// Calls `body` with NUL-terminated C arrays for execve; they live only during the call.
    func withCArrays<R>(
        _ body: (
            UnsafePointer<CChar>, UnsafePointer<UnsafeMutablePointer<CChar>?>,
            UnsafePointer<UnsafeMutablePointer<CChar>?>
        ) -> R
    ) -> R {
        let argvC = argv.map { strdup($0) } + [nil]
        defer { argvC.forEach { free($0) } }
        return path.withCString { pathC in
            argvC.withUnsafeBufferPointer { argvBuffer in
                block.withPointers { envp in body(pathC, argvBuffer.baseAddress!, envp) }
            }
        }
    }
}

/// `KEY=value` strings, each ending in NUL, in one buffer, with the offset where each starts: what
/// execve's envp points into. One allocation instead of one per variable, sorted in place.
private struct EnvironmentBlock: Sendable, Equatable {
    var bytes: [UInt8] = []
    var offsets: [Int] = []

    /// The strings of `environment`, sorted by key in byte order.
    init(sorting environment: [String: String]) {
        var entries: [(offset: Int, keyLength: Int)] = []
        entries.reserveCapacity(environment.count)
        for (key, value) in environment {
            entries.append((bytes.count, key.utf8.count))
            append(key)
            bytes.append(UInt8(ascii: "="))
            append(value)
            bytes.append(0)
        }
        bytes.withUnsafeBytes { buffer in
            // Keys compared as bytes: "A" sorts before "A1", whatever follows the "=".
            guard let base = buffer.baseAddress else { return }
            entries.sort { a, b in
                let order = memcmp(base + a.offset, base + b.offset, min(a.keyLength, b.keyLength))
                return order != 0 ? order < 0 : a.keyLength < b.keyLength
            }
        }
        // Laid out again in sorted order, so that equal environments are equal blocks.
        var sorted: [UInt8] = []
        sorted.reserveCapacity(bytes.count)
        offsets.reserveCapacity(entries.count)
        for entry in entries {
            offsets.append(sorted.count)
            let end = bytes[entry.offset...].firstIndex(of: 0)!
            sorted.append(contentsOf: bytes[entry.offset...end])
        }
        bytes = sorted
    }

    /// The given strings in their order.
    init(strings: [String]) {
        for string in strings {
            offsets.append(bytes.count)
            append(string)
            bytes.append(0)
        }
    }

    private mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { bytes.append(contentsOf: $0) }
    }

    var strings: [String] {
        offsets.map { start in
            let end = bytes[start...].firstIndex(of: 0)!
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }

    /// Calls `body` with a NULL-terminated array of pointers to the strings.
    func withPointers<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            // execve's prototype takes `char *const[]`; it does not write through the pointers.
            let base = buffer.baseAddress.map {
                UnsafeMutableRawPointer(mutating: $0).assumingMemoryBound(to: CChar.self)
            }
            let pointers: [UnsafeMutablePointer<CChar>?] =
                (base.map { base in offsets.map { base + $0 } } ?? []) + [nil]
            return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
    }
}
