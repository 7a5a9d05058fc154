#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why an `HTTPServer` could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host is not a numeric address or a name this machine resolves.
    case invalidHost(host: String, reason: String)
    /// A system call on the listening socket failed (`socket`, `bind`, `listen`, ...).
    case socketFailed(call: String, host: String, port: UInt16, errno: Int32)
    /// A resource the server needs could not be created (the wake-up pipe, a thread).
    case resourceFailed(what: String, errno: Int32)
    /// `start()` was called on a server that was already started (servers are not restartable).
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidHost(let host, let reason):
            "cannot listen on host \(host): \(reason)"
        case .socketFailed(let call, let host, let port, let code):
            "cannot listen on \(hostPort(host, port)): \(call) failed: \(errorText(code))"
        case .resourceFailed(let what, let code):
            "cannot start the HTTP server: \(what): \(errorText(code))"
        case .alreadyStarted:
            "the HTTP server was already started"
        }
    }
}

/// `host:port`, with brackets around an IPv6 address.
private func hostPort(_ host: String, _ port: UInt16) -> String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
}

/// The C library's text for an errno value.
func errorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}
