import SoupRun
import SoupTestSupport
import Testing

/// Random argv arrays never crash the parser, and its answers keep their promises.
@Suite struct ParserFuzzTests {
    static let secret = "FUZZ-SECRET-TOKEN"

    /// Words the parser reacts to, plus noise.
    static func word(_ rng: inout SplitMix64) -> [String] {
        let spellings = OptionTable.all.flatMap { [$0.long] + ($0.shortSpelling.map { [$0] } ?? []) }
        switch Int.random(in: 0..<12, using: &rng) {
        case 0, 1: return [spellings.randomElement(using: &rng)!]
        case 2: return [spellings.randomElement(using: &rng)! + "=" + value(&rng)]
        case 3: return ["--token", secret]
        case 4: return ["--token=" + secret]
        case 5: return ["--"]
        case 6: return [["-", "", "-qv", "--=", "---", "-=", "--x=y"].randomElement(using: &rng)!]
        case 7: return [noise(&rng)]
        default: return [value(&rng)]
        }
    }

    static func value(_ rng: inout SplitMix64) -> String {
        ["p", "e", "cmd", "1", "0", "0.5", "-1", "TERM", "json", "bash", "A,B", "a", "http://h", "KEY", "", "1e9"]
            .randomElement(using: &rng)!
    }

    static func noise(_ rng: inout SplitMix64) -> String {
        let alphabet: [Unicode.Scalar] = ["-", "=", ",", "a", "Z", "0", " ", "\n", "\u{0}", "é", "🎉", "\\", "'"]
        let length = Int.random(in: 0..<8, using: &rng)
        var s = String.UnicodeScalarView()
        for _ in 0..<length { s.append(alphabet.randomElement(using: &rng)!) }
        return String(s)
    }

    @Test(arguments: 0..<4)
    func randomArgvNeverCrashes(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 7919)
        let environments: [[String: String]] = [
            [:], ["SOUP_TOKEN": Self.secret], ["SOUP_PROJECT": "p", "SOUP_ENVIRONMENT": "e", "SOUP_TOKEN_FILE": "/f"],
            ["SOUP_TOKEN": Self.secret, "SOUP_TOKEN_FILE": "/f", "SOUP_API_URL": "ftp://x"],
        ]
        var outcomes: [String: Int] = [:]
        for _ in 0..<2500 {
            var argv: [String] = []
            for _ in 0..<Int.random(in: 0..<9, using: &rng) { argv += Self.word(&rng) }
            let environment = environments.randomElement(using: &rng)!
            do {
                let invocation = try CommandLineParser.parse(argv, environment: environment)
                outcomes["ok", default: 0] += 1
                if case .run(let c) = invocation {
                    #expect(!c.project.isEmpty && !c.environment.isEmpty, "\(argv)")
                    if case .run(let command) = c.mode { #expect(!(command.first ?? "").isEmpty, "\(argv)") }
                    #expect(c.timeout > 0 && (0...100).contains(c.retries))
                    #expect((try? APIURL.parse(c.apiURL))?.string == c.apiURL)
                    #expect(c.watch == nil || !argv.contains("--export"))
                }
            } catch {
                outcomes["\(error.exitCode)", default: 0] += 1
                #expect(error.exitCode == .usage || error.exitCode == .configuration)
                #expect(!error.description.contains(Self.secret), "\(argv)")
                #expect(!error.description.contains("\n") && !error.description.contains("\u{0}"), "\(argv)")
            }
        }
        // The generator reaches both successes and both kinds of failure.
        #expect(outcomes.count == 3, "\(outcomes)")
    }
}
