import SoupRun
import Testing

/// The word grammar: operands, where the command starts, `--`, operands from the environment,
/// export mode, and the options that act at once.
@Suite struct ParserGrammarTests {
    @Test func operandsThenCommand() throws {
        let c = try Parse.configuration(["my-app", "prod", "node", "server.js"])
        var expected = Parse.base(command: ["node", "server.js"])
        expected.project = "my-app"
        expected.environment = "prod"
        #expect(c == expected)
        #expect(c.apiURL == "https://api.soup.dev/api/v1")
        #expect(c.timeout == 10 && c.retries == 3 && c.resolve && c.watch == nil && c.verbosity == .normal)
    }

    /// After the command's first word everything is the command's, even flags soup-run knows.
    @Test(arguments: [
        (["p", "e", "cmd", "--watch", "-v", "--", "x"], ["cmd", "--watch", "-v", "--", "x"]),
        (["p", "e", "--", "cmd", "--token", "t"], ["cmd", "--token", "t"]),
        (["p", "e", "--", "-weird", "--help"], ["-weird", "--help"]),
        (["p", "e", "--", "--"], ["--"]),
        (["p", "e", "-", "x"], ["-", "x"]),
        (["p", "e", "cmd", ""], ["cmd", ""]),
        (["p", "e", "sh", "-c", "echo \"$X\" 'y'"], ["sh", "-c", "echo \"$X\" 'y'"]),
    ])
    func commandIsVerbatim(arguments: [String], command: [String]) throws {
        #expect(try Parse.configuration(arguments).mode == .run(command: command))
    }

    /// Options may come before, between or after the operands, as long as before the command.
    @Test(arguments: [
        ["--watch", "p", "e", "cmd"],
        ["p", "--watch", "e", "cmd"],
        ["p", "e", "--watch", "cmd"],
        ["p", "e", "--watch", "--", "cmd"],
        ["--watch", "--", "cmd"],
    ])
    func optionsAnywhereBeforeTheCommand(arguments: [String]) throws {
        let environment = Parse.env.merging(["SOUP_PROJECT": "p", "SOUP_ENVIRONMENT": "e"]) { a, _ in a }
        let c = try Parse.configuration(arguments, environment: environment)
        #expect(c.project == "p" && c.environment == "e")
        #expect(c.mode == .run(command: ["cmd"]))
        #expect(c.watch == Configuration.Watch())
    }

    @Test func operandsFromTheEnvironment() throws {
        let environment = ["SOUP_PROJECT": "proj", "SOUP_ENVIRONMENT": "dev", "SOUP_TOKEN": Parse.token]
        let c = try Parse.configuration(["--", "node", "app.js"], environment: environment)
        #expect(c.project == "proj" && c.environment == "dev" && c.mode == .run(command: ["node", "app.js"]))
        let exported = try Parse.configuration(["--export"], environment: environment)
        #expect(exported.project == "proj" && exported.mode == .export(.shell))
    }

    /// Operands on the command line win over the variables.
    @Test func operandsWinOverVariables() throws {
        let environment = ["SOUP_PROJECT": "proj", "SOUP_ENVIRONMENT": "dev", "SOUP_TOKEN": Parse.token]
        let c = try Parse.configuration(["p", "e", "cmd"], environment: environment)
        #expect(c.project == "p" && c.environment == "e")
    }

    /// Without `--`, the first two words are the operands even when the variables are set.
    @Test func withoutDashDashWordsAreOperands() throws {
        let environment = ["SOUP_PROJECT": "proj", "SOUP_ENVIRONMENT": "dev", "SOUP_TOKEN": Parse.token]
        let c = try Parse.configuration(["node", "app.js", "x"], environment: environment)
        #expect(c.project == "node" && c.environment == "app.js" && c.mode == .run(command: ["x"]))
    }

    /// Operands are sent as typed (percent-encoded later): any non-empty text is accepted.
    @Test func operandsAreTakenAsTyped() throws {
        let c = try Parse.configuration(["proj_123", "env/456 ü", "cmd"])
        #expect(c.project == "proj_123" && c.environment == "env/456 ü")
    }

    @Test(arguments: [
        (["p", "e", "--export"], Configuration.ExportFormat.shell),
        (["--export", "p", "e"], .shell),
        (["p", "e", "--export", "--format", "json"], .json),
        (["p", "e", "--format=dotenv", "--export"], .dotenv),
        (["--format", "shell", "p", "--export", "e"], .shell),
    ])
    func exportMode(arguments: [String], format: Configuration.ExportFormat) throws {
        let c = try Parse.configuration(arguments)
        #expect(c.project == "p" && c.environment == "e" && c.mode == .export(format))
    }

    @Test(arguments: [
        (["--help"], Invocation.help),
        (["-h"], .help),
        (["p", "e", "--help"], .help),
        (["--pristine", "-h", "--bogus"], .help),
        (["--version"], .version),
        (["--version", "p"], .version),
        (["--completions", "bash"], .completions(.bash)),
        (["--completions=zsh"], .completions(.zsh)),
        (["--completions", "fish", "extra"], .completions(.fish)),
    ])
    func immediateOptions(arguments: [String], expected: Invocation) throws {
        // They need neither a token nor operands.
        #expect(try CommandLineParser.parse(arguments, environment: [:]) == expected)
    }

    /// `--help` after the command belongs to the command.
    @Test func helpInsideTheCommandIsTheCommands() throws {
        #expect(try Parse.configuration(["p", "e", "--", "node", "--help"]).mode == .run(command: ["node", "--help"]))
        #expect(try Parse.configuration(["p", "e", "node", "--version"]).mode == .run(command: ["node", "--version"]))
    }

    /// An error before `--help` is reported; the scan acts on `--help` only when it reaches it.
    @Test func errorBeforeHelpIsReported() {
        #expect(Parse.failure(["--bogus", "--help"])?.exitCode == .usage)
    }
}
