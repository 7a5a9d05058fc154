/// An incremental HTTP/1.1 request parser: feed it bytes as they arrive, take requests out in order.
///
/// It holds the bytes of requests not yet taken out, so pipelined requests come out one by one
/// (`next()` after each `.request`). Each byte is looked at once while searching for the end of
/// the head, so feeding a request byte by byte costs the same as feeding it whole, and gives the
/// same result. After an error the parser stays in it: the connection is to be answered and closed.
///
/// Chunked request bodies are not supported: `Transfer-Encoding` is answered 501.
public struct HTTPRequestParser: Sendable {
    /// What the bytes fed so far amount to.
    public enum Result: Sendable, Equatable {
        /// The next request is incomplete.
        case needMore
        /// A complete request, and how many bytes of the stream it took (with any empty lines before it).
        case request(HTTPRequest, consumed: Int)
        /// The stream is not acceptable HTTP/1.1: answer `status` (400, 411, 413, 431, 501, 505) and close.
        case error(status: Int, reason: String)
    }

    public let limits: HTTPLimits

    private var buffer: [UInt8] = []
    /// Index of the first byte of the current request in `buffer`.
    private var start = 0
    /// Next byte to examine while looking for the end of the head.
    private var scan = 0
    /// First byte of the line `scan` is in.
    private var lineStart = 0
    private var sawRequestLine = false
    /// The method of the line being scanned has ended (space or line end): no more checks on it.
    private var methodEnded = false
    /// The parsed head of the current request, once complete, and where its body starts.
    private var head: HTTPHead?
    private var bodyStart = 0
    private var failure: HTTPParseFailure?

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Parses the request at the start of `bytes`, in one go.
    public static func parse(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> Result {
        var parser = HTTPRequestParser(limits: limits)
        return parser.feed(bytes)
    }

    /// Appends bytes received and returns the next request, if they complete one.
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Result {
        if failure == nil {
            compact()
            buffer.append(contentsOf: bytes)
        }
        return next()
    }

    /// The next request from bytes already fed (the next pipelined request), without new bytes.
    public mutating func next() -> Result {
        if failure == nil, head == nil { scanHead() }
        if let failure {
            buffer = []
            restart(at: 0)
            return .error(status: failure.status, reason: failure.reason)
        }
        guard let head, buffer.count - bodyStart >= head.bodyLength else { return .needMore }
        let bodyEnd = bodyStart + head.bodyLength
        var request = HTTPRequest(
            method: head.method, target: head.target, headers: head.headers, body: Array(buffer[bodyStart..<bodyEnd]))
        request.version = head.version
        let consumed = bodyEnd - start
        restart(at: bodyEnd)
        return .request(request, consumed: consumed)
    }

    /// Whether some bytes of the next request have arrived (empty lines between requests do not count).
    public var hasPartialRequest: Bool {
        head != nil || buffer[start...].contains { $0 != ASCII.cr && $0 != ASCII.lf }
    }

    /// Whether the head of the next request has arrived whole (its body may still be on its way).
    public var hasHead: Bool { head != nil }

    /// Whether the head of the next request is complete, asks for `100 Continue`, and its body has not
    /// fully arrived: the server should send `HTTP/1.1 100 Continue` once before reading on.
    public var awaitsContinue: Bool {
        guard let head else { return false }
        return head.expectsContinue && buffer.count - bodyStart < head.bodyLength
    }

    /// Looks at new bytes for the end of the head; sets `head` or `failure` when it is decided.
    private mutating func scanHead() {
        while scan < buffer.count {
            // The head may be `headerBytes` long; this byte would be one more.
            if scan - start >= limits.headerBytes {
                failure = HTTPParseFailure(
                    status: 431, reason: "request line and header fields longer than \(limits.headerBytes) bytes")
                return
            }
            let byte = buffer[scan]
            if !sawRequestLine, !methodEnded {
                // The same rule as HTTPHeadParser.checkMethod, one byte at a time.
                if byte == ASCII.space || byte == ASCII.cr || byte == ASCII.lf {
                    methodEnded = true
                } else if scan - lineStart >= HTTPLimits.maxMethodBytes {
                    failure = HTTPParseFailure(
                        status: 501, reason: "method longer than \(HTTPLimits.maxMethodBytes) bytes")
                    return
                } else if !ASCII.isTokenByte(byte) {
                    failure = HTTPParseFailure(status: 400, reason: "invalid character in method")
                    return
                }
            }
            if byte == ASCII.lf {
                let lineLength = scan - lineStart - (scan > lineStart && buffer[scan - 1] == ASCII.cr ? 1 : 0)
                if lineLength > 0 {
                    sawRequestLine = true
                } else if sawRequestLine {
                    finishHead(end: scan + 1)
                    return
                }
                lineStart = scan + 1
                methodEnded = false
            }
            scan += 1
        }
    }

    private mutating func finishHead(end: Int) {
        switch HTTPHeadParser.parse(buffer[start..<end], limits: limits) {
        case .success(let parsed):
            head = parsed
            bodyStart = end
            scan = end
        case .failure(let refused):
            failure = refused
        }
    }

    private mutating func restart(at index: Int) {
        start = index
        scan = index
        lineStart = index
        bodyStart = index
        sawRequestLine = false
        methodEnded = false
        head = nil
    }

    /// Drops the bytes of requests already taken out, so the buffer holds one request at most.
    private mutating func compact() {
        guard start > 0 else { return }
        // After a large body, give the memory back rather than keep it for the connection's life.
        if start == buffer.count, buffer.capacity > 64 * 1024 {
            buffer = []
        } else {
            buffer.removeSubrange(0..<start)
        }
        scan -= start
        lineStart -= start
        bodyStart -= start
        start = 0
    }
}
