/// The API base URL as the user gives it, checked and normalised: http or https, a host, an optional
/// port and path, no user information, query or fragment, no trailing `/`. Stricter than `HTTPURL`
/// (the general parser the fetch uses for requests and redirect targets, which also answers
/// origin and loopback questions).
public struct APIURL: Equatable, Sendable {
    /// Why a text is not a usable API URL (the text itself is not repeated here).
    public struct Invalid: Error, Equatable, Sendable {
        public let problem: String
    }

    /// `http` or `https`, lowercased.
    public let scheme: String
    /// The host as written in a URL, lowercased; an IPv6 literal keeps its brackets (`[::1]`).
    public let host: String
    /// The explicit port, if any.
    public let port: Int?
    /// The path without a trailing `/`: empty or starting with `/` (`/api/v1`).
    public let path: String

    /// `scheme://host[:port]`.
    public var origin: String { "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "") }
    /// The normalised URL: origin and path.
    public var string: String { origin + path }

    /// Parses and normalises `text` (one pass over its UTF-8 bytes, as `HTTPURL.parse`).
    public static func parse(_ text: String) throws(Invalid) -> APIURL {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { throw Invalid(problem: "it is empty") }
        if !bytes.allSatisfy(URLBytes.isPrintable) {
            throw Invalid(problem: "it contains a space, a control or a non-ASCII character")
        }
        guard let schemeEnd = URLBytes.schemeEnd(bytes) else {
            throw Invalid(problem: "it must start with http:// or https://")
        }
        let scheme = URLBytes.lowercased(bytes[..<schemeEnd])
        guard scheme == "http" || scheme == "https" else {
            throw Invalid(problem: "the scheme must be http or https")
        }
        let rest = bytes[(schemeEnd + 3)...]
        if rest.contains(UInt8(ascii: "?")) || rest.contains(UInt8(ascii: "#")) {
            throw Invalid(problem: "it must not contain a query (?) or fragment (#)")
        }
        let authorityEnd = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if authority.contains(UInt8(ascii: "@")) {
            throw Invalid(problem: "it must not contain user information (give the token with --token or --token-file)")
        }
        let (host, portText) = try splitHostPort(authority)
        var port: Int? = nil
        if let portText {
            guard let value = URLBytes.port(portText) else {
                throw Invalid(problem: "the port must be a number from 1 to 65535")
            }
            port = value
        }
        var path = rest[authorityEnd...]
        while path.last == UInt8(ascii: "/") { path = path.dropLast() }
        return APIURL(scheme: scheme, host: URLBytes.lowercased(host), port: port, path: URLBytes.string(path))
    }

    /// `text` with any user information (`user:password@`) removed, for error messages.
    public static func redacted(_ text: String) -> String {
        let start = text.firstRange(of: "://")?.upperBound ?? text.startIndex
        let end = text[start...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
        guard let at = text[start..<end].lastIndex(of: "@") else { return text }
        return String(text[..<start]) + String(text[text.index(after: at)...])
    }

    private static func splitHostPort(
        _ authority: ArraySlice<UInt8>
    ) throws(Invalid) -> (host: ArraySlice<UInt8>, port: ArraySlice<UInt8>?) {
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
                throw Invalid(problem: "an IPv6 address must be closed with ]")
            }
            let inner = authority[(authority.startIndex + 1)..<close]
            guard inner.contains(UInt8(ascii: ":")), inner.allSatisfy(URLBytes.isIPv6Byte) else {
                throw Invalid(problem: "the IPv6 address is not valid")
            }
            let after = authority[(close + 1)...]
            if after.isEmpty { return (authority[...close], nil) }
            guard after.first == UInt8(ascii: ":") else {
                throw Invalid(problem: "unexpected text after the IPv6 address")
            }
            return (authority[...close], after.dropFirst())
        }
        let colon = authority.firstIndex(of: UInt8(ascii: ":"))
        let host = authority[..<(colon ?? authority.endIndex)]
        guard !host.isEmpty else { throw Invalid(problem: "it has no host") }
        let allowed = { (byte: UInt8) in
            URLBytes.isLetter(byte) || URLBytes.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_")
        }
        guard host.allSatisfy(allowed) else {
            throw Invalid(problem: "the host may contain only letters, digits, '-', '.' and '_'")
        }
        return (host, colon.map { authority[($0 + 1)...] })
    }
}
