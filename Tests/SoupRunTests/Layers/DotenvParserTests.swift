import SoupCore
import SoupRun
import SoupTestSupport
import Testing

/// The `--env-file` reader: a table of inputs and what they mean, errors by line, and round
/// trips with `--export --format dotenv`.
@Suite struct DotenvParserTests {
    /// One input: the file's text and the variables it holds.
    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let expected: [String: String]
        var testDescription: String { String(reflecting: text) }
        init(_ text: String, _ expected: [String: String]) {
            self.text = text
            self.expected = expected
        }
    }

    static let valid: [Case] = [
        // Blank lines and comments.
        Case("", [:]),
        Case("\n\n\n", [:]),
        Case("   \t \n", [:]),
        Case("# a comment\n", [:]),
        Case("   # an indented comment\nA=1\n", ["A": "1"]),
        Case("#A=1\n", [:]),
        // Unquoted values.
        Case("A=1", ["A": "1"]),
        Case("A=1\nB=2\n", ["A": "1", "B": "2"]),
        Case("A=", ["A": ""]),
        Case("A=\n", ["A": ""]),
        Case("A = 1\n", ["A": "1"]),
        Case("A\t=\t1\t\n", ["A": "1"]),
        Case("  A=1", ["A": "1"]),
        Case("A=hello world\n", ["A": "hello world"]),
        Case("A=  padded  \n", ["A": "padded"]),
        Case("A=a=b=c\n", ["A": "a=b=c"]),
        Case("A=b#c\n", ["A": "b#c"]),
        Case("A=b #c\n", ["A": "b"]),
        Case("A=b\t# comment\n", ["A": "b"]),
        Case("A= # only a comment\n", ["A": ""]),
        Case("A=#x\n", ["A": "#x"]),
        Case("A=it's\n", ["A": "it's"]),
        Case("A=say \"hi\"\n", ["A": "say \"hi\""]),
        Case("A=C:\\dir\\n\n", ["A": "C:\\dir\\n"]),
        Case("A=$HOME ${PATH}\n", ["A": "$HOME ${PATH}"]),
        Case("A=ünïcødé 🍲\n", ["A": "ünïcødé 🍲"]),
        // `export` prefixes.
        Case("export A=1\n", ["A": "1"]),
        Case("export\tA=1\n", ["A": "1"]),
        Case("  export   A=\"x\"\n", ["A": "x"]),
        // Double quotes and their escapes.
        Case("A=\"x\"\n", ["A": "x"]),
        Case("A=\"\"\n", ["A": ""]),
        Case("A=\"  spaced  \"\n", ["A": "  spaced  "]),
        Case("A=\"a\\nb\"\n", ["A": "a\nb"]),
        Case("A=\"a\\rb\"\n", ["A": "a\rb"]),
        Case("A=\"a\\tb\"\n", ["A": "a\tb"]),
        Case("A=\"a\\\\b\"\n", ["A": "a\\b"]),
        Case("A=\"a\\\"b\"\n", ["A": "a\"b"]),
        Case("A=\"\\$HOME\"\n", ["A": "$HOME"]),
        Case("A=\"$HOME\"\n", ["A": "$HOME"]),
        Case("A=\"C:\\dir\"\n", ["A": "C:\\dir"]),
        Case("A=\"a # not a comment\"\n", ["A": "a # not a comment"]),
        Case("A=\"x\" # a comment\n", ["A": "x"]),
        Case("A=\"x\"# a comment\n", ["A": "x"]),
        Case("A=\"it's\"\n", ["A": "it's"]),
        Case("A=\"line one\nline two\"\nB=2\n", ["A": "line one\nline two", "B": "2"]),
        Case("A=\"tab\there\"\n", ["A": "tab\there"]),
        // Single quotes: everything literal.
        Case("A='x'\n", ["A": "x"]),
        Case("A=''\n", ["A": ""]),
        Case("A='a\\nb $X \"q\"'\n", ["A": "a\\nb $X \"q\""]),
        Case("A='a # b' # comment\n", ["A": "a # b"]),
        Case("A='one\ntwo'\n", ["A": "one\ntwo"]),
        // Line ends, byte order mark, duplicates.
        Case("A=1\r\nB=\"2\"\r\n", ["A": "1", "B": "2"]),
        Case("A=\"one\r\ntwo\"\r\n", ["A": "one\ntwo"]),
        Case("\u{FEFF}A=1\n", ["A": "1"]),
        Case("\u{FEFF}# comment\r\nA=1", ["A": "1"]),
        Case("A=1\nA=2\n", ["A": "2"]),
        Case("A=1\nB=x\nA=\"3\"\n", ["A": "3", "B": "x"]),
        // Keys at the edges of the key rule.
        Case("A_1=x\n", ["A_1": "x"]),
        Case(String(repeating: "K", count: 255) + "=x\n", [String(repeating: "K", count: 255): "x"]),
    ]

    @Test(arguments: valid)
    func validInput(_ c: Case) throws {
        #expect(try DotenvParser.parse(Array(c.text.utf8)) == c.expected)
    }

    /// One invalid input: the line and problem reported. The value `s3cret` must never be shown.
    struct Failure: Sendable, CustomTestStringConvertible {
        let text: String
        let line: Int
        let problem: DotenvError.Problem
        var testDescription: String { String(reflecting: text) }
        init(_ text: String, line: Int, _ problem: DotenvError.Problem) {
            self.text = text
            self.line = line
            self.problem = problem
        }
    }

    static let invalid: [Failure] = [
        Failure("s3cret\n", line: 1, .missingEquals),
        Failure("A=1\ns3cret words\n", line: 2, .missingEquals),
        Failure("export s3cret\n", line: 1, .missingEquals),
        Failure("=s3cret\n", line: 1, .emptyKey),
        Failure("lower=s3cret\n", line: 1, .invalidKey("lower")),
        Failure("1A=s3cret\n", line: 1, .invalidKey("1A")),
        Failure("A-B=s3cret\n", line: 1, .invalidKey("A-B")),
        Failure("export=s3cret\n", line: 1, .invalidKey("export")),
        Failure(
            String(repeating: "K", count: 256) + "=s3cret\n", line: 1, .invalidKey(String(repeating: "K", count: 256))),
        Failure("A=\"s3cret\n", line: 1, .unterminatedQuote(double: true)),
        Failure("A=1\n\nB=\"s3cret\nmore\n", line: 3, .unterminatedQuote(double: true)),
        Failure("A='s3cret\n", line: 1, .unterminatedQuote(double: false)),
        Failure("A=\"s3cret\\\"\n", line: 1, .unterminatedQuote(double: true)),
        Failure("A=\"s3\"cret\n", line: 1, .textAfterQuote),
        Failure("A='s3' cret\n", line: 1, .textAfterQuote),
        Failure("A=\"one\ntwo\" s3cret\n", line: 2, .textAfterQuote),
        Failure("A=1\nB=s3cret\u{0}\n", line: 2, .nulByte),
    ]

    @Test(arguments: invalid)
    func invalidInput(_ f: Failure) {
        #expect(throws: DotenvError(line: f.line, problem: f.problem)) { try DotenvParser.parse(Array(f.text.utf8)) }
        let message = DotenvError(line: f.line, problem: f.problem).description
        #expect(message.hasPrefix("line \(f.line): "))
        #expect(!message.contains("s3cret") && !message.contains("cret"), "\(message)")
    }

    @Test func invalidUTF8IsRefusedWithItsLine() {
        let bytes = Array("A=1\nB=caf".utf8) + [0xE9] + Array("\n".utf8)
        #expect(throws: DotenvError(line: 2, problem: .invalidUTF8)) { try DotenvParser.parse(bytes) }
    }

    @Test func entriesKeepTheirLinesAndDuplicates() throws {
        let entries = try DotenvParser.entries(Array("# c\nA=1\nB=\"x\ny\"\nA=2\n".utf8))
        #expect(entries.map(\.key) == ["A", "B", "A"])
        #expect(entries.map(\.line) == [2, 3, 5])
    }

    /// What `--export --format dotenv` writes reads back exactly, for random values (seeded):
    /// quotes, backslashes, `$`, `#`, line breaks, tabs, controls and non-ASCII included.
    @Test(arguments: [UInt64(1), 2, 3, 42, 2026])
    func exportRoundTrip(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let alphabet: [String] = [
            "a", "Z", "0", " ", "\t", "\n", "\r", "\r\n", "\"", "'", "\\", "$", "{", "}", "#", "=", "`", "!",
            "é", "🍲", "日", "\u{200B}", "\u{1}", "\u{7F}", "\u{301}", "export ", "\\n", "\\\"",
        ]
        for _ in 0..<50 {
            var secrets: [String: String] = [:]
            for k in 0..<(1 + random.next(below: 12)) {
                var value = ""
                for _ in 0..<random.next(below: 40) { value += alphabet[random.next(below: alphabet.count)] }
                secrets["K\(k)_\(random.next(below: 1000))"] = value
            }
            let text = ExportFormatter.format(secrets, as: .dotenv)
            #expect(try DotenvParser.parse(Array(text.utf8)) == secrets, "seed \(seed)")
        }
    }

    /// Random edits of valid files never crash the reader; an error names a line of the input,
    /// and whatever is accepted has valid keys and reads back from soup-run's export.
    @Test(arguments: [UInt64(7), 8, 9, 10])
    func mutatedFilesNeverCrash(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let pieces: [[UInt8]] =
            ["\"", "'", "\\", "#", "=", " ", "\n", "\r", "export ", "A", "b", "\u{FEFF}"].map {
                Array($0.utf8)
            } + [[0], [0xE9], [0xF0, 0x9F]]
        let seeds = Self.valid.map(\.text) + Self.invalid.map(\.text)
        for _ in 0..<2000 {
            var bytes = Array(seeds[random.next(below: seeds.count)].utf8)
            for _ in 0..<(1 + random.next(below: 4)) {
                let at = random.next(below: bytes.count + 1)
                if random.next(below: 2) == 0, at < bytes.count {
                    bytes.remove(at: at)
                } else {
                    bytes.insert(contentsOf: pieces[random.next(below: pieces.count)], at: at)
                }
            }
            let lines = bytes.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            do {
                let variables = try DotenvParser.parse(bytes)
                #expect(variables.keys.allSatisfy { SecretKey.isValid($0) })
                let exported = Array(ExportFormatter.format(variables, as: .dotenv).utf8)
                #expect(try DotenvParser.parse(exported) == variables, "seed \(seed)")
            } catch {
                #expect((1...lines).contains(error.line), "seed \(seed): line \(error.line) of \(lines)")
            }
        }
    }
}
