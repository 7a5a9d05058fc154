/// Writes soup-run's own messages to stderr, prefixed `soup-run:`, filtered by verbosity.
/// stdout belongs to the command, so nothing here ever writes there.
/// Callers pass messages that name keys, flags and status codes: never a value or a token.
public struct Logger: Sendable {
    public let verbosity: Configuration.Verbosity
    private let sink: @Sendable (String) -> Void

    /// - Parameter sink: receives each whole line, newline included (stderr in the binary; a
    ///   buffer in tests).
    public init(verbosity: Configuration.Verbosity, sink: @escaping @Sendable (String) -> Void) {
        self.verbosity = verbosity
        self.sink = sink
    }

    /// Errors are printed at every verbosity.
    public func error(_ message: String) { sink("soup-run: error: \(message)\n") }
    /// Warnings and notices are silenced by `-q`.
    public func warning(_ message: String) {
        if verbosity >= .normal { sink("soup-run: warning: \(message)\n") }
    }
    public func info(_ message: String) {
        if verbosity >= .normal { sink("soup-run: \(message)\n") }
    }
    /// Only with `-v`. The message is built only then: `--watch` logs every poll this way, and
    /// building the text it does not print would cost more than the idle poll itself.
    public func debug(_ message: @autoclosure () -> String) {
        if verbosity >= .verbose { sink("soup-run: \(message())\n") }
    }

    /// The same logger, passing on only the lines `keep` accepts (whole lines, prefix included).
    func filtered(_ keep: @escaping @Sendable (String) -> Bool) -> Logger {
        let sink = self.sink
        return Logger(verbosity: verbosity) { line in if keep(line) { sink(line) } }
    }
}
