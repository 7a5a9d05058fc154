import Testing
@testable import SoupRun

@Suite struct SecretsURLTests {
    @Test func buildsTheSecretsPath() throws {
        let url = try SecretsURL.build(
            apiURL: "https://api.soup.dev/api/v1", project: "my-app", environment: "prod", resolve: true)
        #expect(url.string == "https://api.soup.dev/api/v1/projects/my-app/environments/prod/secrets")
    }

    @Test func asksForRawValuesOnlyWhenNotResolving() throws {
        let url = try SecretsURL.build(
            apiURL: "http://127.0.0.1:8080/api/v1/", project: "p", environment: "e", resolve: false)
        #expect(url.string == "http://127.0.0.1:8080/api/v1/projects/p/environments/e/secrets?resolve=false")
    }

    @Test func encodesEachOperandAsOneSegment() throws {
        let url = try SecretsURL.build(apiURL: "https://h", project: "a/b?c", environment: "d e%", resolve: true)
        #expect(url.pathAndQuery == "/projects/a%2Fb%3Fc/environments/d%20e%25/secrets")
        let unicode = try SecretsURL.build(apiURL: "https://h", project: "café", environment: "..", resolve: true)
        #expect(unicode.pathAndQuery == "/projects/caf%C3%A9/environments/%2E%2E/secrets")
    }

    @Test func encodesDotSegmentsSoNormalisationCannotDropThem() throws {
        let url = try SecretsURL.build(apiURL: "https://h", project: ".", environment: "..", resolve: true)
        #expect(url.pathAndQuery == "/projects/%2E/environments/%2E%2E/secrets")
        #expect(SecretsURL.segment("a.b") == "a.b")
    }

    @Test func trimsEveryTrailingSlash() throws {
        let url = try SecretsURL.build(apiURL: "https://h/api//", project: "p", environment: "e", resolve: true)
        #expect(url.pathAndQuery == "/api/projects/p/environments/e/secrets")
    }

    @Test func rejectsABadAPIURLWithExitCode78() {
        #expect(throws: FetchError.badURL(.hasQuery)) {
            try SecretsURL.build(apiURL: "https://h/api?x=1", project: "p", environment: "e", resolve: true)
        }
        do {
            _ = try SecretsURL.build(apiURL: "gopher://h", project: "p", environment: "e", resolve: true)
            Issue.record("expected an error")
        } catch {
            #expect(error.exitCode == .configuration)
            #expect(error.description.contains("--api-url"))
        }
    }
}
