import SoupCore
import Testing
@testable import SoupRun

@Suite("SecretTemplate: parsing, rendering, errors")
struct SecretTemplateTests {
    static let secrets = ["DB_PASSWORD": "p'w\"$x\n", "TOKEN": "héllo", "EMPTY": ""]

    func render(_ text: String, _ secrets: [String: String] = secrets) throws -> String {
        let template = try SecretTemplate.parse(Array(text.utf8), path: "app.tmpl")
        return String(decoding: try template.render(secrets), as: UTF8.self)
    }

    func parseError(_ text: String) -> TemplateError? {
        do {
            _ = try SecretTemplate.parse(Array(text.utf8), path: "conf/app.tmpl")
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("{{ TOKEN }}", "héllo"),
        ("{{TOKEN}}", "héllo"),
        ("{{\tTOKEN \t}}", "héllo"),
        ("a={{ TOKEN }};b={{ EMPTY }}.", "a=héllo;b=."),
        ("{{ DB_PASSWORD }}", "p'w\"$x\n"),
        ("{{ DB_PASSWORD | json }}", #""p'w\"$x\n""#),
        ("{{ DB_PASSWORD|shell }}", #"'p'\''w"$x"# + "\n'"),
        ("{{ TOKEN | base64 }}", "aMOpbGxv"),
        ("{{ EMPTY | base64 }}", ""),
        ("{{ TOKEN | base64 | json }}", #""aMOpbGxv""#),
        ("{{ EMPTY | json }}", #""""#),
        ("{{ EMPTY | shell }}", "''"),
    ])
    func tagsAreReplacedWithTheValueOrItsEncoding(text: String, expected: String) throws {
        #expect(try render(text) == expected)
    }

    @Test(arguments: [
        ("{{{{ TOKEN }}", "{{ TOKEN }}"),
        ("{{{{{{ TOKEN }}", "{{héllo"),
        ("{{{{}}", "{{}}"),
        ("}} and } and { alone", "}} and } and { alone"),
        ("x {{{{ {{ TOKEN }} }}", "x {{ héllo }}"),
        ("", ""),
    ])
    func quadrupleBracesAreALiteralAndLoneBracesAreText(text: String, expected: String) throws {
        #expect(try render(text) == expected)
    }

    @Test func textPassesThroughByteForByteIncludingInvalidUTF8() throws {
        let bytes: [UInt8] = [0xFF, 0x00, 0x0A] + Array("{{ TOKEN }}".utf8) + [0xC3]
        let template = try SecretTemplate.parse(bytes, path: "t")
        #expect(try template.render(Self.secrets) == [0xFF, 0x00, 0x0A] + Array("héllo".utf8) + [0xC3])
    }

    @Test func keysAreListedOnceInOrderOfFirstUse() throws {
        let template = try SecretTemplate.parse(Array("{{ B }}{{ A | json }}{{ B }}".utf8), path: "t")
        #expect(template.keys == ["B", "A"])
    }

    @Test func partsRecordTheLineOfEachTag() throws {
        let template = try SecretTemplate.parse(Array("a\n{{ A }}\n\nx {{ B | json }}".utf8), path: "t")
        #expect(
            template.parts == [
                .text(Array("a\n".utf8)), .value(key: "A", filters: [], line: 2), .text(Array("\n\nx ".utf8)),
                .value(key: "B", filters: [.json], line: 4),
            ])
    }

    @Test(arguments: [
        ("ok\n{{ TOKEN", 2, TemplateError.Reason.unclosedTag, "line 2", "not closed"),
        ("{{ TOKEN\n}}", 1, .unclosedTag, "line 1", "not closed"),
        ("a\nb\n{{ TOKEN }\n", 3, .unclosedTag, "line 3", "{{{{"),
        ("{{ }}", 1, .emptyTag, "line 1", "empty"),
        ("{{}}", 1, .emptyTag, "line 1", "empty"),
        ("\n{{ lower }}", 2, .invalidKey("lower"), "line 2", "'lower'"),
        ("{{ | json }}", 1, .invalidKey(""), "line 1", "invalid key"),
        ("{{{ TOKEN }}", 1, .invalidKey("{ TOKEN"), "line 1", "invalid key"),
        ("\n\n{{ TOKEN | yaml }}", 3, .unknownFilter("yaml", key: "TOKEN"), "line 3", "'yaml' for TOKEN"),
        ("{{ TOKEN | }}", 1, .unknownFilter("", key: "TOKEN"), "json, shell or base64", "TOKEN"),
        ("{{ TOKEN | JSON }}", 1, .unknownFilter("JSON", key: "TOKEN"), "line 1", "'JSON'"),
    ])
    func parseErrorsNameTheFileLineAndKey(
        text: String, line: Int, reason: TemplateError.Reason, mention: String, other: String
    ) throws {
        let error = try #require(parseError(text))
        #expect(error.line == line)
        #expect(error.reason == reason)
        #expect(error.exitCode == .invalidData)
        #expect(error.description.hasPrefix("template conf/app.tmpl line \(line): "))
        #expect(error.description.contains(mention))
        #expect(error.description.contains(other))
    }

    @Test func anUnknownKeyIsNotFoundWithItsLineAndNoValue() throws {
        let template = try SecretTemplate.parse(Array("{{ TOKEN }}\n{{ MISSING | json }}".utf8), path: "a.tmpl")
        #expect(throws: TemplateError(path: "a.tmpl", line: 2, .unknownKey("MISSING"))) {
            try template.render(Self.secrets)
        }
        let error = TemplateError(path: "a.tmpl", line: 2, .unknownKey("MISSING"))
        #expect(error.exitCode == .notFound)
        #expect(error.description == "template a.tmpl line 2: MISSING is not among the secrets")
    }

    @Test func base64MatchesTheStandardVectors() {
        // RFC 4648 §10.
        let vectors = [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ]
        for (input, output) in vectors { #expect(Base64.encode(input.utf8) == output) }
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
    }
}
