/// Why fetching the secrets failed. Messages name statuses, hosts and keys, never a value or token.
///
/// Exit codes: network, timeout, TLS, 5xx, 429 → 69; 401/403/407 → 77; 404 → 66;
/// invalid data (bad JSON, invalid key, NUL, oversized body, unexpected status) → 65;
/// bad URL, bad token, refused redirect, redirect loop, another 4xx, no CA store for https → 78.
public enum FetchError: SoupRunFailure, Sendable, Equatable {
    /// No connection, or it broke: DNS, refused, reset. `origin` is scheme://host:port.
    case network(origin: String, message: String)
    /// No complete answer within `seconds`.
    case timedOut(origin: String, seconds: Double)
    /// Certificate verification or TLS setup failed.
    case tls(origin: String, message: String)
    /// 5xx. `serverMessage` is the body's `{"error"}` when it is JSON.
    case serverError(status: Int, serverMessage: String?, retryAfter: Double?)
    /// 429 Too Many Requests.
    case rateLimited(retryAfter: Double?)
    /// 401, 407.
    case permission(status: Int, serverMessage: String?)
    /// 403: the token is valid but may not read this project or environment.
    case forbidden(serverMessage: String?, project: String, environment: String)
    /// 404 from the API itself: project or environment not found.
    case notFound(serverMessage: String?, project: String, environment: String)
    /// 404 without the API's own error (no JSON `{"error"}` naming a project or environment):
    /// nothing at `url` speaks the Soup API, most likely a base URL without `/api/v1`.
    case noAPI(url: String, serverMessage: String?)
    /// Any other 4xx: the API refuses this request; retrying will not change that.
    case rejected(status: Int, serverMessage: String?)
    /// A status soup-run cannot use (1xx, 2xx other than 200, 3xx without Location, 304 unasked).
    case unexpectedStatus(Int)
    /// The 200 body failed validation: what is wrong (names the key, never the value).
    case invalidData(String)
    /// The body exceeded the cap.
    case bodyTooLarge(limit: Int)
    /// The secrets cannot fit in what exec takes: reading stopped there (exit 126, as the exec check).
    case tooLargeForExec(ExecSizeProblem)
    /// The API URL (or a redirect target) is unusable.
    case badURL(URLProblem)
    /// A redirect that would take the token somewhere it must not go.
    case redirectRefused(target: String, reason: String)
    /// More than `SecretsClient.maxRedirects` redirects.
    case tooManyRedirects(Int)
    /// The token cannot be sent in a header (say why, not what).
    case invalidToken(String)
    /// An https URL and no CA store to verify it with (`TrustStore.problem` says why).
    case noTrustStore(origin: String, message: String)
    /// The server at `url` answered with something that is not HTTP (HTTP/0.9, another protocol).
    case notHTTP(url: String)
    /// The response's headers exceeded `limit` bytes.
    case headersTooLarge(limit: Int)
    /// The proxy answered CONNECT with `status` instead of opening a tunnel to `target`.
    case proxyRefused(proxy: String, target: String, status: Int)
    /// A retryable error that persisted through every attempt.
    indirect case gaveUp(attempts: Int, last: FetchError)
    /// The API could not give the secrets (`original`; nil under `--offline`), and neither could
    /// the fallback copy (`--fallback`). The exit code is the original failure's (69 offline).
    indirect case fallbackUnusable(original: FetchError?, FallbackUnusable)
    /// A retryable error (a 429 above all) after which the next attempt could not begin within
    /// `--max-wait`: how long the start-up waited, over how many attempts.
    indirect case maxWaitReached(waited: Double, attempts: Int, maxWait: Double, last: FetchError)

    public var exitCode: ExitCode {
        switch self {
        case .network, .timedOut, .tls, .serverError, .rateLimited: return .unavailable
        case .permission, .forbidden: return .permission
        case .proxyRefused(_, _, let status): return status == 407 ? .permission : .unavailable
        case .headersTooLarge: return .invalidData
        case .notHTTP: return .configuration
        case .notFound: return .notFound
        case .unexpectedStatus, .invalidData, .bodyTooLarge: return .invalidData
        case .tooLargeForExec: return .cannotExecute
        // Another 4xx: the server understood and refuses this request, so the URL or the names
        // given do not fit it; retrying cannot help, and the API is not "unavailable".
        case .badURL, .redirectRefused, .tooManyRedirects, .invalidToken, .rejected, .noTrustStore, .noAPI:
            return .configuration
        case .gaveUp(_, let last), .maxWaitReached(_, _, _, let last): return last.exitCode
        case .fallbackUnusable(let original, _): return original?.exitCode ?? .unavailable
        }
    }

