import SoupRun
import Testing

/// Where the token comes from (flags over variables), and reading it from a file.
@Suite struct TokenTests {
    static let pec = ["p", "e", "cmd"]

    @Test(arguments: [
        // (flags, environment, expected source)
        ([], ["SOUP_TOKEN": "env-tok"], Configuration.TokenSource.literal(Secret("env-tok"))),
        ([], ["SOUP_TOKEN_FILE": "/env/file"], .file(path: "/env/file")),
        ([], ["SOUP_TOKEN": "", "SOUP_TOKEN_FILE": "/env/file"], .file(path: "/env/file")),
        ([], ["SOUP_TOKEN": "env-tok", "SOUP_TOKEN_FILE": ""], .literal(Secret("env-tok"))),
        (["--token", "flag-tok"], ["SOUP_TOKEN": "env-tok"], .literal(Secret("flag-tok"))),
        (["--token", "flag-tok"], ["SOUP_TOKEN_FILE": "/env/file"], .literal(Secret("flag-tok"))),
        (["--token", "flag-tok"], ["SOUP_TOKEN": "a", "SOUP_TOKEN_FILE": "/env/file"], .literal(Secret("flag-tok"))),
        (["--token-file", "/flag/file"], ["SOUP_TOKEN": "env-tok"], .file(path: "/flag/file")),
        (["--token-file=/flag/file"], ["SOUP_TOKEN": "a", "SOUP_TOKEN_FILE": "/env/file"], .file(path: "/flag/file")),
        (["--token-file", "/flag/file"], [:], .file(path: "/flag/file")),
    ])
    func flagsWinOverVariables(flags: [String], environment: [String: String], expected: Configuration.TokenSource)
        throws
    {
        #expect(try Parse.configuration(flags + Self.pec, environment: environment).token == expected)
    }

    @Test(arguments: [
        ([], [:], "https://api.soup.dev/api/v1"),
        ([], ["SOUP_API_URL": "http://localhost:8080/api/v1/"], "http://localhost:8080/api/v1"),
        ([], ["SOUP_API_URL": ""], "https://api.soup.dev/api/v1"),
        (["--api-url", "http://[::1]:9/x//"], ["SOUP_API_URL": "http://localhost:8080/"], "http://[::1]:9/x"),
    ])
    func apiURLPrecedence(flags: [String], environment: [String: String], expected: String) throws {
        let c = try Parse.configuration(flags + Self.pec, environment: environment.merging(Parse.env) { a, _ in a })
        #expect(c.apiURL == expected)
    }

    @Test func tokenDescriptionsAreRedacted() {
        let source = Configuration.TokenSource.literal(Secret(Parse.token))
        #expect(!"\(source)".contains(Parse.token))
        #expect(!String(reflecting: Secret(Parse.token)).contains(Parse.token))
    }

    // MARK: TokenLoader

    static func load(_ bytes: [UInt8], path: String = "/run/secrets/t") throws(ConfigurationError) -> Secret {
        try TokenLoader.load(.file(path: path)) { _ in bytes }
    }

    @Test(arguments: [
        ("abc", "abc"), ("abc\n", "abc"), ("abc\r\n", "abc"), ("abc\n\n", "abc"), ("abc\r\n\r\n", "abc"),
        ("a b", "a b"), (" abc", " abc"), ("tök€n", "tök€n"),
    ])
    func fileTokenTrimsTrailingLineBreaks(content: String, token: String) throws {
        #expect(try Self.load(Array(content.utf8)).value == token)
    }

    @Test(arguments: [
        ([], "is empty"), (Array("\n".utf8), "is empty"), (Array("\r\n\n".utf8), "is empty"),
        (Array("ab\0cd".utf8), "NUL"), (Array("ab\ncd\n".utf8), "line break"), (Array("ab\rcd".utf8), "line break"),
        (Array("ab\tcd".utf8), "control character"), (Array("ab\u{7f}".utf8), "control character"),
        ([0x61, 0xFF, 0x62], "not valid UTF-8"),
        (Array(repeating: 0x61, count: 64 * 1024 + 1), "larger than 64 KiB"),
    ])
    func badTokenFilesAreRefusedNamingThePath(bytes: [UInt8], problem: String) throws {
        let error = try #require(throws: ConfigurationError.self) { try Self.load(bytes, path: "/run/secrets/tok") }
        #expect(error.exitCode == .configuration)
        #expect(error.description.contains("/run/secrets/tok"))
        #expect(error.description.contains(problem), "\(error)")
        #expect(!error.description.contains("ab"))
    }

    @Test func unreadableFileNamesPathAndReason() throws {
        struct NoSuchFile: Error, CustomStringConvertible { var description: String { "No such file or directory" } }
        let error = try #require(throws: ConfigurationError.self) {
            try TokenLoader.load(.file(path: "/missing/tok")) { _ in throw NoSuchFile() }
        }
        #expect(error.description == "cannot read the token file /missing/tok: No such file or directory")
        #expect(error.exitCode == .configuration)
    }

    @Test func literalTokensAreCheckedToo() throws {
        #expect(try TokenLoader.load(.literal(Secret("abc"))) { _ in [] }.value == "abc")
        let error = try #require(throws: ConfigurationError.self) {
            try TokenLoader.load(.literal(Secret("a\nsecret"))) { _ in [] }
        }
        #expect(error.description.contains("line break") && !error.description.contains("secret\n"))
    }

    @Test func readFileIsCalledWithThePath() throws {
        let token = try TokenLoader.load(.file(path: "/the/path")) { path in Array("tok-\(path)\n".utf8) }
        #expect(token.value == "tok-/the/path")
    }
}
