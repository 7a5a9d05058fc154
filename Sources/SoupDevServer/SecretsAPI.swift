import SoupCore
import SoupHTTP

/// The Secrets API as a function from request to response, independent of sockets.
///
/// Checks run in this order, so a response never reveals more than the caller may know:
/// the path (404 unknown path, 400 malformed encoding) and the method (405; `HEAD` is accepted
/// wherever `GET` is), which describe only the API itself; then the token (401), its rate limit
/// (429), its access to the project (403), the project and environment (404), and last the
/// request's query and body (400).
public final class SecretsAPI: Sendable {
    public let store: Store
    private let limiter: RateLimiter
    private let now: @Sendable () -> Duration

    /// - Parameters:
    ///   - now: a monotonic clock for rate limiting; tests pass one they step by hand.
    public init(
        store: Store, limiter: RateLimiter = RateLimiter(),
        now: @escaping @Sendable () -> Duration = SecretsAPI.monotonicClock()
    ) {
        self.store = store
        self.limiter = limiter
        self.now = now
    }

    /// Time elapsed since the call, from the system's monotonic clock.
    public static func monotonicClock() -> @Sendable () -> Duration {
        let origin = ContinuousClock.now
        return { ContinuousClock.now - origin }
    }

    /// Answers one request. Never throws, never crashes on any input: every refusal is a JSON error.
    @Sendable public func handle(_ request: HTTPRequest) -> HTTPResponse {
        do {
            return try respond(to: request)
        } catch {
            return error.response
        }
    }

    private func respond(to request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let route: Route
        do {
            route = try Route.parse(path: request.path)
        } catch .badEncoding {
            throw .badRequest("Malformed percent-encoding in the path")
        } catch {
            throw .noSuchPath
        }
        guard route.allowedMethods.contains(request.method) else {
            throw .methodNotAllowed(allowed: route.allowedMethods)
        }
        // HEAD is answered as GET; the HTTP server sends the head without the body.
        let method = request.method == "HEAD" ? "GET" : request.method
        let (state, generation) = store.versionedSnapshot
        guard let token = Self.bearerToken(request.header("Authorization")), let grant = state.tokens[token] else {
            throw .unauthorized
        }
        if case .limited(let seconds) = limiter.admit(token: token, limit: grant.tier.requestsPerMinute, now: now()) {
            throw .rateLimited(retryAfter: seconds)
        }
        guard grant.allows(project: route.project) else { throw .permissionDenied }
        guard let project = state.projects[route.project] else { throw .projectNotFound }
        // The listing most clients poll: answered from the kept body, without resolving or
        // encoding, when no write has changed it (a kept body also means the environment exists).
        let listing = Self.listingKey(route, method: method, query: request.query)
        if let listing, let cached = store.cachedBody(listing) { return Self.answer(cached, request: request) }
        guard let visible = Resolution.inherited(project, environment: route.environment) else {
            throw .environmentNotFound
        }

        switch (route, method) {
        case (.secrets, "GET"):
            let options = try QueryOptions.parse(request.query)
            let values = options.resolve ? Resolution.resolve(visible) : visible
            let body = CachedBody(body: Self.data(200, .stringObject(values)).body)
            if let listing { store.remember(body, for: listing, generation: generation) }
            return Self.answer(body, request: request)
        case (.secret(_, _, let key), "GET"):
            let options = try QueryOptions.parse(request.query)
            guard visible[key] != nil else { throw .secretNotFound }
            let value = options.resolve ? Resolution.resolve(visible)[key]! : visible[key]!
            return Self.data(200, .object(["key": .string(key), "value": .string(value)]))
        case (.keys, "GET"):
            let keys = visible.keys.sorted().map { JSONValue.string($0) }
            return Self.data(200, .array(keys))
        case (.secrets, "POST"):
            let (key, value) = try Self.secretToSet(request.body)
            try save { state in
                state.projects[route.project]?.environments[route.environment]?.secrets[key] = value
            }
            return Self.data(201, .object(["key": .string(key)]))
        case (.secret(_, _, let key), "DELETE"):
            let removed = try save { state in
                state.projects[route.project]?.environments[route.environment]?.secrets.removeValue(forKey: key) != nil
            }
            guard removed else { throw .secretNotFound }
            return HTTPResponse(status: 204)
        default:
            throw .methodNotAllowed(allowed: route.allowedMethods)
        }
    }

