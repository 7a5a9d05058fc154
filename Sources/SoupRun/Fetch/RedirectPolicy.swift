/// Which redirects may carry the token: same origin only (scheme, host and port equal), so a token
/// never leaves the server the user named, and never from https to http.
enum RedirectPolicy {
    /// The URL to follow `location` to, or why not.
    /// - Parameters:
    ///   - current: the URL that answered with the redirect (relative locations resolve against it).
    ///   - start: the URL the fetch began with, whose origin every hop must keep.
    ///   - token: never shown, even when the server put it into the location's host.
    static func target(of location: String, from current: HTTPURL, start: HTTPURL, token: String = "")
        throws(FetchError)
        -> HTTPURL
    {
        let target: HTTPURL
        do {
            target = try current.resolving(location)
        } catch {
            let reason = "\(error)"
            throw .redirectRefused(
                target: "an invalid location",
                reason: ResponseInterpreter.echoesToken(reason, token: token) ? "it is not a URL" : reason)
        }
        let shown =
            ResponseInterpreter.echoesToken(target.origin.description, token: token)
            ? "a host that contains the token (not shown)" : target.origin.description
        if current.scheme == "https" && target.scheme == "http" {
            throw .redirectRefused(target: shown, reason: "it downgrades https to http, which would expose the token")
        }
        if target.origin != start.origin {
            throw .redirectRefused(
                target: shown,
                reason: "it leaves \(start.origin) and the token is only sent there; set --api-url to the final URL")
        }
        return target
    }
}