    /// Whether a later attempt may succeed: connection failures, timeouts, 5xx and 429.
    public var isRetryable: Bool {
        switch self {
        case .network, .timedOut, .serverError, .rateLimited: return true
        // A proxy whose upstream is down (502, 503, 504) may recover; a refusal will not.
        case .proxyRefused(_, _, let status): return status >= 500
        default: return false
        }
    }

    /// The server's `Retry-After`, in seconds, when it sent one with a 429 or 5xx.
    public var retryAfter: Double? {
        switch self {
        case .serverError(_, _, let seconds), .rateLimited(let seconds): return seconds
        case .gaveUp(_, let last), .maxWaitReached(_, _, _, let last): return last.retryAfter
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .network(let origin, let message):
            return "cannot reach the API at \(origin): \(message)"
        case .timedOut(let origin, let seconds):
            return "the API at \(origin) did not answer within \(OptionValues.format(seconds)) s (see --timeout)"
        case .tls(let origin, let message):
            return "TLS with \(origin) failed: \(message) (CA files: CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR)"
        case .serverError(let status, let message, _):
            return "the API failed with HTTP \(status)\(Self.suffix(message))"
        case .rateLimited(let seconds?):
            return "the API is rate limiting requests (HTTP 429); it allows the next request in "
                + "\(OptionValues.format(seconds)) s (Retry-After)"
        case .rateLimited(nil):
            return "the API is rate limiting requests (HTTP 429) and did not say when it allows the next one"
        case .permission(401, let message):
            return
                "the API rejected the token (HTTP 401)\(Self.suffix(message)); check --token, --token-file, SOUP_TOKEN or SOUP_TOKEN_FILE"
        case .permission(407, let message):
            return "the proxy requires authentication (HTTP 407)\(Self.suffix(message))"
        case .permission(let status, let message):
            return "the token has no access (HTTP \(status))\(Self.suffix(message))"
        case .forbidden(let message, let project, let environment):
            return "the token has no access to project '\(project)', environment '\(environment)' "
                + "(HTTP 403)\(Self.suffix(message))"
        case .notFound(let message, let project, let environment):
            let what = message ?? "not found"
            return "\(what) (HTTP 404) for project '\(project)', environment '\(environment)'"
        case .noAPI(let url, let message):
            return "HTTP 404\(Self.suffix(message)) without the API's own error: the API URL may be wrong "
                + "(no Soup API at \(url); it usually ends in /api/v1; see --api-url, SOUP_API_URL)"
        case .rejected(let status, let message):
            return "the API refused the request (HTTP \(status))\(Self.suffix(message)); check --api-url"
        case .unexpectedStatus(let status):
            return "the API answered with unexpected HTTP status \(status)"
        case .invalidData(let message):
            return "invalid data from the API: \(message)"
        case .bodyTooLarge(let limit):
            return "invalid data from the API: the body exceeds \(limit / (1 << 20)) MiB"
        case .tooLargeForExec(let problem):
            return problem.description
        case .badURL(let problem):
            return "invalid API URL (--api-url, SOUP_API_URL): \(problem)"
        case .redirectRefused(let target, let reason):
            return "refused to follow a redirect to \(target): \(reason)"
        case .tooManyRedirects(let count):
            return "too many redirects (more than \(count)); check --api-url"
        case .invalidToken(let reason):
            return "the token cannot be used: \(reason)"
        case .noTrustStore(let origin, let message):
            return "cannot verify TLS with \(origin): \(message)"
        case .notHTTP(let url):
            return "the server at \(url) does not speak HTTP; check --api-url (scheme and port)"
        case .headersTooLarge(let limit):
            return "invalid data from the API: the response headers exceed \(limit / 1024) KiB"
        case .proxyRefused(let proxy, _, 407):
            return
                "the proxy \(proxy) requires authentication (HTTP 407); give it in the proxy URL "
                + "(https_proxy=http://user:password@host:port)"
        case .proxyRefused(let proxy, let target, let status):
            return "the proxy \(proxy) refused to open a tunnel to \(target) (HTTP \(status))"
        case .gaveUp(let attempts, let last):
            return "\(last) (gave up after \(attempts) attempts)"
        case .fallbackUnusable(let original, let unusable):
            return original.map { "\($0); \(unusable)" } ?? "--offline: \(unusable)"
        case .maxWaitReached(let waited, let attempts, let maxWait, let last):
            let limit = "--max-wait \(DurationText.format(maxWait))"
            guard attempts > 1 else { return "\(last) (not waiting for a retry: \(limit))" }
            let why =
                last.retryAfter.map { " (the API asked for \(OptionValues.format($0.rounded(.up))) s more)" } ?? ""
            return
                "\(last) (gave up after waiting \(OptionValues.format(waited.rounded())) s over \(attempts) attempts: "
                + "the next attempt\(why) could not begin within \(limit))"
        }
    }

    private static func suffix(_ message: String?) -> String { message.map { ": \($0)" } ?? "" }

}