    /// A success response: `{"data": <value>}` as compact JSON (members sorted).
    static func data(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        .json(status: status, JSONValue.object(["data": value]).encoded())
    }

    private func save<T>(_ change: (inout DevServerState) -> T) throws(APIError) -> T {
        do {
            return try store.update(change)
        } catch {
            throw .storageFailed
        }
    }

    /// The token of an `Authorization: Bearer <token>` field; the scheme is case-insensitive.
    static func bearerToken(_ field: String?) -> String? {
        guard let field else { return nil }
        let trimmed = field.drop { $0 == " " || $0 == "\t" }
        guard trimmed.count > 7, trimmed.prefix(6).lowercased() == "bearer",
            let separator = trimmed.dropFirst(6).first, separator == " " || separator == "\t"
        else { return nil }
        let token = trimmed.dropFirst(7).drop { $0 == " " || $0 == "\t" }
        let end = token.lastIndex { $0 != " " && $0 != "\t" }
        guard let end else { return nil }
        return String(token[...end])
    }

    /// The kernel's limit on one `KEY=value` string of an environment, NUL included (Linux's
    /// MAX_ARG_STRLEN, 32 pages of 4 KiB): a longer one makes `execve` fail with E2BIG.
    public static let maxVariableBytes = 128 * 1024

    /// The key and value of a POST body `{"key": "K", "value": "V"}`; other members are ignored.
    static func secretToSet(_ body: [UInt8]) throws(APIError) -> (key: String, value: String) {
        let document: JSONValue
        do {
            document = try JSON.parse(body)
        } catch {
            throw .badRequest("Invalid JSON body: \(error)")
        }
        guard let members = document.objectValue else {
            throw .badRequest("Request body must be a JSON object with string members key and value")
        }
        var strings: [String] = []
        for name in ["key", "value"] {
            guard let member = members[name] else { throw .badRequest("Missing member \(name) in the request body") }
            guard let text = member.stringValue else { throw .badRequest("Member \(name) must be a string") }
            strings.append(text)
        }
        guard SecretKey.isValid(strings[0]) else { throw .badRequest("Invalid key: \(SecretKey.rule)") }
        // What no consumer can use is refused here rather than at every fetch: an environment
        // variable is a C string, and the kernel refuses to exec with one longer than its limit.
        if strings[1].utf8.contains(0) {
            throw .badRequest(
                "Invalid value: a value must not contain NUL (U+0000), which no environment variable can hold")
        }
        let variableBytes = strings[0].utf8.count + 1 + strings[1].utf8.count + 1
        if variableBytes > maxVariableBytes {
            throw .tooLarge(
                "Value too large: KEY=value is \(variableBytes) bytes with its terminating NUL, over the kernel's "
                    + "limit of \(maxVariableBytes) bytes (128 KiB, MAX_ARG_STRLEN) for one environment variable")
        }
        return (strings[0], strings[1])
    }

    /// The cache key of a listing request (`GET .../secrets`, query valid), else nil.
    static func listingKey(_ route: Route, method: String, query: Substring?) -> BodyKey? {
        guard case .secrets(let project, let environment) = route, method == "GET",
            let options = try? QueryOptions.parse(query)
        else { return nil }
        return BodyKey(project: project, environment: environment, resolve: options.resolve)
    }

    /// 200 with the body and its `ETag`, or 304 with only the tag when `If-None-Match` matches it.
    static func answer(_ cached: CachedBody, request: HTTPRequest) -> HTTPResponse {
        if let field = request.header("If-None-Match"), ETag.ifNoneMatch(field, matches: cached.etag) {
            return HTTPResponse(status: 304, headers: [("ETag", cached.etag)])
        }
        return HTTPResponse(
            status: 200, headers: [("Content-Type", "application/json"), ("ETag", cached.etag)], body: cached.body)
    }
}
