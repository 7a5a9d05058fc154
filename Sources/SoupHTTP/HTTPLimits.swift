/// The bounds an `HTTPServer` holds every client to.
///
/// Each one turns a way to exhaust the server (memory, threads, time) into a clear status and a
/// closed connection. Values below their minimum are raised to it when the server uses them.
public struct HTTPLimits: Sendable, Equatable {
    /// Bytes of request line plus header fields (431 beyond).
    public var maxHeaderBytes = 16 * 1024
    /// Bytes of request body, as announced by `Content-Length` (413 beyond).
    public var maxBodyBytes = 1024 * 1024
    /// Seconds a connection may take to deliver one complete request, counted from the moment the
    /// server starts waiting for it. An idle keep-alive connection is closed silently; one that sent
    /// part of a request gets 408. The same bound applies to writing one response.
    public var idleTimeout: Double = 10
    /// Seconds a connection may take to deliver the request line and header fields: from being
    /// accepted, or from the first byte of a later request on a kept-alive connection. Shorter than
    /// `idleTimeout` (which then applies to the body), so a client that drips a head cannot hold a
    /// connection long. Never longer than `idleTimeout`.
    public var headTimeout: Double = 5
    /// Connections served at once, one thread each; a connection beyond it gets 503 and is closed.
    public var maxConnections = 512
    /// Connections of one peer address that may be sending a request head at once (new ones and
    /// kept-alive ones that started a request). One more gets 503 and is closed. Kept-alive
    /// connections between requests do not count, so many clients behind one address (loopback,
    /// a NAT) are all served while one client dripping heads cannot take every connection.
    public var maxHeadsPerPeer = 64
    /// Seconds `shutdown()` waits for requests in flight before it cuts their connections.
    public var shutdownTimeout: Double = 10

    public init() {}

    /// Bytes in the longest method the server accepts; a longer one gets 501 (RFC 9112 §3).
    static let maxMethodBytes = 32

    var headerBytes: Int { max(maxHeaderBytes, 64) }
    var bodyBytes: Int { max(maxBodyBytes, 0) }
    var idleSeconds: Double { Self.seconds(idleTimeout, minimum: 0.001) }
    var headSeconds: Double { min(Self.seconds(headTimeout, minimum: 0.001), idleSeconds) }
    var connections: Int { max(maxConnections, 1) }
    var headsPerPeer: Int { max(maxHeadsPerPeer, 1) }
    var shutdownSeconds: Double { Self.seconds(shutdownTimeout, minimum: 0) }

    /// A number of seconds a `Duration` can hold: NaN is the default 10, and at most a year.
    private static func seconds(_ value: Double, minimum: Double) -> Double {
        value.isNaN ? 10 : min(max(value, minimum), 365 * 24 * 3600)
    }
}
