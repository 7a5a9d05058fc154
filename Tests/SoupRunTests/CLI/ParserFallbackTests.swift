import Testing

@testable import SoupRun

/// `--fallback`, `SOUP_FALLBACK_FILE` and their companions; `--fallback-max-age` durations.
@Suite struct ParserFallbackTests {
    static let pec = ["p", "e", "cmd"]

    @Test(arguments: [
        ("90s", 90.0), ("30m", 1800.0), ("72h", 259_200.0), ("7d", 604_800.0), ("3600", 3600.0), ("1", 1.0),
        ("0090s", 90.0), ("36500d", 3_153_600_000.0),
    ])
    func durations(text: String, seconds: Double) throws {
        #expect(try OptionValues.duration(text, flag: "--fallback-max-age") == seconds)
    }

    @Test(arguments: [
        "", "0", "0s", "s", "-5", "+5", "1.5h", "5 m", "5M", "5w", "1h30m", "10ms", "٣h", "36501d", "9999999999999",
        " 5", "5\n", "inf", "nan",
    ])
    func invalidDurationsNameTheFlag(text: String) {
        #expect(throws: UsageError.self) { try OptionValues.duration(text, flag: "--fallback-max-age") }
        let failure = Parse.failure(["--fallback", "/f", "--fallback-max-age=\(text)"] + Self.pec)
        #expect(failure?.exitCode == .usage)
        #expect(failure?.description.contains("--fallback-max-age") == true)
        // An empty value is the scanner's error ("needs a value"); every other one explains durations.
        #expect(text.isEmpty || failure?.description.contains("90s, 30m, 72h, 7d") == true)
    }

    @Test func theVariableGivesThePathAndTheFlagWins() throws {
        let env = Parse.env.merging(["SOUP_FALLBACK_FILE": "/from/env"]) { $1 }
        #expect(try Parse.configuration(Self.pec, environment: env).fallback == .init(path: "/from/env"))
        #expect(
            try Parse.configuration(["--fallback", "/flag"] + Self.pec, environment: env).fallback?.path == "/flag")
        let empty = Parse.env.merging(["SOUP_FALLBACK_FILE": ""]) { $1 }
        #expect(try Parse.configuration(Self.pec, environment: empty).fallback == nil)
        #expect(try Parse.configuration(Self.pec).fallback == nil)
        let offline = try Parse.configuration(["--offline", "--export", "p", "e"], environment: env)
        #expect(offline.fallback?.offline == true && offline.fallback?.path == "/from/env")
    }

    @Test(arguments: ["--offline", "--fallback-readonly", "--fallback-max-age=1d"])
    func companionsNeedAPath(flag: String) {
        let failure = Parse.failure([flag] + Self.pec)
        #expect(failure?.exitCode == .usage)
        #expect(
            failure?.description.contains(
                "\(flag.split(separator: "=")[0]) is only valid with --fallback (or SOUP_FALLBACK_FILE)") == true)
    }

    @Test func offlineCannotWatchAndAPathCannotBeEmpty() {
        let watch = Parse.failure(["--fallback", "/f", "--offline", "--watch"] + Self.pec)
        #expect(watch?.exitCode == .usage)
        #expect(watch?.description.contains("--offline") == true && watch?.description.contains("--watch") == true)
        #expect(Parse.failure(["--fallback=", "p", "e", "cmd"])?.exitCode == .usage)
    }

    @Test func everythingTogether() throws {
        let c = try Parse.configuration(
            ["--fallback", "/f", "--fallback-max-age", "30m", "--fallback-readonly", "--watch"] + Self.pec)
        var expected = Configuration.Fallback(path: "/f")
        expected.maxAge = 1800
        expected.readOnly = true
        #expect(c.fallback == expected)
        #expect(c.watch != nil)
    }
}
