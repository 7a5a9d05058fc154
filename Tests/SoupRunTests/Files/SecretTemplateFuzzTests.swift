import SoupCore
import SoupTestSupport
import Testing
@testable import SoupRun

/// Random templates never crash the parser, errors point at a real line, and escaped text
/// comes back exactly.
@Suite struct SecretTemplateFuzzTests {
    static let pieces: [String] = [
        "{", "}", "{{", "}}", "{{{{", "|", " ", "\t", "\n", "A", "KEY", "B_2", "x", "json", "shell", "base64", "yaml",
        "é", "\r", "=", "\u{0}",
    ]

    static func text(_ rng: inout SplitMix64) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<rng.next(below: 24) { bytes += Array(pieces[rng.next(below: pieces.count)].utf8) }
        if rng.next(below: 4) == 0 { bytes.append(UInt8(truncatingIfNeeded: rng.next())) }
        return bytes
    }

    @Test(arguments: 0..<4)
    func randomTemplatesParseOrFailOnARealLine(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 104_729)
        let secrets = ["A": "va", "KEY": "v'\"\n", "B_2": ""]
        var parsed = 0
        for _ in 0..<3000 {
            let bytes = Self.text(&rng)
            let lines = bytes.filter { $0 == UInt8(ascii: "\n") }.count + 1
            do {
                let template = try SecretTemplate.parse(bytes, path: "f")
                parsed += 1
                // Every key a parsed template uses is valid, and rendering needs only those.
                #expect(template.keys.allSatisfy { SecretKey.isValid($0) })
                let known = Dictionary(uniqueKeysWithValues: template.keys.map { ($0, secrets[$0] ?? "z") })
                #expect(throws: Never.self) { try template.render(known) }
            } catch {
                #expect((1...lines).contains(error.line ?? 0), "\(bytes)")
                #expect(error.exitCode == .invalidData)
            }
        }
        #expect(parsed > 100, "the generator also makes valid templates")
    }

    @Test(arguments: 0..<4)
    func escapedTextRendersToItself(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) &* 15_485_863)
        for _ in 0..<3000 {
            let bytes = Self.text(&rng)
            // `{{` → `{{{{`, left to right: the escaping a user applies to literal text.
            var escaped: [UInt8] = []
            var index = 0
            while index < bytes.count {
                if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "{"), bytes[index + 1] == UInt8(ascii: "{") {
                    escaped += Array("{{{{".utf8)
                    index += 2
                } else {
                    escaped.append(bytes[index])
                    index += 1
                }
            }
            #expect(try SecretTemplate.parse(escaped, path: "f").render([:]) == bytes, "\(bytes)")
        }
    }
}
