import SoupCore

extension HTTPResponse {
    /// A response with a JSON body and `Content-Type: application/json`.
    public static func json(status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> HTTPResponse
    {
        HTTPResponse(
            status: status, headers: [(name: "Content-Type", value: "application/json")] + headers,
            body: Array(body.utf8))
    }

    /// A response with a plain-text body and `Content-Type: text/plain; charset=utf-8`.
    public static func text(status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> HTTPResponse
    {
        HTTPResponse(
            status: status, headers: [(name: "Content-Type", value: "text/plain; charset=utf-8")] + headers,
            body: Array(body.utf8))
    }

    /// A JSON error response in the Soup API's shape: `{"error": "<message>"}`.
    public static func error(status: Int, _ message: String) -> HTTPResponse {
        json(status: status, JSONValue.object(["error": .string(message)]).encoded())
    }

    /// The bytes the server writes for this response: status line, headers, framing, body.
    ///
    /// The server owns the framing: handler-set `Content-Length`, `Connection` and
    /// `Transfer-Encoding` are replaced, and a header that cannot be written safely (a name that is
    /// not a token, a value with CR, LF or another control character) is left out rather than
    /// letting it split the response. A status outside 100...599 is sent as 500 without a body.
    /// 1xx, 204 and 304 carry no body and no `Content-Length`; `includeBody: false` (for `HEAD`)
    /// keeps the `Content-Length` and leaves the body out.
    public func serialized(keepAlive: Bool, includeBody: Bool = true) -> [UInt8] {
        let valid = (100...599).contains(status)
        let code = valid ? status : 500
        var head = "HTTP/1.1 \(code) \(HTTPStatus.reasonPhrase(code))\r\n"
        for field in headers where Self.isWritable(field) {
            switch field.name.lowercased() {
            case "content-length", "connection", "transfer-encoding": continue
            default: head += "\(field.name): \(field.value)\r\n"
            }
        }
        let payload = valid && !HTTPStatus.forbidsBody(code) ? body : []
        if !HTTPStatus.forbidsBody(code) { head += "Content-Length: \(payload.count)\r\n" }
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        return Array(head.utf8) + (includeBody ? payload : [])
    }

    private static func isWritable(_ field: (name: String, value: String)) -> Bool {
        !field.name.isEmpty && field.name.utf8.allSatisfy(ASCII.isTokenByte)
            && field.value.utf8.allSatisfy { $0 == ASCII.tab || ($0 >= 0x20 && $0 != 0x7F) }
    }
}
