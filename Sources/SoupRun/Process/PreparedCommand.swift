import CSoupProcess

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
    /// `KEY=value`, sorted by key so runs are reproducible.
    public var environment: [String]

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
        let strings = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return .success(PreparedCommand(path: path, argv: command, environment: strings))
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
        let envC = environment.map { strdup($0) } + [nil]
        defer {
            argvC.forEach { free($0) }
            envC.forEach { free($0) }
        }
        return path.withCString { pathC in
            argvC.withUnsafeBufferPointer { argvBuffer in
                envC.withUnsafeBufferPointer { envBuffer in
                    body(pathC, argvBuffer.baseAddress!, envBuffer.baseAddress!)
                }
            }
        }
    }
}
