/// The protocol version of an HTTP/1.x message (`HTTP/1.0`, `HTTP/1.1`).
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

extension HTTPRequest {
    /// Whether the client asked to keep the connection open after this request.
    ///
    /// HTTP/1.1 keeps it open unless `Connection` lists `close`; HTTP/1.0 closes it unless
    /// `Connection` lists `keep-alive` (RFC 9112 §9.3).
    public var wantsKeepAlive: Bool {
        var close = false
        var keepAlive = false
        for field in headers where field.name.lowercased() == "connection" {
            for option in field.value.split(separator: ",") {
                switch option.trimmingOWS().lowercased() {
                case "close": close = true
                case "keep-alive": keepAlive = true
                default: break
                }
            }
        }
        if close { return false }
        return version.minor >= 1 || keepAlive
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingOWS() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
