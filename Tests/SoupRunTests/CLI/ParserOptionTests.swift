import SoupRun
import Testing

/// Every option in each of its spellings, in each position before the command.
@Suite struct ParserOptionTests {
    /// One option with a value: the words around it, and the configuration it should produce.
    struct Case: Sendable, CustomTestStringConvertible {
        let option: String
        let value: String?
        /// Options the option needs (`--watch` for watch flags).
        let context: [String]
        let expected: @Sendable (inout Configuration) -> Void
        var testDescription: String { option + (value.map { " \($0)" } ?? "") }

        init(
            _ option: String, _ value: String? = nil, context: [String] = [],
            _ expected: @escaping @Sendable (inout Configuration) -> Void
        ) {
            self.option = option
            self.value = value
            self.context = context
            self.expected = expected
        }

        /// `--opt value` and `--opt=value` for value options; the flag itself otherwise.
        var spellings: [[String]] {
            guard let value else { return [[option]] }
            // A value starting with '-' can only be written with '='; so can an optional value.
            let optional = OptionTable.all.contains {
                $0.long == option && $0.argument != .none && !$0.takesRequiredValue
            }
            let separate = value.hasPrefix("-") || optional ? [] : [[option, value]]
            return separate + (option.hasPrefix("--") ? [["\(option)=\(value)"]] : [])
        }
    }

