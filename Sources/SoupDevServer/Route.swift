import SoupCore

/// A request target of the Secrets API, decoded from its path.
///
/// Paths are `/api/v1/projects/{project}/environments/{env}/secrets[/keys | /{key}]`; the project,
/// environment and key segments are percent-decoded. `keys` is never a valid secret key (keys are
/// uppercase), so `.../secrets/keys` is always the key list.
public enum Route: Sendable, Equatable {
    case secrets(project: String, environment: String)
    case secret(project: String, environment: String, key: String)
    case keys(project: String, environment: String)

    /// The API's base path.
    public static let basePath = "/api/v1"

    /// Why a path is not a route.
    public enum Failure: Error, Sendable, Equatable {
        /// No endpoint has this path.
        case notFound
        /// A segment's percent-encoding is malformed or is not UTF-8.
        case badEncoding
    }

    /// The route a path (without its query) names.
    public static func parse(path: Substring) throws(Failure) -> Route {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 8 || segments.count == 9, segments[0].isEmpty, segments[1] == "api",
            segments[2] == "v1", segments[3] == "projects", segments[5] == "environments", segments[7] == "secrets"
        else { throw .notFound }
        let project = try decode(segments[4])
        let environment = try decode(segments[6])
        guard segments.count == 9 else { return .secrets(project: project, environment: environment) }
        let key = try decode(segments[8])
        if key == "keys" { return .keys(project: project, environment: environment) }
        return .secret(project: project, environment: environment, key: key)
    }

    private static func decode(_ segment: Substring) throws(Failure) -> String {
        guard let text = PercentEncoding.decode(segment) else { throw .badEncoding }
        guard !text.isEmpty else { throw .notFound }
        return text
    }

    /// The methods this route answers, for `Allow` on a 405.
    public var allowedMethods: [String] {
        switch self {
        case .secrets: return ["GET", "HEAD", "POST"]
        case .secret: return ["GET", "HEAD", "DELETE"]
        case .keys: return ["GET", "HEAD"]
        }
    }

    public var project: String {
        switch self {
        case .secrets(let project, _), .secret(let project, _, _), .keys(let project, _): return project
        }
    }

    public var environment: String {
        switch self {
        case .secrets(_, let env), .secret(_, let env, _), .keys(_, let env): return env
        }
    }
}

/// The query parameters the API reads.
public struct QueryOptions: Sendable, Equatable {
    /// `resolve`: whether `${NAME}` references are resolved (default true).
    public var resolve = true

    public init(resolve: Bool = true) {
        self.resolve = resolve
    }

    /// Reads a query string (without `?`); nil is no query. Unknown parameters are ignored.
    /// - Throws: a message naming the parameter when it is malformed.
    public static func parse(_ query: Substring?) throws(APIError) -> QueryOptions {
        var options = QueryOptions()
        guard let query, !query.isEmpty else { return options }
        var seenResolve = false
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentEncoding.decode(parts[0], plusAsSpace: true),
                let value = PercentEncoding.decode(parts.count > 1 ? parts[1] : "", plusAsSpace: true)
            else { throw .badRequest("Malformed percent-encoding in the query string") }
            guard name == "resolve" else { continue }
            guard !seenResolve else { throw .badRequest("Query parameter resolve given more than once") }
            seenResolve = true
            switch value {
            case "true": options.resolve = true
            case "false": options.resolve = false
            default: throw .badRequest("Query parameter resolve must be true or false")
            }
        }
        return options
    }
}
