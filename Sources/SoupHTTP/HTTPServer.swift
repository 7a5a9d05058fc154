#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

import SoupCore

/// An HTTP/1.1 server over POSIX sockets: one thread accepts, one thread serves each connection.
///
/// It never logs and never crashes on input: malformed requests get a 4xx/5xx JSON error
/// (`{"error": "..."}`) and the connection is closed. See `HTTPLimits` for the bounds. The handler
/// runs on the connection's thread and may block; other connections are not held up.
/// A server is started once; after `shutdown()` make a new one.
public final class HTTPServer: Sendable {
    public let host: String
    public let limits: HTTPLimits
    private let port: UInt16
    private let handler: HTTPHandler
    private let state = Locked(ServerState())

    public init(
        host: String = "127.0.0.1", port: UInt16 = 0, limits: HTTPLimits = HTTPLimits(),
        handler: @escaping HTTPHandler
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.handler = handler
    }

    /// Binds and listens (SO_REUSEADDR), starts serving on background threads, returns the bound port
    /// (port 0 → a free port). Throws an error naming the host/port and errno text on failure.
    @discardableResult
    public func start() throws(HTTPServerError) -> UInt16 {
        try state.withLock { (state) throws(HTTPServerError) -> UInt16 in
            guard state.phase == .idle else { throw .alreadyStarted }
            let wake = try Socket.makeWakePipe()
            let listener: (descriptor: Int32, port: UInt16)
            do throws(HTTPServerError) {
                listener = try Socket.listen(host: host, port: port)
            } catch {
                close(wake.read)
                close(wake.write)
                throw error
            }
            let status = DetachedThread.start { [self] in acceptLoop(listener.descriptor, wake: wake.read) }
            guard status == 0 else {
                close(listener.descriptor)
                close(wake.read)
                close(wake.write)
                throw .resourceFailed(what: "thread", errno: status)
            }
            state.phase = .running
            state.wake = wake
            state.accepting = true
            return listener.port
        }
    }

    /// Stops accepting, lets requests in flight finish (bounded wait), closes idle keep-alive
    /// connections, returns when all connection threads are done. Idempotent.
    ///
    /// The wait is bounded by `limits.shutdownTimeout`: after it, the connections still open are cut
    /// (their responses are lost) and, after at most one more second, `shutdown()` returns even if a
    /// handler has not: that thread closes its connection when the handler returns.
    public func shutdown() {
        let started = state.update { state -> Bool in
            switch state.phase {
            case .idle:
                state.phase = .stopped
                return false
            case .running:
                state.phase = .stopping
                if let wake = state.wake { Socket.signal(wake.write) }
                return true
            case .stopping, .stopped:
                return true
            }
        }
        guard started else { return }
        if !state.wait(seconds: limits.shutdownSeconds, for: \.isDone) {
            state.withLock { state in state.connections.forEach(Socket.cut) }
            _ = state.wait(seconds: 1, for: \.isDone)
        }
        state.update { state in
            state.phase = .stopped
            state.releaseWakeIfDone()
        }
    }

    /// Connections accepted and served since the start (not those refused with 503): how many
    /// clients kept their connection across requests.
    public var connectionsAccepted: Int { state.withLock { $0.accepted } }

    /// The wake-up pipe while it is open (for tests that check it is closed).
    var wakePipe: (read: Int32, write: Int32)? { state.withLock { $0.wake } }

    private func acceptLoop(_ listener: Int32, wake: Int32) {
        defer {
            close(listener)
            state.update { state in
                state.accepting = false
                state.releaseWakeIfDone()
            }
        }
        while state.withLock({ $0.phase == .running }) {
            // The bound only makes the loop look at `phase` now and then; the wake pipe ends it at once.
            switch Socket.waitReadable(listener, wake: wake, until: .now + .seconds(1)) {
            case .ready:
                switch Socket.accept(listener) {
                case .accepted(let fd): admit(fd, wake: wake)
                case .retry: continue
                // Out of descriptors: the pending connection stays readable, so pause instead of spinning.
                case .exhausted: _ = Socket.waitReadable(wake, wake: nil, until: .now + .milliseconds(100))
                case .failed: return
                }
            case .timedOut: continue
            case .woken, .failed: return
            }
        }
    }

    /// Starts a thread for a new connection, or answers 503 when at the cap (or stopping), or when
    /// its peer already has `maxHeadsPerPeer` connections sending a request head.
    private func admit(_ fd: Int32, wake: Int32) {
        let peer = Socket.peerAddress(fd)
        let admitted = state.update { state -> HTTPResponse? in
            guard state.phase == .running, state.connections.count < limits.connections else {
                return Self.overCapacity
            }
            guard state.heads.take(peer, cap: limits.headsPerPeer) else { return HeadSlots.refusal }
            state.connections.insert(fd)
            state.threads += 1
            state.accepted += 1
            return nil
        }
        if let refusal = admitted { return reject(fd, refusal) }
        let heads = HeadSlots(
            take: { [state, limits] in state.update { $0.heads.take(peer, cap: limits.headsPerPeer) } },
            release: { [state] in state.update { $0.heads.release(peer) } })
        let status = DetachedThread.start { [self] in
            let connection = HTTPConnection(
                fd: fd, wake: wake, limits: limits, handler: handler,
                isStopping: { [state] in state.withLock { $0.phase != .running } }, heads: heads)
            connection.run()
            finish(fd)
        }
        if status != 0 {
            state.update { state in
                state.connections.remove(fd)
                state.threads -= 1
                state.accepted -= 1
                state.heads.release(peer)
            }
            reject(fd, Self.overCapacity)
        }
    }

    /// Ends a connection thread. The descriptor leaves the set before it is closed, so `shutdown()`
    /// never cuts a number that was closed and reused; the thread counts as running until it is closed.
    private func finish(_ fd: Int32) {
        state.update { _ = $0.connections.remove(fd) }
        close(fd)
        state.update { state in
            state.threads -= 1
            state.releaseWakeIfDone()
        }
    }

    private static var overCapacity: HTTPResponse {
        var response = HTTPResponse.error(status: 503, "too many connections; try again")
        response.headers.append((name: "Retry-After", value: "1"))
        return response
    }

    private func reject(_ fd: Int32, _ response: HTTPResponse) {
        Socket.sendNow(fd, response.serialized(keepAlive: false))
        Socket.closeAfterAnswer(fd, until: .now)
        close(fd)
    }
}

/// What the server's threads share, under one lock.
struct ServerState {
    enum Phase { case idle, running, stopping, stopped }
    var phase = Phase.idle
    var wake: (read: Int32, write: Int32)?
    /// The accept thread is running (it owns and closes the listening socket).
    var accepting = false
    /// Connections being served, for `shutdown()` to cut when the grace period is over.
    var connections: Set<Int32> = []
    /// Connection threads not yet finished (including their `close`).
    var threads = 0
    /// Connections sending a request head, per peer address.
    var heads = HeadCounts()
    /// Connections admitted since the start.
    var accepted = 0

    var isDone: Bool { !accepting && threads == 0 }

    /// Closes the wake pipe once nothing can poll it any more.
    mutating func releaseWakeIfDone() {
        guard phase == .stopping || phase == .stopped, isDone, let pipe = wake else { return }
        close(pipe.read)
        close(pipe.write)
        wake = nil
    }
}
