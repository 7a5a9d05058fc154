import SoupRun
import Testing

/// Every way the command line can be wrong: the exit code, and a message naming what is wrong.
@Suite struct ParserErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let environment: [String: String]
        let code: ExitCode
        /// Texts the message must contain.
        let mentions: [String]
        var testDescription: String { arguments.description }

        init(_ arguments: [String], env: [String: String] = Parse.env, _ code: ExitCode = .usage, _ mentions: String...)
        {
            self.arguments = arguments
            self.environment = env
            self.code = code
            self.mentions = mentions
        }
    }

    static let pec = ["p", "e", "cmd"]
    static let watchOnly = ["--interval", "--stop-signal", "--stop-timeout", "--splay", "--reload-signal"]

    static let usage: [Case] =
        [
            Case(["--bogus"] + pec, .usage, "unknown option --bogus"),
            // The operands in the environment and no `--`: `sh` became the project, `-c` an option.
            Case(
                ["sh", "-c", "echo hi"], env: Parse.env.merging(["SOUP_PROJECT": "p", "SOUP_ENVIRONMENT": "e"]) { $1 },
                .usage, "unknown option -c", "SOUP_PROJECT and SOUP_ENVIRONMENT are set",
                "if 'sh' is the command, put -- before it"),
            // Without the variables, an unknown option after an operand is just unknown.
            Case(["sh", "-c", "echo hi"], .usage, "unknown option -c"),
            Case(["--mask-min-length", "8"] + pec, .usage, "--mask-min-length", "--mask"),
            Case(["--mask", "--mask-min-length", "0"] + pec, .usage, "--mask-min-length"),
            Case(["--mask", "--mask-min-length", "4097"] + pec, .usage, "--mask-min-length"),
            Case(["--mask", "p", "e", "--export"], .usage, "--mask", "--export"),
            Case(pec, env: Parse.env.merging(["SOUP_MASK": "yes"]) { $1 }, .usage, "SOUP_MASK", "1 or 0"),
            Case(["--tokn", "x"] + pec, .usage, "unknown option --tokn", "did you mean --token?"),
            Case(["--tokn=\(Parse.token)"] + pec, .usage, "unknown option --tokn", "--token?"),
            Case(["-token", "x"] + pec, .usage, "unknown option -token", "did you mean --token?"),
            Case(["--watchh"] + pec, .usage, "did you mean --watch?"),
            Case(["--prestine"] + pec, .usage, "did you mean --pristine?"),
            Case(["-x"] + pec, .usage, "unknown option -x"),
            Case(["-qv"] + pec, .usage, "-qv", "-q -v"),
            Case(["-hq"] + pec, .usage, "-hq", "-h -q"),
            Case(["-q=1"] + pec, .usage, "unknown option -q=1"),
            Case(["p", "e", "--timeout"], .usage, "--timeout needs a value"),
            Case(["--timeout", "--pristine"] + pec, .usage, "--timeout needs a value"),
            Case(["--only", "-q"] + pec, .usage, "--only needs a value"),
            Case(["--token", "--pristine"] + pec, .usage, "--token needs a value", "--token=VALUE"),
            Case(["--token"], .usage, "--token needs a value"),
            Case(["p", "e", "--token-file", "--", "cmd"], .usage, "--token-file needs a value"),
            Case(["--timeout="] + pec, .usage, "--timeout= needs a value"),
            Case(["--token="] + pec, .usage, "--token= needs a value"),
            Case(["--preserve-env="] + pec, .usage, "--preserve-env= needs a value"),
            Case(["--pristine=yes"] + pec, .usage, "--pristine takes no value"),
            Case(["--watch=1"] + pec, .usage, "--watch takes no value"),
            Case(["--help=1"] + pec, .usage, "--help takes no value"),
            Case(["--completions", "powershell"], .usage, "--completions", "powershell", "bash, zsh or fish"),
            Case(["--completions"], .usage, "--completions needs a value"),
            Case(["--format", "xml", "--export", "p", "e"], .usage, "--format", "xml", "shell, dotenv, json or fish"),
            Case(["--only", "lower"] + pec, .usage, "--only", "'lower'", "A-Z"),
            Case(["--only", "A,1B"] + pec, .usage, "--only", "'1B'"),
            Case(["--only", "A-B"] + pec, .usage, "--only", "'A-B'"),
            Case(["--only", "A,,B"] + pec, .usage, "empty key", "--only"),
            Case(["--only=A,"] + pec, .usage, "empty key", "--only"),
            Case(["--only", ","] + pec, .usage, "empty key", "--only"),
            Case(["--only", String(repeating: "A", count: 256)] + pec, .usage, "--only", "invalid key"),
            Case(["--preserve-env=path"] + pec, .usage, "--preserve-env", "'path'"),
            Case(["--preserve-env=A,,B"] + pec, .usage, "--preserve-env", "empty key"),
            Case(["-q", "-v"] + pec, .usage, "--quiet and --verbose"),
            Case(["--verbose", "--quiet"] + pec, .usage, "--quiet and --verbose"),
            Case(["--format", "json"] + pec, .usage, "--format is only valid with --export"),
            Case(["--watch", "--export", "p", "e"], .usage, "--watch and --export"),
            Case(
                ["--pristine", "--preserve-env"] + pec, .usage, "--pristine and --preserve-env", "--preserve-env=KEY"),
            Case(["--token", "a", "--token-file", "b"] + pec, .usage, "--token and --token-file"),
            Case(pec, env: ["SOUP_TOKEN": "a", "SOUP_TOKEN_FILE": "/f"], .usage, "SOUP_TOKEN and SOUP_TOKEN_FILE"),
            Case([], env: Parse.env, .usage, "missing <project> and <environment>", "SOUP_PROJECT", "SOUP_ENVIRONMENT"),
            Case(["--", "cmd"], .usage, "missing <project> and <environment>"),
            Case(["p"], .usage, "missing <environment> after project 'p'"),
            Case(["p", "--", "cmd"], .usage, "missing <environment> after project 'p'"),
            Case(
                ["--", "cmd"], env: Parse.env.merging(["SOUP_PROJECT": "p"]) { a, _ in a }, .usage,
                "SOUP_ENVIRONMENT is not set"),
            Case(
                ["--", "cmd"], env: Parse.env.merging(["SOUP_ENVIRONMENT": "e"]) { a, _ in a }, .usage,
                "SOUP_PROJECT is not set"),
            Case(
                ["--", "cmd"], env: Parse.env.merging(["SOUP_PROJECT": "", "SOUP_ENVIRONMENT": "e"]) { a, _ in a },
                .usage,
                "SOUP_PROJECT is not set"),
            Case(["", "e", "cmd"], .usage, "<project> must not be empty"),
            Case(["p", "", "cmd"], .usage, "<environment> must not be empty"),
            Case(["p", "e"], .usage, "no command to run after 'p' 'e'", "--export"),
            Case(["p", "e", "--"], .usage, "no command to run"),
            Case(["p", "e", "--watch"], .usage, "no command to run"),
            Case(["p", "e", "--", ""], .usage, "the command name is empty"),
            Case(["p", "e", "--export", "cmd"], .usage, "--export", "runs no command"),
            Case(["p", "e", "--export", "--", "cmd"], .usage, "--export", "runs no command"),
            Case(["--token=a\nb"] + pec, .usage, "the value of --token contains a line break"),
            Case(["--token=a\u{0}b"] + pec, .usage, "the value of --token contains a NUL byte"),
            Case(["--token=a\tb"] + pec, .usage, "the value of --token contains a control character"),
            Case(["--stop-signal", "FOO", "--watch"] + pec, .usage, "--stop-signal", "'FOO'"),
            Case(["--file", "lower"] + pec, .usage, "--file", "'lower'", "A-Z"),
            Case(["--file", "=/x"] + pec, .usage, "--file", "invalid key"),
            Case(["--file", "K="] + pec, .usage, "--file", "'K='", "PATH not empty"),
            Case(["--file", "K", "--file", "K=/x"] + pec, .usage, "--file K is given twice"),
            Case(["--template", "a.tmpl"] + pec, .usage, "--template", "'a.tmpl'", "SRC:DEST"),
            Case(["--template", ":b"] + pec, .usage, "--template", "SRC:DEST"),
            Case(["--template", "a:"] + pec, .usage, "--template", "SRC:DEST"),
            Case(["--mount-format", "json"] + pec, .usage, "--mount-format is only valid with --mount"),
            Case(
                ["--mount", "m", "--mount-format", "xml"] + pec, .usage, "--mount-format", "shell, dotenv, json or fish"
            ),
            Case(["--mount", "m", "--export", "p", "e"], .usage, "--export and --mount"),
            Case(["--export", "--file", "K", "p", "e"], .usage, "--export and --file"),
            Case(
                ["--reload-signal", "HUP", "--file", "K"] + pec, .usage, "--reload-signal is only valid with --watch"),
            Case(
                ["--watch", "--reload-signal", "HUP"] + pec, .usage, "--reload-signal",
                "--file, --mount or --template"),
            Case(
                ["--watch", "--file", "K", "--reload-signal", "FOO"] + pec, .usage, "--reload-signal", "'FOO'", "none"),
        ]
        + ["0", "-1", "abc", "inf", "nan", "1e3", "3601", "0x10", " 1", "1.2.3", "+1", "1s", "."].map {
            Case(["--timeout=\($0)"] + pec, .usage, "--timeout", "'\($0)'", "seconds")
        }
        + ["-1", "101", "1.5", "abc", "", "0x1", "99999999999"].map {
            Case(["--retries=\($0)"] + pec, .usage, "--retries")
        }
        + ["-1", "86401", "2d", "1w", "s", "1.5.1m", "1e3", "1 m", "m1"].map {
            Case(["--max-wait=\($0)"] + pec, .usage, "--max-wait", "duration")
        }
        + ["0.05", "0", "86401", "x"].map {
            Case(["--watch", "--interval=\($0)"] + pec, .usage, "--interval", "'\($0)'")
        }
        + ["-1", "3601", "x"].map {
            Case(["--watch", "--stop-timeout=\($0)"] + pec, .usage, "--stop-timeout", "'\($0)'")
        }
        + ["-1", "3601", "x"].map { Case(["--watch", "--splay=\($0)"] + pec, .usage, "--splay", "'\($0)'") }
        + ["", "SIG", "0", "65", "99", "1.0", " TERM", "RTMIN", "99999"].map {
            Case(["--watch", "--stop-signal=\($0)"] + pec, .usage, "--stop-signal")
        }
        + watchOnly.map { Case([$0 + "=1"] + pec, .usage, "\($0) is only valid with --watch") }

    static let configuration: [Case] = [
        Case(pec, env: [:], .configuration, "no API token", "--token", "--token-file", "SOUP_TOKEN", "SOUP_TOKEN_FILE"),
        Case(pec, env: ["SOUP_TOKEN": ""], .configuration, "no API token"),
        Case(["--api-url", "ftp://x"] + pec, .configuration, "'ftp://x'", "--api-url", "http or https"),
        Case(["--api-url=soup.dev"] + pec, .configuration, "'soup.dev'", "http:// or https://"),
        Case(
            pec, env: Parse.env.merging(["SOUP_API_URL": "http://user:pw@host/"]) { a, _ in a }, .configuration,
            "'http://host/'", "SOUP_API_URL", "user information"),
        Case(pec, env: ["SOUP_TOKEN": "a\nb"], .configuration, "SOUP_TOKEN", "line break"),
    ]

    @Test(arguments: usage + configuration)
    func failsWithCodeAndMessage(_ testCase: Case) throws {
        let failure = try #require(Parse.failure(testCase.arguments, environment: testCase.environment))
        #expect(failure.exitCode == testCase.code)
        for text in testCase.mentions {
            #expect(failure.description.contains(text), "\(failure.description) should mention \(text)")
        }
        #expect(!failure.description.contains(Parse.token))
        #expect(!failure.description.contains("pw@"))
        #expect((failure.hint != nil) == (testCase.code == .usage))
    }

    /// The `--` hint only when both variables are set and the word before the option is an operand.
    @Test func theDashDashHintNeedsTheVariablesAndAnOperand() throws {
        let both = Parse.env.merging(["SOUP_PROJECT": "p", "SOUP_ENVIRONMENT": "e"]) { $1 }
        let hinted = "put -- before it"
        #expect(try #require(Parse.failure(["sh", "-c", "x"], environment: both)).description.contains(hinted))
        #expect(try #require(Parse.failure(["sh", "-c", "x"])).description == "unknown option -c")
        #expect(try #require(Parse.failure(["-c", "sh"], environment: both)).description == "unknown option -c")
        let onlyOne = Parse.env.merging(["SOUP_PROJECT": "p"]) { $1 }
        #expect(!(try #require(Parse.failure(["sh", "-c", "x"], environment: onlyOne)).description.contains(hinted)))
        // A typo close to a real option keeps its suggestion.
        #expect(
            try #require(Parse.failure(["sh", "--tokn", "x"], environment: both)).description.contains(
                "did you mean --token?"))
    }

    /// `-x` before the token check: a usage error wins over a missing token.
    @Test func usageErrorsComeBeforeConfigurationErrors() {
        #expect(Parse.failure(["--bogus"] + Self.pec, environment: [:])?.exitCode == .usage)
        #expect(Parse.failure(["p", "e"], environment: [:])?.exitCode == .usage)
        #expect(Parse.failure(["--api-url=ftp://x", "p", "e"], environment: [:])?.exitCode == .usage)
    }

    /// A value that follows a flag taking none is an operand, never silently a value.
    @Test func flagWithoutValueLeavesTheNextWord() throws {
        let c = try Parse.configuration(["--pristine", "p", "e", "cmd"])
        #expect(c.pristine && c.project == "p")
    }

    /// Long garbage is cut short in messages.
    @Test func longValuesAreShortenedInMessages() throws {
        let long = String(repeating: "x", count: 500)
        let failure = try #require(Parse.failure(["--timeout=\(long)"] + Self.pec))
        #expect(failure.description.count < 200)
        #expect(failure.description.contains("..."))
    }

    @Test func controlCharactersAreEscapedInMessages() throws {
        let failure = try #require(Parse.failure(["--format=\u{1b}[31m", "--export", "p", "e"]))
        #expect(!failure.description.contains("\u{1b}"))
        #expect(failure.description.contains("\\u{1b}"))
    }
}
