/// The outcome of one conditional fetch.
public enum FetchResult: Sendable, Equatable {
    case secrets([String: String], etag: String?)
    /// 304: the secrets are unchanged since the ETag sent.
    case notModified
}

/// The start-up fetch's result: the secrets, their `ETag`, and the last wait a rate limit asked for
/// (nil when the API never refused), so `--watch` polls no faster than the API just allowed.
public struct StartUpFetch: Sendable, Equatable {
    public var secrets: [String: String]
    public var etag: String?
    public var rateLimitWait: Double?

    public init(secrets: [String: String], etag: String?, rateLimitWait: Double? = nil) {
        self.secrets = secrets
        self.etag = etag
        self.rateLimitWait = rateLimitWait
    }
}

/// `StartUpFetch` with the secrets as a `SecretSet`: what `--export` reads, no dictionary made.
public struct SecretSetFetch: Sendable, Equatable {
    public var secrets: SecretSet
    public var etag: String?
    public var rateLimitWait: Double?

    public init(secrets: SecretSet, etag: String?, rateLimitWait: Double? = nil) {
        self.secrets = secrets
        self.etag = etag
        self.rateLimitWait = rateLimitWait
    }

    /// The same with the secrets as a dictionary.
    public var startUpFetch: StartUpFetch {
        StartUpFetch(secrets: secrets.dictionary, etag: etag, rateLimitWait: rateLimitWait)
    }
}

/// Fetches the secrets of one project/environment: the request, same-origin redirects, retries,
/// validation. The network is behind `transport`; the clock and randomness are injected.
public struct SecretsClient: Sendable {
    /// Redirects followed within one attempt, all same-origin.
    public static let maxRedirects = 5
    /// The largest body accepted (the API contract's 16 MiB).
    public static let maxBodyBytes = SecretsDocument.maxBytes

    public let configuration: Configuration
    public let policy: RetryPolicy
    private let token: Secret
    private let transport: any HTTPTransport
    private let logger: Logger
    private let sleep: @Sendable (Double) -> Void
    private let random: @Sendable () -> Double
    private let monotonic: @Sendable () -> Double
    /// The request URL, built once: every poll sends the same one.
    private let url: Result<HTTPURL, FetchError>

    /// What exec can take for the secrets: a response over it is refused while it is read.
    public let budget: ExecBudget?

