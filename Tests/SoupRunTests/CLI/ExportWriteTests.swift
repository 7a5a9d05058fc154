import SoupCore
import SoupTestSupport
import Testing

@testable import SoupRun

/// `ExportFormatter.write`: a `SecretSet` in chunks gives exactly the text the formatter gave
/// when it sorted a dictionary into one String (`reference`, that formatter's contract).
@Suite struct ExportWriteTests {
    /// The text of the dictionary formatter: keys in byte order, one entry after another.
    static func reference(_ secrets: [String: String], _ format: Configuration.ExportFormat) -> String {
        let keys = ByteOrder.sorted(secrets.keys)
        switch format {
        case .shell: return keys.map { "export \($0)=\(ExportFormatter.shellQuoted(secrets[$0]!))\n" }.joined()
        case .dotenv: return keys.map { "\($0)=\(ExportFormatter.dotenvQuoted(secrets[$0]!))\n" }.joined()
        case .fish: return keys.map { "set -gx \($0) \(ExportFormatter.fishQuoted(secrets[$0]!))\n" }.joined()
        case .json:
            var out: [UInt8] = []
            for key in keys {
                out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
                var key = key
                var value = secrets[key]!
                key.withUTF8 { JSON.appendQuoted(utf8: $0, to: &out) }
                out.append(UInt8(ascii: ":"))
                value.withUTF8 { JSON.appendQuoted(utf8: $0, to: &out) }
            }
            return (out.isEmpty ? "{" : String(decoding: out, as: UTF8.self)) + "}\n"
        }
    }

    static func randomSecrets(_ random: inout SplitMix64) -> [String: String] {
        let letters = Array("ABCKZ019_".unicodeScalars)
        let pieces = ["", "a", "'", "\"", "\\", "$", "\n", "\r", "\t", "é", "🎉", "日本", "'\\''", "\u{1}", "\u{301}"]
        var secrets: [String: String] = [:]
        for _ in 0..<random.next(below: 120) {
            var key = String.UnicodeScalarView(["A", "K", "Z"][random.next(below: 3)].unicodeScalars)
            for _ in 0..<random.next(below: 6) { key.append(letters[random.next(below: letters.count)]) }
            secrets[String(key)] = (0..<random.next(below: 8)).map { _ in pieces[random.next(below: pieces.count)] }
                .joined()
        }
        return secrets
    }

    /// `write` with `chunkBytes`, the chunks concatenated; each chunk is checked to hold whole entries.
    static func written(_ secrets: SecretSet, _ format: Configuration.ExportFormat, chunkBytes: Int) -> [String] {
        var chunks: [String] = []
        #expect(
            ExportFormatter.write(secrets, as: format, chunkBytes: chunkBytes) {
                chunks.append($0)
                return true
            })
        return chunks
    }

    @Test(arguments: Configuration.ExportFormat.allCases, 0..<25)
    func randomSecretsGiveTheDictionaryFormattersText(format: Configuration.ExportFormat, seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &+ 0x5EC2E7)
        let secrets = Self.randomSecrets(&random)
        let expected = Self.reference(secrets, format)
        #expect(ExportFormatter.format(secrets, as: format) == expected)
        for chunkBytes in [1, 7, 64, ExportFormatter.chunkBytes] {
            let chunks = Self.written(SecretSet(secrets), format, chunkBytes: chunkBytes)
            #expect(chunks.joined() == expected)
            // Whole entries only: every chunk but the JSON's last ends a line or an entry.
            if format != .json { #expect(chunks.allSatisfy { $0.isEmpty || $0.hasSuffix("\n") }) }
        }
    }

    @Test func theNastyValuesGiveTheDictionaryFormattersText() {
        for format in Configuration.ExportFormat.allCases {
            #expect(
                Self.written(SecretSet(ExportFormatterTests.nasty), format, chunkBytes: 16).joined()
                    == Self.reference(ExportFormatterTests.nasty, format))
        }
    }

    @Test func manySecretsComeInChunksOfAboutTheChunkSize() {
        var secrets: [String: String] = [:]
        for n in 0..<20_000 { secrets["K\(n)"] = "v" }
        let chunks = Self.written(SecretSet(secrets), .shell, chunkBytes: ExportFormatter.chunkBytes)
        #expect(chunks.count > 3)
        #expect(chunks.dropLast().allSatisfy { $0.utf8.count >= ExportFormatter.chunkBytes })
        #expect(chunks.allSatisfy { $0.utf8.count < ExportFormatter.chunkBytes + 64 })
        #expect(chunks.joined() == Self.reference(secrets, .shell))
    }

    @Test func aRefusedChunkStopsTheWrite() {
        var secrets: [String: String] = [:]
        for n in 0..<100 { secrets["K\(n)"] = "value" }
        var calls = 0
        let written = ExportFormatter.write(SecretSet(secrets), as: .dotenv, chunkBytes: 32) { _ in
            calls += 1
            return calls < 2
        }
        #expect(!written)
        #expect(calls == 2)
    }

    @Test(arguments: Configuration.ExportFormat.allCases)
    func anEmptySetIsStillOneWrite(format: Configuration.ExportFormat) {
        // So an export of nothing to a closed stdout still fails (exit 74), as it did.
        #expect(Self.written(SecretSet(), format, chunkBytes: 64) == [format == .json ? "{}\n" : ""])
        #expect(!ExportFormatter.write(SecretSet(), as: format) { _ in false })
    }
}
