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
    /// Connections served at once, one thread each; a connection beyond it gets 503 and is closed.
    public var maxConnections = 256
    /// Seconds `shutdown()` waits for requests in flight before it cuts their connections.
    public var shutdownTimeout: Double = 10

    public init() {}

    /// Bytes in the longest method the server accepts; a longer one gets 501 (RFC 9112 §3).
    static let maxMethodBytes = 32

    var headerBytes: Int { max(maxHeaderBytes, 64) }
    var bodyBytes: Int { max(maxBodyBytes, 0) }
    var idleSeconds: Double { Self.seconds(idleTimeout, minimum: 0.001) }
    var connections: Int { max(maxConnections, 1) }
    var shutdownSeconds: Double { Self.seconds(shutdownTimeout, minimum: 0) }

    /// A number of seconds a `Duration` can hold: NaN is the default 10, and at most a year.
    private static func seconds(_ value: Double, minimum: Double) -> Double {
        value.isNaN ? 10 : min(max(value, minimum), 365 * 24 * 3600)
    }
}
