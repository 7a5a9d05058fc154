import SoupCore

/// Parsing of option values: seconds, counts and key lists. Errors name the flag.
enum OptionValues {
    /// Decimal seconds: `10`, `0.5`, `.5`, `2.` (no signs, exponents, `inf` or `nan`), within bounds.
    static func seconds(
        _ text: String, flag: String, above lowerExclusive: Double? = nil, atLeast lowerInclusive: Double? = nil,
        max: Double
    ) throws(UsageError) -> Double {
        let lowerText = lowerExclusive.map { "more than \(format($0))" } ?? "at least \(format(lowerInclusive ?? 0))"
        let invalid = UsageError(
            .invalidValue(
                flag: flag, value: text, expected: "seconds, \(lowerText) and at most \(format(max)) (e.g. 10 or 0.5)"))
        let digits = text.filter(OptionValues.isDigit).count
        let dots = text.filter { $0 == "." }.count
        guard text.count <= 32, digits > 0, dots <= 1, digits + dots == text.count,
            let value = Double(text.hasPrefix(".") ? "0" + text : text), value.isFinite
        else { throw invalid }
        if let lowerExclusive, value <= lowerExclusive { throw invalid }
        if let lowerInclusive, value < lowerInclusive { throw invalid }
        if value > max { throw invalid }
        return value
    }

    /// A whole number within `range`, digits only.
    static func integer(_ text: String, flag: String, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy(OptionValues.isDigit), let value = Int(text),
            range.contains(value)
        else {
            throw UsageError(
                .invalidValue(
                    flag: flag, value: text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
            )
        }
        return value
    }

    /// `KEY[,KEY...]`: each a valid key; duplicates dropped, order kept.
    static func keys(_ text: String, flag: String) throws(UsageError) -> [String] {
        var keys: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            if part.isEmpty { throw UsageError(.emptyKey(flag: flag)) }
            guard SecretKey.isValid(part) else { throw UsageError(.invalidKey(flag: flag, key: String(part))) }
            if !keys.contains(String(part)) { keys.append(String(part)) }
        }
        return keys
    }

    /// `0`...`9` only (`Character.isNumber` also accepts other scripts' digits and fractions).
    static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }

    /// `10` for 10.0, `0.1` for 0.1.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// `a, b or c` for messages that list the accepted words.
    static func alternatives(_ names: [String]) -> String {
        names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
    }

    /// `--file KEY[=PATH]`: a valid key, not given before, and a non-empty PATH after `=`.
    static func fileRequest(
        _ text: String, flag: String, after earlier: [Configuration.Files.File]
    ) throws(UsageError) -> Configuration.Files.File {
        let key = String(text.prefix { $0 != "=" })
        let path = text.count > key.count ? String(text.dropFirst(key.count + 1)) : nil
        guard SecretKey.isValid(key) else { throw UsageError(.invalidKey(flag: flag, key: key)) }
        if path?.isEmpty == true {
            throw UsageError(.invalidValue(flag: flag, value: text, expected: "KEY or KEY=PATH, PATH not empty"))
        }
        if earlier.contains(where: { $0.key == key }) { throw UsageError(.repeatedKey(flag: flag, key: key)) }
        return Configuration.Files.File(key: key, path: path)
    }

    /// `--template SRC:DEST`, split at the first `:`; both parts non-empty.
    static func templateRequest(_ text: String, flag: String) throws(UsageError) -> Configuration.Files.Template {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex
        else {
            throw UsageError(.invalidValue(flag: flag, value: text, expected: "SRC:DEST, two non-empty paths"))
        }
        return Configuration.Files.Template(
            source: String(text[..<colon]), destination: String(text[text.index(after: colon)...]))
    }
}
