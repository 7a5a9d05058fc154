import SoupHTTP

/// One stderr line per request: `METHOD PATH STATUS MSms`.
///
/// The path is logged without its query, and neither headers nor bodies are, so no token and no
/// secret value reaches the log.
public enum RequestLog {
    /// Paths longer than this are cut, so a hostile client cannot flood the log.
    static let maxPathLength = 256

    /// `handler`, with a log line sent to `sink` after each response.
    public static func logging(
        _ handler: @escaping HTTPHandler, sink: @escaping @Sendable (String) -> Void = Console.error
    ) -> HTTPHandler {
        { request in
            let clock = ContinuousClock()
            let start = clock.now
            let response = handler(request)
            let (seconds, attoseconds) = (clock.now - start).components
            let milliseconds = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
            sink(line(method: request.method, path: request.path, status: response.status, milliseconds: milliseconds))
            return response
        }
    }

    /// The log line for one request, newline included. Bytes outside printable ASCII and
    /// spaces are shown as `%XX`, so one request is always exactly one line of four fields.
    public static func line(method: String, path: some StringProtocol, status: Int, milliseconds: Int) -> String {
        var shownPath = printable(path)
        if shownPath.utf8.count > maxPathLength { shownPath = String(shownPath.utf8.prefix(maxPathLength))! + "..." }
        if shownPath.isEmpty { shownPath = "-" }
        var shownMethod = printable(method.prefix(32))
        if shownMethod.isEmpty { shownMethod = "-" }
        return "\(shownMethod) \(shownPath) \(status) \(milliseconds)ms\n"
    }

    private static func printable(_ text: some StringProtocol) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte > 0x20 && byte < 0x7F {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(UnicodeScalar(hex[Int(byte >> 4)])) + String(UnicodeScalar(hex[Int(byte & 0xF)]))
            }
        }
        return out
    }
}
