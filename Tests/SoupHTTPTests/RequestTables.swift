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
        GoodRequest(
            "value whitespace trimmed", "GET / HTTP/1.1\r\nX:  \t v w \t\r\n\r\n", request("GET", "/", [("X", "v w")])),
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

/// A request value as the parser builds it.
func request(
    _ method: String, _ target: String, _ headers: [(String, String)] = [], body: String = "",
    version: HTTPVersion = .http1_1
) -> HTTPRequest {
    var request = HTTPRequest(
        method: method, target: target, headers: headers.map { ($0.0, $0.1) }, body: Array(body.utf8))
    request.version = version
    return request
}
