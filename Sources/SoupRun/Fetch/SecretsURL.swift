import SoupCore

/// Builds the URL of "get all secrets": `{api}/projects/{project}/environments/{env}/secrets`.
public enum SecretsURL {
    /// - Parameters:
    ///   - apiURL: the API base, such as `https://api.soup.dev/api/v1` (a trailing `/` is fine).
    ///   - project, environment: sent as typed, each percent-encoded into one path segment.
    ///   - resolve: when false, `?resolve=false` asks for raw `${VAR}` values.
    public static func build(apiURL: String, project: String, environment: String, resolve: Bool) throws(FetchError)
        -> HTTPURL
    {
        var url: HTTPURL
        do { url = try HTTPURL.parse(apiURL) } catch { throw .badURL(error) }
        if url.pathAndQuery.contains("?") { throw .badURL(.hasQuery) }
        var path = url.pathAndQuery
        while path.hasSuffix("/") { path.removeLast() }
        path += "/projects/" + segment(project)
        path += "/environments/" + segment(environment)
        path += "/secrets"
        if !resolve { path += "?resolve=false" }
        url.pathAndQuery = path
        return url
    }

    /// One percent-encoded path segment. `.` and `..` are encoded too: as literal dot segments
    /// they would be removed by URL normalisation and address a different resource.
    static func segment(_ text: String) -> String {
        if text == "." || text == ".." { return String(repeating: "%2E", count: text.count) }
        return PercentEncoding.encodeSegment(text)
    }
}