    public init(
        configuration: Configuration, token: Secret, transport: any HTTPTransport, logger: Logger,
        budget: ExecBudget? = nil,
        sleep: @escaping @Sendable (Double) -> Void = { Platform.sleep(seconds: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        monotonic: @escaping @Sendable () -> Double = { Platform.monotonicClock() }
    ) {
        self.configuration = configuration
        self.budget = budget
        self.policy = RetryPolicy(retries: configuration.retries, maxWait: configuration.maxWait)
        self.monotonic = monotonic
        self.url = Self.requestURL(configuration)
        self.token = token
        self.transport = transport
        self.logger = logger
        self.sleep = sleep
        self.random = random
    }

    /// The one-shot fetch: retries per `policy`; only retryable errors are retried.
    public func fetch() throws(FetchError) -> [String: String] {
        try fetchWithETag().secrets
    }

    /// `fetch()`, also returning the response's `ETag` (if the server sent one), so `--watch` can make
    /// its first poll conditional.
    public func fetchWithETag() throws(FetchError) -> (secrets: [String: String], etag: String?) {
        let fetched = try startUpFetch()
        return (fetched.secrets, fetched.etag)
    }

    /// The start-up fetch: retries per `policy` (only retryable errors; a 429 waits out its
    /// `Retry-After` without using up a retry, within `--max-wait`).
    public func startUpFetch() throws(FetchError) -> StartUpFetch { try startUpSetFetch().startUpFetch }

    /// `startUpFetch`, the secrets as they were read: a `SecretSet`.
    public func startUpSetFetch() throws(FetchError) -> SecretSetFetch {
        warnIfPlainHTTP()
        let started = monotonic()
        var attempt = 1
        var failures = 0
        var rateLimits = 0
        var waited = 0.0
        var lastRateLimitWait: Double?
        while true {
            do throws(FetchError) {
                switch try fetchOnce(ifNoneMatch: nil, attempt: (attempt, policy.retries + 1 + rateLimits)) {
                case .secrets(let secrets, let etag):
                    return SecretSetFetch(secrets: secrets, etag: etag, rateLimitWait: lastRateLimitWait)
                case .notModified: throw FetchError.unexpectedStatus(304)
                }
            } catch let error where error.isRetryable {
                // With --fallback, a 429 counts as an ordinary failure (against --retries, its
                // Retry-After honoured up to 4 s), so a start-up that is only being rate limited
                // starts from the copy after about a minute instead of waiting out --max-wait.
                var rateLimited = false
                if case .rateLimited = error, configuration.fallback == nil { rateLimited = true }
                if rateLimited { rateLimits += 1 } else { failures += 1 }
                let decision = policy.decide(
                    rateLimited: rateLimited, failures: failures, rateLimits: rateLimits,
                    retryAfter: error.retryAfter, elapsed: monotonic() - started, random: random())
                switch decision {
                case .retry(let wait):
                    if rateLimited {
                        lastRateLimitWait = wait
                        // Said once, not per attempt: a fleet's logs stay short, a person knows why it waits.
                        if rateLimits == 1 {
                            logger.info(
                                "the API is rate limiting requests (HTTP 429); waiting \(Seconds.format(wait)) "
                                    + "and retrying for up to --max-wait \(DurationText.format(policy.maxWait))")
                        }
                    }
                    logger.debug("attempt \(attempt) failed: \(error); retrying in \(Self.milliseconds(wait)) ms")
                    sleep(wait)
                    waited += wait
                    attempt += 1
                case .retriesUsed:
                    throw attempt > 1 ? .gaveUp(attempts: attempt, last: error) : error
                case .maxWaitReached:
                    throw .maxWaitReached(waited: waited, attempts: attempt, maxWait: policy.maxWait, last: error)
                }
            }
        }
    }

    /// One attempt (no retries), with `If-None-Match` when `etag` is given. Used by `--watch`.
    public func fetchOnce(ifNoneMatch etag: String?) throws(FetchError) -> FetchResult {
        switch try fetchOnce(ifNoneMatch: etag, attempt: nil) {
        case .secrets(let secrets, let etag): return .secrets(secrets.dictionary, etag: etag)
        case .notModified: return .notModified
        }
    }

    /// `fetchOnce`'s answer as read: the secrets a `SecretSet`.
    private enum Answer {
        case secrets(SecretSet, etag: String?)
        case notModified
    }

    /// Warns (not under `-q`) when the token would travel unencrypted to another machine.
    /// `fetch()` does this itself; a caller using only `fetchOnce` calls it once.
    public func warnIfPlainHTTP() {
        guard let url = try? requestURL(), url.scheme == "http" else { return }
        if let proxy = transport.proxy(for: url) {
            // The proxy reads every plain-http request, token included, wherever the API is.
            logger.warning(
                "sending the token over plain http to \(url.host) through the proxy \(proxy), which sees it; use https")
        } else if !url.isLoopback {
            logger.warning("sending the token over plain http to \(url.host); use https for anything but local testing")
        }
    }

    private func requestURL() throws(FetchError) -> HTTPURL {
        try url.get()
    }

    private static func requestURL(_ configuration: Configuration) -> Result<HTTPURL, FetchError> {
        Result { () throws(FetchError) -> HTTPURL in try buildURL(configuration) }
    }

    private static func buildURL(_ configuration: Configuration) throws(FetchError) -> HTTPURL {
        try SecretsURL.build(
            apiURL: configuration.apiURL, project: configuration.project, environment: configuration.environment,
            resolve: configuration.resolve)
    }

    /// - Parameter attempt: its number and the most there can be (429s do not count against it),
    ///   for the debug log.
    private func fetchOnce(ifNoneMatch etag: String?, attempt: (number: Int, of: Int)?) throws(FetchError)
        -> Answer
    {
        try Self.checkToken(token.value)
        let start = try requestURL()
        var url = start
        var headers = [
            "Authorization": "Bearer \(token.value)",
            "Accept": "application/json",
            "User-Agent": "soup-run/\(SoupRunVersion.string)",
        ]
        if let etag { headers["If-None-Match"] = etag }
        let label = attempt.map { " (attempt \($0.number) of \($0.of))" } ?? ""
        var redirects = 0
        while true {
            logger.debug("GET \(shown(url))\(label)")
            let request = TransportRequest(
                url: url.string, headers: headers, timeout: configuration.timeout, maxBodyBytes: Self.maxBodyBytes)
            let began = monotonic()
            let result = transport.get(request)
            let elapsed = Self.milliseconds(monotonic() - began)
            let response: TransportResponse
            switch result {
            case .failure(let failure):
                logger.debug("no response after \(elapsed) ms: \(failure.message)")
                throw Self.error(for: failure, url: url, timeout: configuration.timeout)
            case .success(let r):
                response = r
            }
            logger.debug("HTTP \(response.status) in \(elapsed) ms, \(response.body.count) bytes")
            let outcome = try ResponseInterpreter.interpret(
                response, sentETag: etag != nil, token: token.value, project: configuration.project,
                environment: configuration.environment, apiURL: configuration.apiURL, budget: budget)
            switch outcome {
            case .secrets(let secrets, let newETag):
                logger.debug("received \(secrets.count) \(secrets.count == 1 ? "key" : "keys")")
                return .secrets(secrets, etag: newETag)
            case .notModified:
                logger.debug("not modified")
                return .notModified
            case .redirect(let location):
                redirects += 1
                if redirects > Self.maxRedirects { throw .tooManyRedirects(Self.maxRedirects) }
                url = try RedirectPolicy.target(of: location, from: url, start: start, token: token.value)
                logger.debug("following redirect (HTTP \(response.status)) to \(shown(url))")
            }
        }
    }

    /// A URL for `-v`: redacted (userinfo, query values), and not at all when a redirect put (part
    /// of) the token into it.
    private func shown(_ url: HTTPURL) -> String {
        let text = url.redacted
        return ResponseInterpreter.echoesToken(text, token: token.value)
            ? "a URL that contains the token (not shown)" : text
    }

    /// Turns a transport failure into the error a person reads.
    static func error(for failure: TransportFailure, url: HTTPURL, timeout: Double) -> FetchError {
        let origin = url.origin.description
        let via = failure.proxy.map { " (through the proxy \($0))" } ?? ""
        switch failure.kind {
        case .timedOut: return .timedOut(origin: origin, seconds: timeout)
        case .network: return .network(origin: origin, message: failure.message + via)
        case .tls: return .tls(origin: origin, message: failure.message)
        case .badURL: return .badURL(.invalidHost)
        case .bodyTooLarge: return .bodyTooLarge(limit: maxBodyBytes)
        case .trustStore: return .noTrustStore(origin: origin, message: failure.message)
        case .headersTooLarge: return .headersTooLarge(limit: CurlTransport.maxHeaderBytes)
        case .notHTTP: return .notHTTP(url: url.redacted)
        case .proxyRefused(let status):
            return .proxyRefused(proxy: failure.proxy ?? "in use", target: origin, status: status)
        }
    }

    /// A token goes into a header line: refuse what would break one or smuggle another.
    static func checkToken(_ token: String) throws(FetchError) {
        if token.isEmpty { throw .invalidToken("it is empty") }
        if token.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value > 0x7E }) {
            throw .invalidToken("it contains a control or non-ASCII character, which an HTTP header cannot carry")
        }
    }

    static func milliseconds(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }

}
