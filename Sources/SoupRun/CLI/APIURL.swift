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

    /// Parses and normalises `text`.
    public static func parse(_ text: String) throws(Invalid) -> APIURL {
        if text.isEmpty { throw Invalid(problem: "it is empty") }
        for scalar in text.unicodeScalars where scalar.value <= 0x20 || scalar.value >= 0x7F {
            throw Invalid(problem: "it contains a space, a control or a non-ASCII character")
        }
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw Invalid(problem: "it must start with http:// or https://")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw Invalid(problem: "the scheme must be http or https")
        }
        let rest = text[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") {
            throw Invalid(problem: "it must not contain a query (?) or fragment (#)")
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if authority.contains("@") {
            throw Invalid(problem: "it must not contain user information (give the token with --token or --token-file)")
        }
        let (host, portText) = try splitHostPort(authority)
        var port: Int? = nil
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(OptionValues.isDigit),
                let value = Int(portText), (1...65535).contains(value)
            else { throw Invalid(problem: "the port must be a number from 1 to 65535") }
            port = value
        }
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        return APIURL(scheme: scheme, host: host.lowercased(), port: port, path: path)
    }

    /// `text` with any user information (`user:password@`) removed, for error messages.
    public static func redacted(_ text: String) -> String {
        let start = text.firstRange(of: "://")?.upperBound ?? text.startIndex
        let end = text[start...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
        guard let at = text[start..<end].lastIndex(of: "@") else { return text }
        return String(text[..<start]) + String(text[text.index(after: at)...])
    }

    private static func splitHostPort(_ authority: Substring) throws(Invalid) -> (host: Substring, port: Substring?) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw Invalid(problem: "an IPv6 address must be closed with ]")
            }
            let inner = authority[authority.index(after: authority.startIndex)..<close]
            guard inner.contains(":"), inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw Invalid(problem: "the IPv6 address is not valid")
            }
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { return (authority[...close], nil) }
            guard after.hasPrefix(":") else { throw Invalid(problem: "unexpected text after the IPv6 address") }
            return (authority[...close], after.dropFirst())
        }
        let colon = authority.firstIndex(of: ":")
        let host = authority[..<(colon ?? authority.endIndex)]
        guard !host.isEmpty else { throw Invalid(problem: "it has no host") }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }) else {
            throw Invalid(problem: "the host may contain only letters, digits, '-', '.' and '_'")
        }
        return (host, colon.map { authority[authority.index(after: $0)...] })
    }
}