    static let watchDefaults = Configuration.Watch()
    static let cases: [Case] = [
        Case("--api-url", "http://127.0.0.1:8080/api/v1/") { $0.apiURL = "http://127.0.0.1:8080/api/v1" },
        Case("--api-url", "HTTPS://Secrets.Example.COM") { $0.apiURL = "https://secrets.example.com" },
        Case("--also", "shared/prod") { $0.also = [.init(project: "shared", environment: "prod")] },
        Case("--also", "a%2Fb/c%25d") { $0.also = [.init(project: "a/b", environment: "c%d")] },
        Case("--env-file", ".env") { $0.envFiles = [.init(path: ".env")] },
        Case("--env-file-optional", "-local.env") { $0.envFiles = [.init(path: "-local.env", optional: true)] },
        Case("--token", "other-token") { $0.token = .literal(Secret("other-token")) },
        Case("--token", "-starts-with-dash") { $0.token = .literal(Secret("-starts-with-dash")) },
        Case("--token-file", "/run/secrets/soup") { $0.token = .file(path: "/run/secrets/soup") },
        Case("--token-file", "-") { $0.token = .file(path: "-") },
        Case("--no-resolve") { $0.resolve = false },
        Case("--only", "API_KEY") { $0.only = ["API_KEY"] },
        Case("--only", "B,A,B") { $0.only = ["B", "A"] },
        Case("--preserve-env") { $0.preserve = .all },
        Case("--preserve-env", "PATH,HOME") { $0.preserve = .keys(["PATH", "HOME"]) },
        Case("--pristine") { $0.pristine = true },
        Case("--keep-token") { $0.keepToken = true },
        Case("--timeout", "2.5") { $0.timeout = 2.5 },
        Case("--timeout", ".25") { $0.timeout = 0.25 },
        Case("--timeout", "3600") { $0.timeout = 3600 },
        Case("--retries", "0") { $0.retries = 0 },
        Case("--retries", "100") { $0.retries = 100 },
        Case("--max-wait", "0") { $0.maxWait = 0 },
        Case("--max-wait", "90s") { $0.maxWait = 90 },
        Case("--max-wait", "30m") { $0.maxWait = 1800 },
        Case("--max-wait", "1d") { $0.maxWait = 86400 },
        Case("-q") { $0.verbosity = .quiet },
        Case("--quiet") { $0.verbosity = .quiet },
        Case("-v") { $0.verbosity = .verbose },
        Case("--verbose") { $0.verbosity = .verbose },
        Case("--watch") { $0.watch = watchDefaults },
        Case("--interval", "0.1", context: ["--watch"]) { $0.watch = watch { $0.interval = 0.1 } },
        Case("--interval", "86400", context: ["--watch"]) { $0.watch = watch { $0.interval = 86400 } },
        Case("--stop-signal", "INT", context: ["--watch"]) { $0.watch = watch { $0.stopSignal = 2 } },
        Case("--stop-signal", "sigquit", context: ["--watch"]) { $0.watch = watch { $0.stopSignal = 3 } },
        Case("--stop-signal", "9", context: ["--watch"]) { $0.watch = watch { $0.stopSignal = 9 } },
        Case("--stop-timeout", "0", context: ["--watch"]) { $0.watch = watch { $0.stopTimeout = 0 } },
        Case("--stop-timeout", "30", context: ["--watch"]) { $0.watch = watch { $0.stopTimeout = 30 } },
        Case("--splay", "2.5", context: ["--watch"]) { $0.watch = watch { $0.splay = 2.5 } },
        Case("--fallback", "/var/cache/soup.fb") { $0.fallback = fallback { _ in } },
        Case("--fallback-max-age", "72h", context: ["--fallback", "/var/cache/soup.fb"]) {
            $0.fallback = fallback { $0.maxAge = 72 * 3600 }
        },
        Case("--fallback-readonly", context: ["--fallback", "/var/cache/soup.fb"]) {
            $0.fallback = fallback { $0.readOnly = true }
        },
        Case("--offline", context: ["--fallback", "/var/cache/soup.fb"]) {
            $0.fallback = fallback { $0.offline = true }
        },
        Case("--file", "API_KEY") { $0.files.files = [.init(key: "API_KEY", path: nil)] },
        Case("--file", "CA=/run/ca=1.pem") { $0.files.files = [.init(key: "CA", path: "/run/ca=1.pem")] },
        Case("--mount", "/run/app/secrets.json") {
            $0.files.mount = .init(path: "/run/app/secrets.json", format: .json)
        },
        Case("--mount", "app.env") { $0.files.mount = .init(path: "app.env", format: .dotenv) },
        Case("--mount-format", "shell", context: ["--mount", "s.json"]) {
            $0.files.mount = .init(path: "s.json", format: .shell)
        },
        Case("--template", "a.tmpl:/etc/a.conf") {
            $0.files.templates = [.init(source: "a.tmpl", destination: "/etc/a.conf")]
        },
        Case("--reload-signal", "HUP", context: ["--watch", "--file", "K"]) {
            $0.watch = watchDefaults
            $0.files.files = [.init(key: "K", path: nil)]
            $0.files.reload = .signal(1)
        },
        Case("--reload-signal", "none", context: ["--watch", "--file", "K"]) {
            $0.watch = watchDefaults
            $0.files.files = [.init(key: "K", path: nil)]
            $0.files.reload = .nothing
        },
        Case("--mask") { $0.mask = .init() },
        Case("--mask-min-length", "1", context: ["--mask"]) { $0.mask = .init(minimumLength: 1) },
        Case("--mask-min-length", "4096", context: ["--mask"]) { $0.mask = .init(minimumLength: 4096) },
    ]

    static func watch(_ change: (inout Configuration.Watch) -> Void) -> Configuration.Watch {
        var w = Configuration.Watch()
        change(&w)
        return w
    }

    static func fallback(_ change: (inout Configuration.Fallback) -> Void) -> Configuration.Fallback {
        var f = Configuration.Fallback(path: "/var/cache/soup.fb")
        change(&f)
        return f
    }

    @Test(arguments: cases)
    func optionBeforeBetweenAndAfterOperands(_ testCase: Case) throws {
        var expected = Parse.base()
        testCase.expected(&expected)
        for spelling in testCase.spellings {
            let option = testCase.context + spelling
            for arguments in [
                option + ["p", "e", "cmd"], ["p"] + option + ["e", "cmd"], ["p", "e"] + option + ["cmd"],
            ] {
                let c = try Parse.configuration(arguments)
                #expect(c == expected, "\(arguments)")
            }
        }
    }

