#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The socket system calls the server makes, in one place.
///
/// Every descriptor is close-on-exec (a child a handler spawns must not inherit the port) and
/// non-blocking (every wait is a `poll` with a deadline); writes never raise SIGPIPE.
enum Socket {
    enum Wait { case ready, woken, timedOut, failed }
    enum Read {
        case data(Int)
        case endOfStream, wouldBlock, failed
    }
    enum Accept {
        case accepted(Int32)
        case retry, exhausted, failed
    }

    /// Binds the first address `host` resolves to that accepts, with SO_REUSEADDR, and listens.
    static func listen(host: String, port: UInt16) throws(HTTPServerError) -> (descriptor: Int32, port: UInt16) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Platform.streamType
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw .invalidHost(host: host, reason: reason)
        }
        defer { freeaddrinfo(list) }
        var failure = (call: "socket", code: EADDRNOTAVAIL)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry?.pointee {
            entry = info.ai_next
            let fd = socket(info.ai_family, Platform.streamType | Platform.socketCloseOnExec, info.ai_protocol)
            guard fd >= 0 else {
                failure = ("socket", errno)
                continue
            }
            Platform.setCloseOnExec(fd)
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if bind(fd, info.ai_addr, info.ai_addrlen) != 0 {
                failure = ("bind", errno)
            } else if Platform.listen(fd, SOMAXCONN) != 0 {
                failure = ("listen", errno)
            } else if let bound = localPort(fd), setNonBlocking(fd) {
                return (fd, bound)
            } else {
                failure = ("getsockname", errno)
            }
            close(fd)
        }
        throw .socketFailed(call: failure.call, host: host, port: port, errno: failure.code)
    }

    /// Accepts one connection from a listening socket; the new descriptor is set up like every other.
    static func accept(_ listener: Int32) -> Accept {
        let fd = Platform.accept(listener)
        if fd >= 0 {
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            return .accepted(fd)
        }
        switch errno {
        case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .exhausted
        case EBADF, EINVAL, ENOTSOCK, EFAULT: return .failed
        // EAGAIN, EINTR, ECONNABORTED, EPROTO and network errors of the pending connection.
        default: return .retry
        }
    }

    /// Waits until `fd` is readable (or hung up), `wake` is readable, or the deadline passes.
    /// Readability of `fd` wins over `wake`, so bytes already received are still read.
    static func waitReadable(_ fd: Int32, wake: Int32?, until deadline: ContinuousClock.Instant) -> Wait {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if let wake { fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        return poll(&fds, until: deadline)
            ? (fds[0].revents != 0 ? .ready : .woken) : (isPast(deadline) ? .timedOut : .failed)
    }

    /// Reads what has arrived into `buffer`.
    static func receive(_ fd: Int32, into buffer: inout [UInt8]) -> Read {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 { return .data(count) }
        if count == 0 { return .endOfStream }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wouldBlock : .failed
    }

    /// Writes all of `bytes`, waiting for the peer to read as long as the deadline allows.
    static func sendAll(_ fd: Int32, _ bytes: [UInt8], until deadline: ContinuousClock.Instant) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Platform.sendFlags)
            }
            if sent > 0 {
                offset += sent
            } else if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                var fds = [pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)]
                guard poll(&fds, until: deadline) else { return false }
            } else if !(sent < 0 && errno == EINTR) {
                return false
            }
        }
        return true
    }

    /// Writes what fits right now, without waiting (the 503 for a connection over the cap).
    static func sendNow(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Platform.sendFlags) }
    }

    /// Closes after an answer without losing it: a close with unread request bytes makes TCP send a
    /// reset, which can destroy the response before the client reads it. So: send FIN, read and
    /// discard until the client closes, a byte budget is spent, or the deadline passes; then close.
    static func closeAfterAnswer(_ fd: Int32, until deadline: ContinuousClock.Instant) {
        _ = shutdown(fd, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        var budget = 4 * 1024 * 1024
        while budget > 0, waitReadable(fd, wake: nil, until: deadline) == .ready {
            switch receive(fd, into: &scratch) {
            case .data(let count): budget -= count
            case .wouldBlock: continue
            case .endOfStream, .failed: budget = 0
            }
        }
    }

    /// Stops all traffic on a connection another thread serves; that thread then closes it.
    static func cut(_ fd: Int32) {
        _ = shutdown(fd, Int32(SHUT_RDWR))
    }

    /// A pipe whose read end becomes readable, for every poller at once, when `signal` is called.
    static func makeWakePipe() throws(HTTPServerError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard Platform.pipe(&fds) == 0 else { throw .resourceFailed(what: "pipe", errno: errno) }
        return (fds[0], fds[1])
    }

    static func signal(_ writeEnd: Int32) {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Polls until an event or the deadline; false on timeout or error. EINTR restarts with the time left.
    private static func poll(_ fds: inout [pollfd], until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let count = fds.withUnsafeMutableBufferPointer {
                Platform.poll($0.baseAddress!, nfds_t($0.count), milliseconds(until: deadline))
            }
            if count > 0 { return true }
            if count < 0, errno != EINTR { return false }
            if isPast(deadline) { return false }
        }
    }

    private static func isPast(_ deadline: ContinuousClock.Instant) -> Bool {
        ContinuousClock.now >= deadline
    }

    /// Milliseconds until the deadline, rounded up so a wait never ends just before it.
    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = ContinuousClock.now.duration(to: deadline)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: millis)
    }

    /// The IP address of a connection's peer (empty when it has none, as for a socket pair).
    static func peerAddress(_ fd: Int32) -> PeerAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard status == 0 else { return PeerAddress(bytes: []) }
        return withUnsafePointer(to: &storage) { pointer in
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET:
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    PeerAddress(bytes: withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) })
                }
            case AF_INET6:
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    PeerAddress(bytes: withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) })
                }
            default: PeerAddress(bytes: [])
            }
        }
    }

    private static func localPort(_ fd: Int32) -> UInt16? { port(of: fd, getsockname) }

    /// The port of a socket's local (`getsockname`) or remote (`getpeername`) address, if it is an
    /// IPv4 or IPv6 socket. Also used by the tests that look for leaked descriptors.
    static func port(
        of fd: Int32, _ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        return withUnsafePointer(to: &storage) { pointer in
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET:
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            case AF_INET6:
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin6_port)
                }
            default: nil
            }
        }
    }

    private static func setNonBlocking(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0
    }
}
