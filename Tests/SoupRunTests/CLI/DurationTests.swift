import Testing

@testable import SoupRun

@Suite struct DurationTests {
    @Test(arguments: [
        ("0", 0.0), ("120", 120), ("0.5", 0.5), (".5", 0.5), ("2.", 2), ("90s", 90), ("30m", 1800),
        ("72h", 259_200), ("7d", 604_800), ("1.5m", 90), ("0s", 0),
    ])
    func durationsInSecondsOrWithAUnit(text: String, seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: [
        "", "s", "-1", "+1", "1e3", "1 s", " 1", "1w", "1ms", "1.2.3", ".", "m", "inf", "nan", "1mm", "1S",
    ])
    func notDurations(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test func aValueOverTheMaximumNamesTheFlagAndTheForms() throws {
        let expected = "a duration of at most 1d, in seconds or with a unit (e.g. 90, 90s, 30m, 2h, 1d)"
        for text in ["2d", "x"] {
            #expect(throws: UsageError(.invalidValue(flag: "--max-wait", value: text, expected: expected))) {
                try DurationText.seconds(text, flag: "--max-wait", max: 86400)
            }
        }
        #expect(try DurationText.seconds("1d", flag: "--max-wait", max: 86400) == 86400)
    }

    @Test(arguments: [(120.0, "2m"), (90, "90s"), (0, "0s"), (3600, "1h"), (86400, "1d"), (0.5, "0.5s"), (5400, "90m")])
    func formats(seconds: Double, text: String) {
        #expect(DurationText.format(seconds) == text)
    }
}
