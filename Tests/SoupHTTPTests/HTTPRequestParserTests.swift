import Testing

@testable import SoupHTTP

/// An input and the request it must parse to.
struct GoodRequest: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var expected: HTTPRequest
    var testDescription: String { name }

    init(_ name: String, _ text: String, _ expected: HTTPRequest) {
        self.init(name, Array(text.utf8), expected)
    }

    init(_ name: String, _ bytes: [UInt8], _ expected: HTTPRequest) {
        self.name = name
        self.bytes = bytes
        self.expected = expected
    }

    static let all: [GoodRequest] = [
        GoodRequest("simple GET", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", request("GET", "/", [("Host", "x")])),
        GoodRequest("HTTP/1.0", "GET /a HTTP/1.0\r\n\r\n", request("GET", "/a", version: .http1_0)),
        GoodRequest("bare LF line ends", "GET /a HTTP/1.1\nHost: x\n\n", request("GET", "/a", [("Host", "x")])),
        GoodRequest("empty lines before the request", "\r\n\nGET / HTTP/1.1\r\n\r\n", request("GET", "/")),
        GoodRequest(
            "POST with a body", "POST /s HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
            request("POST", "/s", [("Content-Length", "5")], body: "hello")),
        GoodRequest("value whitespace trimmed", "GET / HTTP/1.1\r\nX:  \t v w \t\r\n\r\n", request("GET", "/", [("X", "v w")])),
        GoodRequest("empty value", "GET / HTTP/1.1\r\nX:\r\n\r\n", request("GET", "/", [("X", "")])),
        GoodRequest("UTF-8 value", "GET / HTTP/1.1\r\nX: café ☕\r\n\r\n", request("GET", "/", [("X", "café ☕")])),
        GoodRequest("tab inside a value", "GET / HTTP/1.1\r\nX: a\tb\r\n\r\n", request("GET", "/", [("X", "a\tb")])),
        GoodRequest(
            "every tchar in a name", "GET / HTTP/1.1\r\nX-a_!#$%&'*+-.^`|~9: v\r\n\r\n",
            request("GET", "/", [("X-a_!#$%&'*+-.^`|~9", "v")])),
        GoodRequest(
            "duplicate equal Content-Length", "PUT / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 02\r\n\r\nab",
            request("PUT", "/", [("Content-Length", "2"), ("content-length", "02")], body: "ab")),
        GoodRequest(
            "Content-Length list of equal values", "PATCH / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nab",
            request("PATCH", "/", [("Content-Length", "2, 2")], body: "ab")),
        GoodRequest(
            "POST with Content-Length 0", "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            request("POST", "/", [("Content-Length", "0")])),
        GoodRequest(
            "GET with a body", "GET / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx",
            request("GET", "/", [("Content-Length", "1")], body: "x")),
        GoodRequest("DELETE needs no length", "DELETE /k HTTP/1.1\r\n\r\n", request("DELETE", "/k")),
        GoodRequest("later 1.x is 1.1", "GET / HTTP/1.7\r\n\r\n", request("GET", "/")),
        GoodRequest("absolute-form target", "GET http://h/x HTTP/1.1\r\n\r\n", request("GET", "http://h/x")),
        GoodRequest("asterisk-form target", "OPTIONS * HTTP/1.1\r\n\r\n", request("OPTIONS", "*")),
        GoodRequest("query and escapes", "GET /p?q=1&r=%20 HTTP/1.1\r\n\r\n", request("GET", "/p?q=1&r=%20")),
        GoodRequest("extension method", "M-SEARCH / HTTP/1.1\r\n\r\n", request("M-SEARCH", "/")),
        GoodRequest(
            "method of 32 bytes", "\(String(repeating: "A", count: 32)) / HTTP/1.1\r\n\r\n",
            request(String(repeating: "A", count: 32), "/")),
        GoodRequest(
            "binary body", Array("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n".utf8) + [0, 0xFF, 13, 10],
            HTTPRequest(method: "POST", target: "/", headers: [("Content-Length", "4")], body: [0, 0xFF, 13, 10])),
    ]
}

/// An input and the status it must be refused with.
struct BadRequest: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var status: Int
    var testDescription: String { name }

    init(_ name: String, _ text: String, _ status: Int) {
        self.init(name, Array(text.utf8), status)
    }

    init(_ name: String, _ bytes: [UInt8], _ status: Int) {
        self.name = name
        self.bytes = bytes
        self.status = status
    }

    static func head(_ field: [UInt8]) -> [UInt8] { Array("GET / HTTP/1.1\r\n".utf8) + field + Array("\r\n\r\n".utf8) }

    static let all: [BadRequest] = [
        BadRequest("missing version", "GET /\r\n\r\n", 400),
        BadRequest("missing target", "GET\r\n\r\n", 400),
        BadRequest("leading space", " GET / HTTP/1.1\r\n\r\n", 400),
        BadRequest("double space", "GET  / HTTP/1.1\r\n\r\n", 400),
        BadRequest("trailing text after the version", "GET / HTTP/1.1 x\r\n\r\n", 400),
        BadRequest("lowercase protocol", "GET / http/1.1\r\n\r\n", 400),
        BadRequest("version without minor", "GET / HTTP/1\r\n\r\n", 400),
        BadRequest("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 505),
        BadRequest("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
        BadRequest("HTTP/0.9 version", "GET / HTTP/0.9\r\n\r\n", 505),
        BadRequest("target not a path", "GET abc HTTP/1.1\r\n\r\n", 400),
        BadRequest("NUL in target", "GET /a\u{0}b HTTP/1.1\r\n\r\n", 400),
        BadRequest("non-ASCII in target", Array("GET /".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\n\r\n".utf8), 400),
        BadRequest("invalid UTF-8 in target", Array("GET /".utf8) + [0xFF] + Array(" HTTP/1.1\r\n\r\n".utf8), 400),
        BadRequest("bare CR in the request line", "GET /\r HTTP/1.1\r\n\r\n", 400),
        BadRequest("invalid method character", "G(T / HTTP/1.1\r\n\r\n", 400),
        BadRequest("method of 33 bytes", "\(String(repeating: "A", count: 33)) / HTTP/1.1\r\n\r\n", 501),
        BadRequest("TLS handshake", [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00], 400),
        BadRequest("obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400),
        BadRequest("space before colon", "GET / HTTP/1.1\r\nX : a\r\n\r\n", 400),
        BadRequest("tab before colon", "GET / HTTP/1.1\r\nX\t: a\r\n\r\n", 400),
        BadRequest("no colon", "GET / HTTP/1.1\r\nX a\r\n\r\n", 400),
        BadRequest("empty name", "GET / HTTP/1.1\r\n: a\r\n\r\n", 400),
        BadRequest("invalid name character", "GET / HTTP/1.1\r\nX@Y: a\r\n\r\n", 400),
        BadRequest("NUL in a value", head(Array("X: a".utf8) + [0] + Array("b".utf8)), 400),
        BadRequest("DEL in a value", head(Array("X: a".utf8) + [0x7F]), 400),
        BadRequest("control byte in a value", head(Array("X: a".utf8) + [0x1B]), 400),
        BadRequest("invalid UTF-8 in a value", head(Array("X: ".utf8) + [0xC3, 0x28]), 400),
        BadRequest("lone continuation byte in a value", head(Array("X: ".utf8) + [0x80]), 400),
        BadRequest("overlong UTF-8 in a value", head(Array("X: ".utf8) + [0xC0, 0xAF]), 400),
        BadRequest("bare CR in a field", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400),
        BadRequest("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        BadRequest("chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
        BadRequest("TE and CL", "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
        BadRequest("negative CL", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        BadRequest("non-numeric CL", "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
        BadRequest("CL with a sign", "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400),
        BadRequest("empty CL", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400),
        BadRequest("CL with inner space", "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", 400),
        BadRequest("CL hex", "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400),
        BadRequest("conflicting CL fields", "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
        BadRequest("conflicting CL list", "POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", 400),
        BadRequest("CL list with a hole", "POST / HTTP/1.1\r\nContent-Length: 5,,5\r\n\r\n", 400),
        BadRequest("huge CL", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n", 413),
        BadRequest("CL over the body limit", "POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n", 413),
        BadRequest("POST without length", "POST / HTTP/1.1\r\n\r\n", 411),
        BadRequest("PUT without length", "PUT / HTTP/1.1\r\n\r\n", 411),
        BadRequest("PATCH without length", "PATCH / HTTP/1.1\r\n\r\n", 411),
        BadRequest("huge header", "GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 17 * 1024))\r\n\r\n", 431),
        BadRequest("huge request line", "GET /\(String(repeating: "a", count: 17 * 1024))", 431),
        BadRequest("endless empty lines", String(repeating: "\r\n", count: 9 * 1024), 431),
    ]
}

private func request(
    _ method: String, _ target: String, _ headers: [(String, String)] = [], body: String = "",
    version: HTTPVersion = .http1_1
) -> HTTPRequest {
    var request = HTTPRequest(method: method, target: target, headers: headers.map { ($0.0, $0.1) }, body: Array(body.utf8))
    request.version = version
    return request
}

/// Feeds `bytes` in pieces of `size` and returns the first result that is not `.needMore`.
func feedInPieces(_ bytes: [UInt8], size: Int, limits: HTTPLimits = HTTPLimits()) -> HTTPRequestParser.Result {
    var parser = HTTPRequestParser(limits: limits)
    var offset = 0
    while offset < bytes.count {
        let result = parser.feed(bytes[offset..<min(offset + size, bytes.count)])
        if result != .needMore { return result }
        offset += size
    }
    return .needMore
}

@Suite("HTTPRequestParser")
struct HTTPRequestParserTests {
    @Test(arguments: GoodRequest.all)
    func parsesWhole(_ input: GoodRequest) {
        #expect(HTTPRequestParser.parse(input.bytes) == .request(input.expected, consumed: input.bytes.count))
    }

    @Test("parses the same byte by byte, and not before the last byte", arguments: GoodRequest.all)
    func parsesByteByByte(_ input: GoodRequest) {
        var parser = HTTPRequestParser()
        for byte in input.bytes.dropLast() {
            #expect(parser.feed([byte]) == .needMore)
        }
        #expect(parser.feed([input.bytes.last!]) == .request(input.expected, consumed: input.bytes.count))
        #expect(parser.next() == .needMore)
    }

    @Test(arguments: BadRequest.all)
    func refusesWhole(_ input: BadRequest) throws {
        guard case .error(let status, let reason) = HTTPRequestParser.parse(input.bytes) else {
            Issue.record("accepted: \(HTTPRequestParser.parse(input.bytes))")
            return
        }
        #expect(status == input.status)
        #expect(!reason.isEmpty)
    }

    @Test("refuses the same way in pieces of 1, 2, 3 and 7 bytes", arguments: BadRequest.all)
    func refusesInPieces(_ input: BadRequest) {
        let whole = HTTPRequestParser.parse(input.bytes)
        for size in [1, 2, 3, 7] {
            #expect(feedInPieces(input.bytes, size: size) == whole, "pieces of \(size)")
        }
    }

    @Test("a non-HTTP client is refused at its first byte, without waiting for a line end")
    func refusesEarly() {
        #expect(HTTPRequestParser.parse([0x16]) == .error(status: 400, reason: "invalid character in method"))
        #expect(HTTPRequestParser.parse(Array(String(repeating: "A", count: 33).utf8)).status == 501)
        #expect(HTTPRequestParser.parse(Array(String(repeating: "A", count: 32).utf8)) == .needMore)
    }

    @Test("pipelined requests come out one at a time, in order")
    func pipelining() {
        let first = "GET /1 HTTP/1.1\r\n\r\n"
        let second = "POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        var parser = HTTPRequestParser()
        #expect(parser.feed(Array((first + second + "GET /3 HT").utf8)) == .request(request("GET", "/1"), consumed: first.utf8.count))
        #expect(
            parser.next()
                == .request(request("POST", "/2", [("Content-Length", "3")], body: "abc"), consumed: second.utf8.count))
        #expect(parser.next() == .needMore)
        #expect(parser.hasPartialRequest)
        #expect(parser.feed(Array("TP/1.1\r\n\r\n".utf8)) == .request(request("GET", "/3"), consumed: 19))
        #expect(!parser.hasPartialRequest)
    }

    @Test("a body split across reads is assembled")
    func splitBody() {
        var parser = HTTPRequestParser()
        #expect(parser.feed(Array("POST / HTTP/1.1\r\nContent-Length: 6\r\n\r\nab".utf8)) == .needMore)
        #expect(parser.feed(Array("cd".utf8)) == .needMore)
        #expect(parser.feed(Array("efGET".utf8)) == .request(request("POST", "/", [("Content-Length", "6")], body: "abcdef"), consumed: 44))
        #expect(parser.hasPartialRequest)
    }

    @Test("an error is final: more bytes do not change it")
    func errorIsSticky() {
        var parser = HTTPRequestParser()
        let error = parser.feed(Array("GET / HTTP/1.1\r\nX : y\r\n\r\n".utf8))
        #expect(error.status == 400)
        #expect(parser.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8)) == error)
        #expect(parser.next() == error)
        #expect(!parser.hasPartialRequest)
    }

    @Test("empty lines alone are not a partial request")
    func partialRequest() {
        var parser = HTTPRequestParser()
        #expect(!parser.hasPartialRequest)
        _ = parser.feed(Array("\r\n".utf8))
        #expect(!parser.hasPartialRequest)
        _ = parser.feed(Array("G".utf8))
        #expect(parser.hasPartialRequest)
    }

    @Test("head limit: exactly maxHeaderBytes passes, one more byte is 431")
    func headLimit() {
        var limits = HTTPLimits()
        limits.maxHeaderBytes = 100
        func head(value: Int) -> String { "GET / HTTP/1.1\r\nX: \(String(repeating: "v", count: value))\r\n\r\n" }
        let exact = head(value: 100 - head(value: 0).utf8.count)
        #expect(exact.utf8.count == 100)
        #expect(HTTPRequestParser.parse(Array(exact.utf8), limits: limits).isRequest)
        let over = head(value: 101 - head(value: 0).utf8.count)
        #expect(HTTPRequestParser.parse(Array(over.utf8), limits: limits).status == 431)
        #expect(feedInPieces(Array(over.utf8), size: 1, limits: limits).status == 431)
        // Without a line end, the 101st byte decides.
        #expect(HTTPRequestParser.parse(Array(repeating: UInt8(ascii: "/"), count: 100), limits: limits).status == 400)
        let longTarget = Array("GET /".utf8) + Array(repeating: UInt8(ascii: "a"), count: 95)
        #expect(HTTPRequestParser.parse(longTarget, limits: limits) == .needMore)
        #expect(HTTPRequestParser.parse(longTarget + [UInt8(ascii: "a")], limits: limits).status == 431)
    }

    @Test("body limit: exactly maxBodyBytes passes, one more is 413")
    func bodyLimit() {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 10
        let exact = Array("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789".utf8)
        #expect(HTTPRequestParser.parse(exact, limits: limits).isRequest)
        let over = Array("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n".utf8)
        #expect(HTTPRequestParser.parse(over, limits: limits).status == 413)
    }

    @Test("Expect: 100-continue is reported while the body is missing")
    func expectContinue() {
        var parser = HTTPRequestParser()
        #expect(parser.feed(Array("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8)) == .needMore)
        #expect(parser.awaitsContinue)
        #expect(parser.feed(Array("a".utf8)) == .needMore)
        #expect(parser.awaitsContinue)
        #expect(parser.feed(Array("b".utf8)).isRequest)
        #expect(!parser.awaitsContinue)
        var plain = HTTPRequestParser()
        _ = plain.feed(Array("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n".utf8))
        #expect(!plain.awaitsContinue)
    }

    @Test(
        "keep-alive follows the version and the Connection options",
        arguments: [
            ("GET / HTTP/1.1\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nConnection: upgrade\r\n\r\n", true),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
            ("GET / HTTP/1.0\r\nconnection: x, Keep-Alive\r\n\r\n", true),
        ])
    func keepAlive(_ text: String, _ expected: Bool) throws {
        guard case .request(let request, _) = HTTPRequestParser.parse(Array(text.utf8)) else {
            Issue.record("not parsed")
            return
        }
        #expect(request.wantsKeepAlive == expected)
    }
}

extension HTTPRequestParser.Result {
    var status: Int? {
        if case .error(let status, _) = self { return status }
        return nil
    }
    var isRequest: Bool {
        if case .request = self { return true }
        return false
    }
}
