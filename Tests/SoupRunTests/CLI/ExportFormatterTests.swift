import SoupCore
import SoupRun
import Testing

/// `--export` formats: exact text, and round trips through real shells, a dotenv reader and JSON.
@Suite struct ExportFormatterTests {
    /// Values that break naive quoting.
    static let nasty: [String: String] = [
        "SINGLE": "it's",
        "QUOTE_ESCAPE": "'\\''",
        "DOUBLE": "say \"hi\"",
        "NEWLINES": "line1\nline2\n\nline4",
        "TRAILING_NL": "ends with newline\n",
        "CRLF": "a\r\nb\r",
        "DOLLAR": "$HOME ${PATH} $(echo pwned) $1 $@ $$",
        "BACKTICK": "`id` ``",
        "BACKSLASH": "\\ \\\\ \\n \\' \\\"",
        "UNICODE": "ünïcødé 🎉 日本語 \u{200B}",
        "EMPTY": "",
        "SPACES": "  leading and trailing  ",
        "TAB": "a\tb",
        "GLOB": "* ? [a-z] ~ ~root",
        "HISTORY": "!! !$ !-1",
        "DASH": "-n",
        "PERCENT": "%s %d %%",
        "CONTROL": "\u{1}\u{7}\u{1b}[0m\u{7f}",
        "SEMICOLON": "a; rm -rf /tmp/x; echo & | > <",
        "HASH": "#not a comment",
        "EQUALS": "a=b==c",
        // A quote, a backslash and a dollar each followed by a combining mark: one Character each,
        // so escaping must work below the Character level (scalars or bytes) to see them.
        "COMBINING": "it'\u{301}s \"\u{301} \\\u{301} $\u{301}HOME \n\u{301}",
    ]

    @Test func shellExactText() {
        #expect(ExportFormatter.format(["B": "x", "A": "it's"], as: .shell) == "export A='it'\\''s'\nexport B='x'\n")
        #expect(ExportFormatter.format([:], as: .shell) == "")
    }

