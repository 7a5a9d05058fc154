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
    /// - Parameter undecodable: inherited entries that are not valid UTF-8 (from
    ///   `Platform.undecodableEnvironment()`); a variable whose final value is still the one
    ///   inherited gets its original bytes instead of the repaired text.
    public static func prepare(
        command: [String],
        environment: [String: String],
        undecodable: [String: RawEnvironmentEntry] = [:],
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
        let block = EnvironmentBlock(sorting: environment, undecodable: undecodable)
        return .success(PreparedCommand(path: path, argv: command, block: block))
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

/// An inherited `NAME=value` entry that is not well-formed UTF-8, kept byte for byte: `value` is
/// what soup-run works with (invalid sequences as U+FFFD), `bytes` what it inherited.
public struct RawEnvironmentEntry: Sendable, Equatable {
    public var value: String
    public var bytes: [UInt8]
    public init(value: String, bytes: [UInt8]) {
        self.value = value
        self.bytes = bytes
    }
}
