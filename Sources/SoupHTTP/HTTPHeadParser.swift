/// Why a request was rejected: the status to answer and a short reason for the error body.
/// The reason names the rule that was broken, never bytes of the request.
struct HTTPParseFailure: Error, Equatable {
    var status: Int
    var reason: String
}

/// A request line and header fields, parsed and checked, waiting for `bodyLength` body bytes.
struct HTTPHead: Equatable {
    var method: String
    var target: String
    var version: HTTPVersion
    var headers: [(name: String, value: String)]
    var bodyLength: Int

    /// Whether the client waits for `100 Continue` before it sends the body (RFC 9110 §10.1.1).
    var expectsContinue: Bool {
        version.minor >= 1 && bodyLength > 0
            && headers.contains { $0.name.lowercased() == "expect" && $0.value.lowercased() == "100-continue" }
    }

    static func == (a: HTTPHead, b: HTTPHead) -> Bool {
        a.method == b.method && a.target == b.target && a.version == b.version && a.bodyLength == b.bodyLength
            && a.headers.map { [$0.name, $0.value] } == b.headers.map { [$0.name, $0.value] }
    }
}

/// Parses a complete head: optional empty lines, the request line, header fields, the empty line.
///
/// Strict where leniency has caused request smuggling (RFC 9112 §2.2, §5, §6.3): no obs-fold, no
/// whitespace before a colon, no bare CR, no control bytes, one agreed `Content-Length`, no
/// `Transfer-Encoding` at all. Lines may end in CRLF or a bare LF.
enum HTTPHeadParser {
    static func parse(_ head: ArraySlice<UInt8>, limits: HTTPLimits) -> Result<HTTPHead, HTTPParseFailure> {
        do {
            return .success(try parseHead(head, limits: limits))
        } catch {
            return .failure(error)
        }
    }

    private static func parseHead(_ head: ArraySlice<UInt8>, limits: HTTPLimits) throws(HTTPParseFailure) -> HTTPHead {
        var lines = head.split(separator: ASCII.lf, omittingEmptySubsequences: false).map { line in
            line.last == ASCII.cr ? line.dropLast() : line
        }
        // split leaves an empty piece after the final LF; the line before it is the empty end line.
        lines.removeLast()
        guard let requestIndex = lines.firstIndex(where: { !$0.isEmpty }) else {
            throw HTTPParseFailure(status: 400, reason: "missing request line")
        }
        let requestLine = lines[requestIndex]
        let (method, target, version) = try parseRequestLine(requestLine)
        var headers: [(name: String, value: String)] = []
        for line in lines[(requestIndex + 1)...] where !line.isEmpty {
            headers.append(try parseField(line))
        }
        let bodyLength = try framing(method: method, headers: headers, limits: limits)
        // A later 1.x minor version is understood as 1.1, the highest this server speaks (RFC 9110 §2.5).
        return HTTPHead(
            method: method, target: target, version: version.minor > 1 ? .http1_1 : version, headers: headers,
            bodyLength: bodyLength)
    }

    /// Checks the method as the bytes of a line arrive: `nil` while it may still be valid.
    /// Used on partial lines too, so a non-HTTP client is refused without waiting for a line end.
    static func checkMethod(_ line: ArraySlice<UInt8>) -> HTTPParseFailure? {
        for (offset, byte) in line.enumerated() {
            if byte == ASCII.space || byte == ASCII.cr || byte == ASCII.lf { return nil }
            if offset >= HTTPLimits.maxMethodBytes {
                return HTTPParseFailure(status: 501, reason: "method longer than \(HTTPLimits.maxMethodBytes) bytes")
            }
            if !ASCII.isTokenByte(byte) { return HTTPParseFailure(status: 400, reason: "invalid character in method") }
        }
        return nil
    }

