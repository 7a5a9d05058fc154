import SoupRun
import Testing

/// The parser's main paths: the three run forms, export, and the immediate options.
@Suite struct ParserBasicsTests {
    let env = ["SOUP_TOKEN": "tok-123"]

    @Test func runWithOperandsAndCommand() throws {
        let invocation = try CommandLineParser.parse(["my-app", "prod", "node", "server.js"], environment: env)
        var expected = Configuration(
            project: "my-app", environment: "prod", mode: .run(command: ["node", "server.js"]),
            token: .literal(Secret("tok-123")))
        expected.apiURL = "https://api.soup.dev/api/v1"
        #expect(invocation == .run(expected))
    }

    @Test func immediateOptions() throws {
        #expect(try CommandLineParser.parse(["--help"], environment: [:]) == .help)
        #expect(try CommandLineParser.parse(["-h"], environment: [:]) == .help)
        #expect(try CommandLineParser.parse(["--version"], environment: [:]) == .version)
        #expect(try CommandLineParser.parse(["--completions", "zsh"], environment: [:]) == .completions(.zsh))
    }
}