    @Test func dotenvExactText() {
        #expect(
            ExportFormatter.format(["B": "a\"b\\c$d\ne\rf\tg'h", "A": ""], as: .dotenv)
                == "A=\"\"\nB=\"a\\\"b\\\\c\\$d\\ne\\rf\tg'h\"\n")
        #expect(ExportFormatter.format([:], as: .dotenv) == "")
    }

    @Test func jsonExactText() {
        #expect(ExportFormatter.format(["B": "x\n", "A": "é"], as: .json) == "{\"A\":\"é\",\"B\":\"x\\n\"}\n")
        #expect(ExportFormatter.format([:], as: .json) == "{}\n")
    }

    /// Byte order: `_` (0x5F) sorts after letters and digits.
    @Test func keysAreSortedByByte() {
        let secrets = ["B": "1", "A_": "2", "AB": "3", "A": "4", "Z9": "5", "A1": "6"]
        let order = ["A", "A1", "AB", "A_", "B", "Z9"]
        #expect(
            ExportFormatter.format(secrets, as: .shell) == order.map { "export \($0)='\(secrets[$0]!)'\n" }.joined())
        #expect(ExportFormatter.format(secrets, as: .dotenv) == order.map { "\($0)=\"\(secrets[$0]!)\"\n" }.joined())
        #expect(
            ExportFormatter.format(secrets, as: .json)
                == "{" + order.map { "\"\($0)\":\"\(secrets[$0]!)\"" }.joined(separator: ",") + "}\n")
    }

    @Test func fishExactText() {
        #expect(
            ExportFormatter.format(["B": "a'b\\c\nd\n$e", "A": ""], as: .fish)
                == "set -gx A ''\nset -gx B 'a\\'b\\\\c\nd\n$e'\n")
        #expect(ExportFormatter.format([:], as: .fish) == "")
    }

    @Test(.installed("sh")) func shRoundTrip() throws { try expectShellRoundTrip("sh") }
    @Test(.installed("dash")) func dashRoundTrip() throws { try expectShellRoundTrip("dash") }
    @Test(.installed("bash")) func bashRoundTrip() throws { try expectShellRoundTrip("bash") }
    @Test(.installed("zsh")) func zshRoundTrip() throws { try expectShellRoundTrip("zsh") }

    /// Every POSIX shell the formatter promises is tested (one test each, skipped where missing).
    @Test func everyEvalShellHasATest() {
        #expect(ShellRunner.evalShells == ["sh", "dash", "bash", "zsh"])
    }

    /// `eval "$(cat export)"` in `shell` gives back every value byte for byte.
    func expectShellRoundTrip(_ name: String) throws {
        let shell = try ShellRunner.program(name)
        let keys = Self.nasty.keys.sorted()
        let path = try ShellRunner.temporaryFile(ExportFormatter.format(Self.nasty, as: .shell))
        defer { ShellRunner.remove(path) }
        let printAll = keys.map { "\"$\($0)\"" }.joined(separator: " ")
        let script = "eval \"$(cat '\(path)')\" && printf '%s\\0' \(printAll) && env | grep -c '^SINGLE=' >&2"
        let result = try ShellRunner.run(shell, ["-c", script])
        #expect(result.status == 0, "\(shell): \(result.stderr)")
        var values = result.stdout.split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        #expect(values.popLast() == "")
        #expect(values.count == keys.count)
        for (key, value) in zip(keys, values) {
            #expect(value == Self.nasty[key], "\(shell) changed \(key)")
        }
        // `export` makes them environment variables, not just shell variables.
        #expect(result.stderr.hasPrefix("1"), "\(shell): \(result.stderr)")
    }

    /// fish: `eval` of the collected `--format fish` text gives back every value byte for byte,
    /// as fish variables and in a child's environment. (The POSIX text is wrong for fish: there
    /// `\\` and `\'` are escapes inside single quotes.)
    @Test(.installed("fish")) func fishRoundTrip() throws {
        let fish = try ShellRunner.program("fish")
        let keys = Self.nasty.keys.sorted()
        let path = try ShellRunner.temporaryFile(ExportFormatter.format(Self.nasty, as: .fish))
        defer { ShellRunner.remove(path) }
        let printAll = keys.map { "\"$\($0)\"" }.joined(separator: " ")
        let child = "printf '%s\\0' " + printAll
        let script =
            "set -l s (cat '\(path)' | string collect); and eval $s; or exit 99; command printf '%s\\0' \(printAll); "
            + "command printf 'ENV\\0'; /bin/sh -c '\(child.replacingOccurrences(of: "'", with: "\\'"))'"
        let result = try ShellRunner.run(fish, ["--no-config", "-c", script])
        #expect(result.status == 0, "fish: \(result.stderr)")
        let fields = result.stdout.split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        let separator = try #require(fields.firstIndex(of: "ENV"), "fish printed no separator: \(result.stderr)")
        #expect(Array(fields[..<separator]) == keys.map { Self.nasty[$0]! }, "fish variables differ")
        #expect(Array(fields[(separator + 1)...].dropLast()) == keys.map { Self.nasty[$0]! }, "fish exports differ")
    }

    @Test func dotenvRoundTrip() throws {
        let text = ExportFormatter.format(Self.nasty, as: .dotenv)
        #expect(try DotenvReader.parse(text) == Self.nasty)
        #expect(text.split(separator: "\n").count == Self.nasty.count)
    }

    @Test func jsonRoundTrip() throws {
        let text = ExportFormatter.format(Self.nasty, as: .json)
        #expect(text.hasSuffix("}\n"))
        let parsed = try JSON.parse(text)
        #expect(parsed == .object(Self.nasty.mapValues(JSONValue.string)))
    }
}

/// A tiny reader of the documented dotenv dialect, for the round trip: one `KEY="value"` per
/// line; inside the quotes `\\`, `\"`, `\n`, `\r`, `\$` are escapes and everything else is
/// literal. Anything else is rejected, so the test also checks that the output stays in the dialect.
enum DotenvReader {
    struct Invalid: Error {}

    static func parse(_ text: String) throws -> [String: String] {
        var result: [String: String] = [:]
        guard text.isEmpty || text.hasSuffix("\n") else { throw Invalid() }
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "="), SecretKey.isValid(line[..<equals]) else { throw Invalid() }
            var scalars = line[line.index(after: equals)...].unicodeScalars.makeIterator()
            guard scalars.next() == "\"" else { throw Invalid() }
            var value = String.UnicodeScalarView()
            var closed = false
            while let scalar = scalars.next() {
                if closed { throw Invalid() }
                switch scalar {
                case "\"": closed = true
                case "\\":
                    switch scalars.next() {
                    case "\\": value.append("\\")
                    case "\"": value.append("\"")
                    case "n": value.append("\n")
                    case "r": value.append("\r")
                    case "$": value.append("$")
                    default: throw Invalid()
                    }
                case "$": throw Invalid()  // must have been escaped
                default: value.append(scalar)
                }
            }
            guard closed else { throw Invalid() }
            result[String(line[..<equals])] = String(value)
        }
        return result
    }
}