    /// Every option in the table is exercised above or in the export/immediate tests.
    @Test func everyOptionIsCovered() {
        let covered = Set(Self.cases.map(\.option)).union([
            "--export", "--format", "--help", "-h", "--version", "--completions",
        ])
        for spec in OptionTable.all {
            #expect(covered.contains(spec.long), "\(spec.long)")
            if let short = spec.shortSpelling { #expect(covered.contains(short), "\(short)") }
        }
    }

    @Test(arguments: [
        ("--format", "shell", Configuration.ExportFormat.shell), ("--format", "dotenv", .dotenv),
        ("--format", "json", .json),
    ])
    func formatInBothSpellings(option: String, value: String, format: Configuration.ExportFormat) throws {
        #expect(try Parse.configuration(["--export", option, value, "p", "e"]).mode == .export(format))
        #expect(try Parse.configuration(["p", "e", "--export", "\(option)=\(value)"]).mode == .export(format))
    }

    /// A repeated value option: the last one wins; key lists accumulate.
    @Test func repeatedOptions() throws {
        #expect(try Parse.configuration(["--timeout", "1", "--timeout=2", "p", "e", "c"]).timeout == 2)
        #expect(
            try Parse.configuration(["--token", "a", "--token", "b", "p", "e", "c"]).token == .literal(Secret("b")))
        #expect(try Parse.configuration(["--only", "A,B", "--only=C,A", "p", "e", "c"]).only == ["A", "B", "C"])
        #expect(
            try Parse.configuration(["--preserve-env=A", "--preserve-env=B,A", "p", "e", "c"]).preserve
                == .keys(["A", "B"]))
        #expect(try Parse.configuration(["--preserve-env=A", "--preserve-env", "p", "e", "c"]).preserve == .all)
        #expect(try Parse.configuration(["--preserve-env", "--preserve-env=A", "p", "e", "c"]).preserve == .all)
        #expect(try Parse.configuration(["-q", "--quiet", "p", "e", "c"]).verbosity == .quiet)
    }

    /// `--pristine` keeps what `--preserve-env=KEYS` lists (the bare flag with it is refused).
    @Test func pristineWithAPreserveList() throws {
        let c = try Parse.configuration(["--pristine", "--preserve-env=PATH", "p", "e", "c"])
        #expect(c.pristine && c.preserve == .keys(["PATH"]))
    }

    /// The bare `--preserve-env` never takes the next word: `PATH` here is the project.
    @Test func barePreserveEnvDoesNotTakeTheNextWord() throws {
        let c = try Parse.configuration(["--preserve-env", "PATH", "e", "cmd"])
        #expect(c.preserve == .all && c.project == "PATH" && c.environment == "e")
    }

    /// All watch settings at once, and their defaults.
    @Test func watchSettings() throws {
        let c = try Parse.configuration(
            ["--watch", "--interval", "0.5", "--stop-signal=SIGHUP", "--stop-timeout", "3", "--splay=1", "p", "e", "c"])
        var w = Configuration.Watch()
        w.interval = 0.5
        w.stopSignal = 1
        w.stopTimeout = 3
        w.splay = 1
        #expect(c.watch == w)
        #expect(Configuration.Watch().interval == 10 && Configuration.Watch().stopSignal == 15)
        #expect(Configuration.Watch().stopTimeout == 10 && Configuration.Watch().splay == 0)
    }
}

extension OptionSpec {
    var takesRequiredValue: Bool {
        if case .required = argument { return true }
        return false
    }
}

@Suite struct MaskVariableTests {
    @Test func soupMaskOneTurnsMaskingOnZeroOffAndExportIgnoresIt() throws {
        #expect(
            try Parse.configuration(["p", "e", "cmd"], environment: Parse.env.merging(["SOUP_MASK": "1"]) { $1 }).mask
                == .init())
        #expect(
            try Parse.configuration(["p", "e", "cmd"], environment: Parse.env.merging(["SOUP_MASK": "0"]) { $1 }).mask
                == nil)
        #expect(
            try Parse.configuration(
                ["--mask-min-length", "4", "p", "e", "cmd"], environment: Parse.env.merging(["SOUP_MASK": "1"]) { $1 }
            ).mask
                == .init(minimumLength: 4))
        #expect(
            try Parse.configuration(["p", "e", "--export"], environment: Parse.env.merging(["SOUP_MASK": "1"]) { $1 })
                .mask == nil)
        #expect(StayReasons(try Parse.configuration(["--mask", "p", "e", "cmd"])) == .masking)
    }
}
