import Testing

@testable import SoupHTTP

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
        #expect(
            parser.feed(Array((first + second + "GET /3 HT").utf8))
                == .request(request("GET", "/1"), consumed: first.utf8.count))
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
        #expect(
            parser.feed(Array("efGET".utf8))
                == .request(request("POST", "/", [("Content-Length", "6")], body: "abcdef"), consumed: 44))
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
        #expect(
            parser.feed(Array("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8)) == .needMore
        )
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
