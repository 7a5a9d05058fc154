import SoupRun
import Testing

/// Shorthands for parser tests: parse expecting success, or expecting a failure.
enum Parse {
    /// A token used only in token positions: no message may ever contain it.
    static let token = "tok-SECRET-7f3a"
    static let env = ["SOUP_TOKEN": token]

    /// The configuration `arguments` produce; records an issue and throws when they do not.
    static func configuration(
        _ arguments: [String], environment: [String: String] = env, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Configuration {
        let invocation = try CommandLineParser.parse(arguments, environment: environment)
        guard case .run(let configuration) = invocation else {
            Issue.record("expected a run invocation, got \(invocation)", sourceLocation: sourceLocation)
            throw Unexpected()
        }
        return configuration
    }

    /// The failure `arguments` produce, or nil (with an issue recorded) when they parse.
    static func failure(
        _ arguments: [String], environment: [String: String] = env, sourceLocation: SourceLocation = #_sourceLocation
    ) -> ParseFailure? {
        do {
            let invocation = try CommandLineParser.parse(arguments, environment: environment)
            Issue.record("expected a failure, got \(invocation)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// The configuration `soup-run p e cmd` yields with the default token; tests mutate a copy.
    static func base(command: [String] = ["cmd"]) -> Configuration {
        Configuration(project: "p", environment: "e", mode: .run(command: command), token: .literal(Secret(token)))
    }

    struct Unexpected: Error {}
}
