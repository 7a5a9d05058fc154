import Foundation
import SoupCore
import SoupHTTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A scripted HTTP server on 127.0.0.1 (an `HTTPServer` from SoupHTTP) that records every request.
/// Use it for what soup-dev-server never does: 500, 429, garbage, HTML, redirects, bad data.
public final class FakeAPI: @unchecked Sendable {
    public let port: UInt16
    private let server: HTTPServer
    private let lock = NSLock()
    private var recorded: [HTTPRequest] = []

    /// `http://127.0.0.1:PORT`
    public var origin: String { "http://127.0.0.1:\(port)" }
    /// `http://127.0.0.1:PORT/api/v1`
    public var apiURL: String { origin + "/api/v1" }
    /// Every request received so far, in order.
    public var requests: [HTTPRequest] { lock.withLock { recorded } }

    /// Connections the server accepted so far.
    public var connections: Int { server.connectionsAccepted }

    /// - Parameter idleTimeout: how long the server keeps an idle kept-alive connection open.
    public init(idleTimeout: Double = 10, _ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws {
        var limits = HTTPLimits()
        limits.shutdownTimeout = 2
        limits.idleTimeout = idleTimeout
        let box = Box()
        server = HTTPServer(host: "127.0.0.1", port: 0, limits: limits) { request in
            box.owner?.record(request)
            return handler(request)
        }
        port = try server.start()
        box.owner = self
    }

    deinit { server.shutdown() }

    private func record(_ request: HTTPRequest) { lock.withLock { recorded.append(request) } }

    /// Lets the handler reach the server object created after it.
    private final class Box: @unchecked Sendable { weak var owner: FakeAPI? }

    /// A JSON response.
    public static func json(_ status: Int, _ text: String, headers: [(name: String, value: String)] = [])
        -> HTTPResponse
    {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    /// A 200 `{"data": {...}}` response for `secrets`.
    public static func secrets(_ secrets: [String: String]) -> HTTPResponse {
        json(200, JSONValue.object(["data": .stringObject(secrets)]).encoded())
    }
}

/// A TCP port on 127.0.0.1 that accepts connections (the kernel completes the handshake) but
/// never answers: a hung API.
public final class SilentPort: @unchecked Sendable {
    public let port: UInt16
    private let fd: Int32

    public init() throws {
        (fd, port) = try listeningSocket()
    }

    deinit { close(fd) }
}

/// A port on 127.0.0.1 where nothing listens (bound once to get a free number, then closed).
public func closedPort() throws -> UInt16 {
    let (fd, port) = try listeningSocket()
    close(fd)
    return port
}

private func listeningSocket() throws -> (Int32, UInt16) {
    #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw SpawnError(description: "socket: \(errno)") }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(fd, sa, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, sa, &length) == 0
        }
    }
    guard ok else {
        close(fd)
        throw SpawnError(description: "bind/listen: \(errno)")
    }
    return (fd, UInt16(bigEndian: address.sin_port))
}
