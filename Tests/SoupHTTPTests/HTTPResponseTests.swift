import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@testable import SoupHTTP

@Suite("HTTPResponse on the wire")
struct HTTPResponseTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("status line, handler headers, then the server's framing")
    func framing() {
        let response = HTTPResponse(status: 201, headers: [("X-A", "1")], body: Array("hi".utf8))
        #expect(
            text(response.serialized(keepAlive: true))
                == "HTTP/1.1 201 Created\r\nX-A: 1\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nhi")
        #expect(
            text(response.serialized(keepAlive: false))
                == "HTTP/1.1 201 Created\r\nX-A: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
    }

    @Test("the handler cannot set the framing headers")
    func framingIsTheServers() {
        let response = HTTPResponse(
            status: 200,
            headers: [("Content-Length", "99"), ("connection", "keep-alive"), ("Transfer-Encoding", "chunked")],
            body: Array("abc".utf8))
        #expect(
            text(response.serialized(keepAlive: false))
                == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
    }

    @Test(
        "a header that would split the response is left out",
        arguments: [
            ("X-A", "a\r\nSet-Cookie: x"), ("X-A", "a\nb"), ("X-A", "a\u{0}"), ("X A", "v"), ("", "v"), ("X:A", "v"),
        ])
    func unsafeHeaders(_ name: String, _ value: String) {
        let bytes = HTTPResponse(status: 200, headers: [(name, value)]).serialized(keepAlive: true)
        #expect(text(bytes) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test("204 and 304 carry neither body nor Content-Length", arguments: [204, 304, 101])
    func noBody(_ status: Int) {
        let bytes = HTTPResponse(status: status, body: Array("x".utf8)).serialized(keepAlive: true)
        #expect(
            text(bytes) == "HTTP/1.1 \(status) \(HTTPStatus.reasonPhrase(status))\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test("for HEAD the length is sent and the body is not")
    func head() {
        let bytes = HTTPResponse(status: 200, body: Array("abc".utf8)).serialized(keepAlive: true, includeBody: false)
        #expect(text(bytes) == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test("a status outside 100...599 is sent as 500 without the body", arguments: [0, 42, 99, 600, -1])
    func invalidStatus(_ status: Int) {
        let bytes = HTTPResponse(status: status, body: Array("secret".utf8)).serialized(keepAlive: false)
        #expect(text(bytes) == "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    @Test(
        "reason phrases",
        arguments: [
            (200, "OK"), (201, "Created"), (204, "No Content"), (304, "Not Modified"), (400, "Bad Request"),
            (401, "Unauthorized"), (403, "Forbidden"), (404, "Not Found"), (405, "Method Not Allowed"),
            (408, "Request Timeout"), (411, "Length Required"), (413, "Content Too Large"),
            (429, "Too Many Requests"), (431, "Request Header Fields Too Large"), (500, "Internal Server Error"),
            (501, "Not Implemented"), (503, "Service Unavailable"), (505, "HTTP Version Not Supported"),
            (299, "Unknown"),
        ])
    func reasonPhrases(_ code: Int, _ phrase: String) {
        #expect(HTTPStatus.reasonPhrase(code) == phrase)
    }

    @Test("json, text and error helpers set the type and escape the message")
    func helpers() {
        let json = HTTPResponse.json(status: 200, "{\"a\":1}", headers: [("ETag", "\"x\"")])
        #expect(json.header("content-type") == "application/json")
        #expect(json.header("ETag") == "\"x\"")
        #expect(json.body == Array("{\"a\":1}".utf8))
        #expect(HTTPResponse.text(status: 200, "hi").header("Content-Type") == "text/plain; charset=utf-8")
        let error = HTTPResponse.error(status: 404, "say \"hi\"\\\n\u{1}")
        #expect(error.status == 404)
        #expect(text(error.body) == #"{"error":"say \"hi\"\\\n\u0001"}"#)
    }
}

@Suite("HTTPLimits")
struct HTTPLimitsTests {
    @Test("out-of-range limits are raised or lowered to values the server can use")
    func clamping() {
        var limits = HTTPLimits()
        #expect(limits.idleSeconds == 10 && limits.shutdownSeconds == 10 && limits.connections == 512)
        #expect(limits.headSeconds == 5 && limits.headsPerPeer == 64)
        limits.idleTimeout = -1
        limits.maxHeadsPerPeer = 0
        limits.shutdownTimeout = .infinity
        limits.maxConnections = 0
        limits.maxHeaderBytes = 0
        limits.maxBodyBytes = -5
        #expect(limits.idleSeconds == 0.001)
        #expect(limits.shutdownSeconds == 365 * 24 * 3600)
        #expect(limits.connections == 1)
        #expect(limits.headsPerPeer == 1)
        #expect(limits.headSeconds == 0.001, "never longer than idleTimeout")
        #expect(limits.headerBytes == 64)
        #expect(limits.bodyBytes == 0)
        limits.idleTimeout = .nan
        #expect(limits.idleSeconds == 10)
    }

    @Test("server errors name the host, port and the system's reason")
    func errorMessages() {
        #expect(
            HTTPServerError.socketFailed(call: "bind", host: "::1", port: 80, errno: EACCES).description
                == "cannot listen on [::1]:80: bind failed: Permission denied")
        #expect(
            HTTPServerError.invalidHost(host: "h", reason: "Name or service not known").description.contains("host h"))
        #expect(HTTPServerError.resourceFailed(what: "thread", errno: EAGAIN).description.contains("thread"))
    }
}
