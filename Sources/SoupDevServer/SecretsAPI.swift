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
        let state = store.snapshot
        guard let token = Self.bearerToken(request.header("Authorization")), let grant = state.tokens[token] else {
            throw .unauthorized
        }
        if case .limited(let seconds) = limiter.admit(token: token, limit: grant.tier.requestsPerMinute, now: now()) {
            throw .rateLimited(retryAfter: seconds)
        }
        guard grant.allows(project: route.project) else { throw .permissionDenied }
        guard let project = state.projects[route.project] else { throw .projectNotFound }
        guard let visible = Resolution.inherited(project, environment: route.environment) else {
            throw .environmentNotFound
        }

        switch (route, method) {
        case (.secrets, "GET"):
            let options = try QueryOptions.parse(request.query)
            let values = options.resolve ? Resolution.resolve(visible) : visible
            return Self.withETag(Self.data(200, .stringObject(values)), request: request)
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
        return (strings[0], strings[1])
    }

    /// Adds the body's `ETag`; answers 304 with only the tag when `If-None-Match` matches it.
    static func withETag(_ response: HTTPResponse, request: HTTPRequest) -> HTTPResponse {
        let etag = ETag.of(response.body)
        if let field = request.header("If-None-Match"), ETag.ifNoneMatch(field, matches: etag) {
            return HTTPResponse(status: 304, headers: [("ETag", etag)])
        }
        var tagged = response
        tagged.headers.append(("ETag", etag))
        return tagged
    }
}