    private static func parseRequestLine(
        _ line: ArraySlice<UInt8>
    ) throws(HTTPParseFailure) -> (String, String, HTTPVersion) {
        if let failure = checkMethod(line) { throw failure }
        if line.contains(ASCII.cr) { throw HTTPParseFailure(status: 400, reason: "bare CR in request line") }
        let parts = line.split(separator: ASCII.space, maxSplits: 2, omittingEmptySubsequences: false)
        guard !parts[0].isEmpty else { throw HTTPParseFailure(status: 400, reason: "request line starts with a space") }
        guard parts.count >= 2, !parts[1].isEmpty else {
            throw HTTPParseFailure(status: 400, reason: "missing request target")
        }
        guard parts.count == 3 else { throw HTTPParseFailure(status: 400, reason: "missing HTTP version") }
        let target = parts[1]
        guard target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPParseFailure(status: 400, reason: "invalid character in request target")
        }
        let targetText = String(decoding: target, as: UTF8.self)
        let lowered = targetText.lowercased()
        guard
            targetText.hasPrefix("/") || targetText == "*" || lowered.hasPrefix("http://")
                || lowered.hasPrefix("https://")
        else {
            throw HTTPParseFailure(status: 400, reason: "request target is not a path or an absolute URL")
        }
        return (String(decoding: parts[0], as: UTF8.self), targetText, try parseVersion(parts[2]))
    }

    private static func parseVersion(_ text: ArraySlice<UInt8>) throws(HTTPParseFailure) -> HTTPVersion {
        let bytes = Array(text)
        guard bytes.count == 8, bytes[0..<5] == Array("HTTP/".utf8)[...], ASCII.isDigit(bytes[5]),
            bytes[6] == UInt8(ascii: "."), ASCII.isDigit(bytes[7])
        else { throw HTTPParseFailure(status: 400, reason: "malformed HTTP version") }
        let version = HTTPVersion(major: Int(bytes[5] - ASCII.zero), minor: Int(bytes[7] - ASCII.zero))
        guard version.major == 1 else {
            throw HTTPParseFailure(status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are served")
        }
        return version
    }

    private static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPParseFailure) -> (name: String, value: String)
    {
        if line.first == ASCII.space || line.first == ASCII.tab {
            throw HTTPParseFailure(status: 400, reason: "obsolete line folding in header fields")
        }
        if line.contains(ASCII.cr) { throw HTTPParseFailure(status: 400, reason: "bare CR in a header field") }
        guard let colon = line.firstIndex(of: ASCII.colon) else {
            throw HTTPParseFailure(status: 400, reason: "header field without a colon")
        }
        let name = line[..<colon]
        guard let last = name.last else { throw HTTPParseFailure(status: 400, reason: "empty header field name") }
        if last == ASCII.space || last == ASCII.tab {
            throw HTTPParseFailure(status: 400, reason: "whitespace before the colon of a header field")
        }
        guard name.allSatisfy(ASCII.isTokenByte) else {
            throw HTTPParseFailure(status: 400, reason: "invalid character in a header field name")
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == ASCII.space || first == ASCII.tab { value.removeFirst() }
        while let end = value.last, end == ASCII.space || end == ASCII.tab { value.removeLast() }
        guard value.allSatisfy({ $0 == ASCII.tab || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw HTTPParseFailure(status: 400, reason: "control character in a header field value")
        }
        guard ASCII.isValidUTF8(value) else {
            throw HTTPParseFailure(status: 400, reason: "header field value is not valid UTF-8")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// The body length the headers announce (RFC 9112 §6.3), or the status that refuses them.
    private static func framing(
        method: String, headers: [(name: String, value: String)], limits: HTTPLimits
    ) throws(HTTPParseFailure) -> Int {
        var lengths: [Substring] = []
        var hosts = 0
        for field in headers {
            switch field.name.lowercased() {
            case "transfer-encoding":
                throw HTTPParseFailure(status: 501, reason: "Transfer-Encoding is not supported; send Content-Length")
            case "content-length":
                lengths += field.value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingOWS() }
            case "host": hosts += 1
            default: break
            }
        }
        if hosts > 1 { throw HTTPParseFailure(status: 400, reason: "more than one Host header field") }
        guard let first = lengths.first else {
            if ["POST", "PUT", "PATCH"].contains(method) {
                throw HTTPParseFailure(status: 411, reason: "Content-Length is required for \(method)")
            }
            return 0
        }
        guard lengths.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(ASCII.isDigit) }) else {
            throw HTTPParseFailure(status: 400, reason: "invalid Content-Length")
        }
        // Compare as numbers ("05" is 5); leading zeros cannot make a huge value small.
        let normalized = Set(lengths.map { $0.drop { $0 == "0" } })
        guard normalized.count == 1 else {
            throw HTTPParseFailure(status: 400, reason: "conflicting Content-Length values")
        }
        let digits = first.drop { $0 == "0" }
        guard digits.count <= 18, let length = Int(digits.isEmpty ? "0" : digits), length <= limits.bodyBytes else {
            throw HTTPParseFailure(status: 413, reason: "body larger than \(limits.bodyBytes) bytes")
        }
        return length
    }
}

/// Byte classes of HTTP/1.1 (RFC 9110 §5.6.2).
enum ASCII {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon = UInt8(ascii: ":")
    static let zero = UInt8(ascii: "0")

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// tchar: `!#$%&'*+-.^_`|~`, digits and letters.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
        default: false
        }
    }

    static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
