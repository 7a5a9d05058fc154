import Testing
@testable import SoupRun

@Suite struct FetchErrorTests {
    static let cases: [(FetchError, ExitCode, Bool)] = [
        (.network(origin: "http://h:80", message: "Connection refused"), .unavailable, true),
        (.timedOut(origin: "http://h:80", seconds: 0.5), .unavailable, true),
        (.tls(origin: "https://h:443", message: "bad cert"), .unavailable, false),
        (.serverError(status: 500, serverMessage: nil, retryAfter: nil), .unavailable, true),
        (.serverError(status: 503, serverMessage: "down", retryAfter: 2), .unavailable, true),
        (.rateLimited(retryAfter: nil), .unavailable, true),
        (.rejected(status: 400, serverMessage: nil), .configuration, false),
        (.permission(status: 401, serverMessage: "Invalid token"), .permission, false),
        (.forbidden(serverMessage: nil, project: "p", environment: "e"), .permission, false),
        (.permission(status: 407, serverMessage: nil), .permission, false),
        (.notFound(serverMessage: "Environment not found", project: "p", environment: "e"), .notFound, false),
        (.noAPI(url: "http://h:80", serverMessage: "Not found"), .configuration, false),
        (.unexpectedStatus(204), .invalidData, false),
        (.invalidData("invalid key"), .invalidData, false),
        (.bodyTooLarge(limit: 16 << 20), .invalidData, false),
        (.badURL(.invalidHost), .configuration, false),
        (.redirectRefused(target: "https://evil:443", reason: "r"), .configuration, false),
        (.tooManyRedirects(5), .configuration, false),
        (.invalidToken("it is empty"), .configuration, false),
        (
            .noTrustStore(origin: "https://h:443", message: "SSL_CERT_FILE names /x, which is not a file"),
            .configuration, false
        ),
        (.gaveUp(attempts: 4, last: .rateLimited(retryAfter: 1)), .unavailable, false),
    ]

    @Test(arguments: cases)
    func exitCodeAndRetryability(error: FetchError, code: ExitCode, retryable: Bool) {
        #expect(error.exitCode == code)
        #expect(error.isRetryable == retryable)
        #expect(!error.description.isEmpty)
    }

    @Test func retryAfterComesFrom429And5xx() {
        #expect(FetchError.rateLimited(retryAfter: 3).retryAfter == 3)
        #expect(FetchError.serverError(status: 503, serverMessage: nil, retryAfter: 1).retryAfter == 1)
        #expect(FetchError.gaveUp(attempts: 2, last: .rateLimited(retryAfter: 9)).retryAfter == 9)
        #expect(FetchError.network(origin: "o", message: "m").retryAfter == nil)
    }

    @Test func messagesNameTheSituation() {
        #expect(
            FetchError.notFound(serverMessage: "Environment not found", project: "my-app", environment: "nope")
                .description
                == "Environment not found (HTTP 404) for project 'my-app', environment 'nope'")
        #expect(FetchError.timedOut(origin: "http://127.0.0.1:9", seconds: 0.5).description.contains("0.5 s"))
        #expect(FetchError.timedOut(origin: "http://127.0.0.1:9", seconds: 10).description.contains("10 s"))
        #expect(
            FetchError.gaveUp(attempts: 4, last: .serverError(status: 502, serverMessage: nil, retryAfter: nil))
                .description
                == "the API failed with HTTP 502 (gave up after 4 attempts)")
        #expect(FetchError.permission(status: 401, serverMessage: nil).description.contains("SOUP_TOKEN"))
        #expect(FetchError.bodyTooLarge(limit: 16 << 20).description.contains("16 MiB"))
        #expect(
            FetchError.forbidden(serverMessage: "Permission denied", project: "my-app", environment: "prod").description
                == "the token has no access to project 'my-app', environment 'prod' (HTTP 403): Permission denied")
        #expect(
            FetchError.noAPI(url: "http://127.0.0.1:8080", serverMessage: nil).description
                == "HTTP 404 without the API's own error: the API URL may be wrong (no Soup API at "
                + "http://127.0.0.1:8080; it usually ends in /api/v1; see --api-url, SOUP_API_URL)")
        #expect(
            FetchError.rateLimited(retryAfter: 30).description
                == "the API is rate limiting requests (HTTP 429); it allows the next request in 30 s (Retry-After)")
        #expect(
            FetchError.gaveUp(attempts: 4, last: .rateLimited(retryAfter: 1.5)).description.hasSuffix(
                "it allows the next request in 1.5 s (Retry-After) (gave up after 4 attempts)"))
        #expect(FetchError.rateLimited(retryAfter: nil).description.contains("did not say when"))
    }
}
