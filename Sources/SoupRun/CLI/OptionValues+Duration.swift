/// Durations on the command line (`--fallback-max-age`): whole numbers with an optional unit.
extension OptionValues {
    /// The units a duration may carry, and their length in seconds.
    static let durationUnits: [(suffix: Character, seconds: Double)] = [
        ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
    ]

    /// `90s`, `30m`, `72h`, `7d`, or plain seconds (`3600`): digits, then at most one unit.
    /// More than zero, at most 100 years (nothing real is older; it keeps the arithmetic exact).
    static func duration(_ text: String, flag: String) throws(UsageError) -> Double {
        let invalid = UsageError(
            .invalidValue(
                flag: flag, value: text,
                expected: "a duration such as 90s, 30m, 72h, 7d or plain seconds, more than 0 and at most 36500d"))
        var digits = Substring(text)
        var unit: Double = 1
        if let last = text.last, let match = durationUnits.first(where: { $0.suffix == last }) {
            digits = digits.dropLast()
            unit = match.seconds
        }
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(OptionValues.isDigit), let number = Int(digits)
        else { throw invalid }
        let seconds = Double(number) * unit
        guard seconds > 0, seconds <= 36500 * 86400 else { throw invalid }
        return seconds
    }
}
