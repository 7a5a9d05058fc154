/// Durations on the command line: `90s`, `30m`, `72h`, `7d`, or plain seconds (`120`, `0.5`).
///
/// Pure and separate from the flags that use it, so every duration flag reads the same way.
enum DurationText {
    /// Seconds per unit suffix.
    static let units: [(suffix: Character, seconds: Double)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]

    /// The seconds `text` names, or nil when it is not a duration: digits with at most one `.`
    /// (at least one digit), then optionally one unit letter. No signs, spaces or exponents.
    static func seconds(_ text: String) -> Double? {
        guard text.count <= 32, let last = text.last else { return nil }
        var number = Substring(text)
        var scale = 1.0
        if let unit = units.first(where: { $0.suffix == last }) {
            number = number.dropLast()
            scale = unit.seconds
        }
        let digits = number.filter { $0.isASCII && $0.isNumber }.count
        let dots = number.filter { $0 == "." }.count
        guard digits > 0, dots <= 1, digits + dots == number.count,
            let value = Double(number.hasPrefix(".") ? "0" + number : number), value.isFinite
        else { return nil }
        return value * scale
    }

    /// The flag's value as seconds within `0...max`, or a usage error naming the flag and the forms.
    static func seconds(_ text: String, flag: String, max: Double) throws(UsageError) -> Double {
        guard let value = seconds(text), value <= max else {
            throw UsageError(
                .invalidValue(
                    flag: flag, value: text,
                    expected:
                        "a duration of at most \(format(max)), in seconds or with a unit (e.g. 90, 90s, 30m, 2h, 1d)"
                ))
        }
        return value
    }

    /// `120 s`, `30m` style for messages: whole units when exact, else seconds.
    static func format(_ seconds: Double) -> String {
        for unit in units.reversed()
        where seconds >= unit.seconds && seconds.truncatingRemainder(dividingBy: unit.seconds) == 0 {
            return "\(Int(seconds / unit.seconds))\(unit.suffix)"
        }
        return "\(OptionValues.format(seconds))s"
    }
}
