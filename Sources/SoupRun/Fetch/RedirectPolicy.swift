/// Which redirects may carry the token: same origin only (scheme, host and port equal), so a token
/// never leaves the server the user named, and never from https to http.
enum RedirectPolicy {
    /// The URL to follow `location` to, or why not.
    /// - Parameters:
    ///   - current: the URL that answered with the redirect (relative locations resolve against it).
    ///   - start: the URL the fetch began with, whose origin every hop must keep.
    static func target(of location: String, from current: HTTPURL, start: HTTPURL) throws(FetchError) -> HTTPURL {
        let target: HTTPURL
        do {
            target = try current.resolving(location)
        } catch {
            throw .redirectRefused(target: "an invalid location", reason: "\(error)")
        }
        if current.scheme == "https" && target.scheme == "http" {
            throw .redirectRefused(
                target: target.origin.description, reason: "it downgrades https to http, which would expose the token")
        }
        if target.origin != start.origin {
            throw .redirectRefused(
                target: target.origin.description,
                reason: "it leaves \(start.origin) and the token is only sent there; set --api-url to the final URL")
        }
        return target
    }
}
