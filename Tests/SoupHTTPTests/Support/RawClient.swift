#if canImport(Glibc)
    import Glibc
    private let streamType = Int32(SOCK_STREAM.rawValue)
    private let sendFlags = Int32(MSG_NOSIGNAL)
    private let systemConnect = Glibc.connect
    private let systemSend = Glibc.send
#elseif canImport(Darwin)
    import Darwin
    private let streamType = SOCK_STREAM
    private let sendFlags: Int32 = 0
    private let systemConnect = Darwin.connect
    private let systemSend = Darwin.send
#endif

/// A response as a test reads it off the wire.
struct WireResponse: Equatable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A tiny blocking TCP client for talking raw bytes to a server on 127.0.0.1.
/// Every read has a deadline, so a server that misbehaves fails the test instead of hanging it.
final class RawClient {
    let fd: Int32
    private var received: [UInt8] = []
    private(set) var sawEnd = false

    /// Connects to 127.0.0.1, or returns the errno of `connect` (ECONNREFUSED when nothing listens).
    /// - Parameter source: the local IPv4 address to connect from (another 127.x.y.z is another
    ///   peer to the server), or nil for the kernel's choice.
    static func connect(port: UInt16, from source: UInt32? = nil) -> Result<RawClient, ConnectError> {
        let fd = socket(AF_INET, streamType, 0)
        guard fd >= 0 else { return .failure(ConnectError(code: errno)) }
        #if canImport(Darwin)
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        // Bind to the source address (when given), then connect to 127.0.0.1:port.
        let steps: [(UInt32, UInt16, (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32)] =
            (source.map { [($0, UInt16(0), { bind($0, $1, $2) })] } ?? []) + [
                (0x7F00_0001, port, { systemConnect($0, $1, $2) })
            ]
        for (host, hostPort, call) in steps {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = hostPort.bigEndian
            address.sin_addr.s_addr = host.bigEndian
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    call(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard status == 0 else {
                let code = errno
                close(fd)
                return .failure(ConnectError(code: code))
            }
        }
        return .success(RawClient(fd: fd))
    }

    struct ConnectError: Error, Equatable { var code: Int32 }

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Sends all bytes; false when the server closed the connection first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { systemSend(fd, $0.baseAddress! + offset, $0.count - offset, sendFlags) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Tells the server nothing more is coming (TCP FIN), keeping the read side open.
    func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Waits up to `timeout` seconds for bytes; false on timeout. Sets `sawEnd` on FIN or reset.
    @discardableResult
    func receiveSome(timeout: Double) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            received += chunk[..<count]
        } else {
            sawEnd = true
        }
        return true
    }

    /// The next complete response, or nil if none arrives within `timeout` seconds.
    /// `bodyless`: the response has no body whatever its Content-Length says (the answer to HEAD).
    func readResponse(timeout: Double = 10, bodyless: Bool = false) -> WireResponse? {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            if let (response, used) = Self.parseResponse(received[...], bodyless: bodyless) {
                received.removeFirst(used)
                return response
            }
            let left = ContinuousClock.now.duration(to: deadline)
            guard !sawEnd, left > .zero, receiveSome(timeout: Double(left.components.seconds) + 0.05) else {
                return nil
            }
        }
    }

    /// Reads until the server closes the connection; returns the responses it sent, and whether it
    /// closed within `timeout` seconds.
    func readUntilClosed(timeout: Double = 10) -> (responses: [WireResponse], closed: Bool) {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while !sawEnd {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero, receiveSome(timeout: Double(left.components.seconds) + 0.05) else { break }
        }
        var responses: [WireResponse] = []
        while let (response, used) = Self.parseResponse(received[...]) {
            responses.append(response)
            received.removeFirst(used)
        }
        return (responses, sawEnd)
    }

    /// Bytes received but not part of a complete response.
    var leftover: [UInt8] { received }

    /// Parses one response at the start of `bytes`: status line, headers, Content-Length body.
    static func parseResponse(_ bytes: ArraySlice<UInt8>, bodyless: Bool = false) -> (WireResponse, Int)? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: terminator) }) else { return nil }
        let head = String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].drop { $0 == " " })
        }
        let length = bodyless ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + 4
        guard bytes.endIndex - bodyStart >= length else { return nil }
        let response = WireResponse(
            status: status, headers: headers, body: Array(bytes[bodyStart..<(bodyStart + length)]))
        return (response, bodyStart + length - bytes.startIndex)
    }
}
