/// An absolute http(s) URL split into the parts soup-run decides on: origin, userinfo, path.
/// Parsing is strict on purpose: the URL carries a token, so anything ambiguous is refused.
public struct HTTPURL: Sendable, Equatable {
    /// Lowercased: `http` or `https`.
    public var scheme: String
    /// `user:password` before `@`, if present. Never printed: see `redacted`.
    public var userinfo: String?
    /// Lowercased; an IPv6 literal keeps its brackets (`[::1]`).
    public var host: String
    /// The port as written, if any.
    public var port: Int?
    /// The path and query (`/api/v1/x?resolve=false`); `""` when the URL has none.
    public var pathAndQuery: String

    public init(scheme: String, userinfo: String? = nil, host: String, port: Int? = nil, pathAndQuery: String = "") {
        self.scheme = scheme
        self.userinfo = userinfo
        self.host = host
        self.port = port
        self.pathAndQuery = pathAndQuery
    }

    /// Scheme, host and port: two URLs may share a token only when these are equal.
    public struct Origin: Sendable, Equatable, CustomStringConvertible {
        public var scheme: String
        public var host: String
        public var port: Int
        public var description: String { "\(scheme)://\(host):\(port)" }
    }

    public var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }
    public var origin: Origin { Origin(scheme: scheme, host: host, port: effectivePort) }

    /// The URL as sent.
    public var string: String { render(userinfo: userinfo) }
    /// The URL for messages and logs: userinfo replaced by `***`, and every value of the query
    /// too (`?key=***`), except soup-run's own `resolve=false`: a query may carry a credential
    /// (an API URL's `?api_key=`, a redirect's signed URL).
    public var redacted: String {
        render(userinfo: userinfo == nil ? nil : "***", pathAndQuery: Self.redactingQuery(pathAndQuery))
    }

    private func render(userinfo: String?, pathAndQuery: String? = nil) -> String {
        var s = scheme + "://"
        if let userinfo { s += userinfo + "@" }
        s += host
        if let port { s += ":\(port)" }
        return s + (pathAndQuery ?? self.pathAndQuery)
    }

    /// `/p?a=1&b` → `/p?a=***&b=***`; the fragment-free path is kept as is.
    static func redactingQuery(_ pathAndQuery: String) -> String {
        guard let mark = pathAndQuery.firstIndex(of: "?") else { return pathAndQuery }
        let query = pathAndQuery[pathAndQuery.index(after: mark)...]
        guard !query.isEmpty else { return pathAndQuery }
        let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            if part == "resolve=false" { return String(part) }
            let name = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return "\(name)=***"
        }
        return String(pathAndQuery[...mark]) + parts.joined(separator: "&")
    }

    /// True for hosts whose traffic never leaves the machine: 127.0.0.0/8, `::1`, `localhost`.
    public var isLoopback: Bool {
        var h = Array(host.utf8)
        if h.last == UInt8(ascii: ".") { h.removeLast() }
        let text = String(decoding: h, as: UTF8.self)
        if text == "localhost" || text.hasSuffix(".localhost") { return true }
        if text == "[::1]" || text == "[0:0:0:0:0:0:0:1]" { return true }
        // A dotted quad whose first number is 127: four numbers of 1 to 3 digits, each ≤ 255.
        var numbers = 0
        var first = -1
        var value = 0
        var digits = 0
        for byte in h + [UInt8(ascii: ".")] {
            if byte == UInt8(ascii: ".") {
                guard (1...3).contains(digits), value <= 255 else { return false }
                if numbers == 0 { first = value }
                numbers += 1
                (value, digits) = (0, 0)
            } else if URLBytes.isDigit(byte), digits < 3 {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            } else {
                return false
            }
        }
        return numbers == 4 && first == 127
    }

    /// Parses an absolute `http://` or `https://` URL. A fragment is dropped. One pass over the
    /// UTF-8 bytes (the text must be printable ASCII, so each rule is a byte test).
    public static func parse(_ text: String) throws(URLProblem) -> HTTPURL {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { throw .empty }
        if !bytes.allSatisfy(URLBytes.isPrintable) { throw .invalidCharacter }
        guard let schemeEnd = URLBytes.schemeEnd(bytes) else { throw .notAbsolute }
        let scheme = URLBytes.lowercased(bytes[..<schemeEnd])
        guard scheme == "http" || scheme == "https" else { throw .unsupportedScheme(String(scheme.prefix(20))) }
        var rest = bytes[(schemeEnd + 3)...]
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var pathAndQuery = URLBytes.string(rest[authorityEnd...])
        if pathAndQuery.hasPrefix("?") { pathAndQuery = "/" + pathAndQuery }

        var userinfo: String?
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) {
            userinfo = URLBytes.string(authority[..<at])
            authority = authority[(at + 1)...]
        }
        let host: ArraySlice<UInt8>
        var portText: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { throw .invalidHost }
            host = authority[...close]
            let after = authority[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { throw .invalidHost }
                portText = after.dropFirst()
            }
            let inner = host.dropFirst().dropLast()
            guard !inner.isEmpty, inner.allSatisfy(URLBytes.isIPv6Byte) else { throw .invalidHost }
        } else {
            if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
                host = authority[..<colon]
                portText = authority[(colon + 1)...]
            } else {
                host = authority
            }
            guard !host.isEmpty, host.allSatisfy(isHostByte) else { throw .invalidHost }
        }
        var port: Int?
        if let portText {
            guard let value = URLBytes.port(portText) else { throw .invalidPort }
            port = value
        }
        return HTTPURL(
            scheme: scheme, userinfo: userinfo, host: URLBytes.lowercased(host), port: port, pathAndQuery: pathAndQuery)
    }

    /// A host name's bytes: letters, digits, `-._~` and `%` (percent-encoding).
    private static func isHostByte(_ byte: UInt8) -> Bool {
        URLBytes.isLetter(byte) || URLBytes.isDigit(byte) || "-._~%".utf8.contains(byte)
    }

    /// Resolves a `Location` header against this URL: absolute, scheme-relative (`//host/p`),
    /// absolute-path (`/p`), query-only (`?q`) and relative-path (`p`) references.
    public func resolving(_ reference: String) throws(URLProblem) -> HTTPURL {
        if reference.contains("://") { return try HTTPURL.parse(reference) }
        if reference.hasPrefix("//") { return try HTTPURL.parse(scheme + ":" + reference) }
        if let colon = reference.firstIndex(of: ":"),
            !reference[..<colon].contains(where: { $0 == "/" || $0 == "?" || $0 == "#" })
        {
            throw .unsupportedScheme(String(reference[..<colon].prefix(20)))
        }
        var base = self
        let path = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        if reference.hasPrefix("/") {
            base.pathAndQuery = reference
        } else if reference.hasPrefix("?") {
            base.pathAndQuery = (path.isEmpty ? "/" : String(path)) + reference
        } else {
            let directory = path.lastIndex(of: "/").map { path[...$0] } ?? "/"
            base.pathAndQuery = String(directory) + reference
        }
        if let hash = base.pathAndQuery.firstIndex(of: "#") { base.pathAndQuery = String(base.pathAndQuery[..<hash]) }
        // Validate the combined text with the same rules as a typed URL.
        return try HTTPURL.parse(base.string)
    }
}

/// What is wrong with a URL. Messages name the part, never the URL (it may hold credentials).
public enum URLProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case invalidCharacter
    case notAbsolute
    case unsupportedScheme(String)
    case invalidHost
    case invalidPort
    case hasQuery

    public var description: String {
        switch self {
        case .empty: return "the URL is empty"
        case .invalidCharacter: return "the URL contains a space, control or non-ASCII character (percent-encode it)"
        case .notAbsolute: return "the URL must start with http:// or https://"
        case .unsupportedScheme(let s): return "unsupported scheme '\(s)' (use http or https)"
        case .invalidHost: return "the URL has no valid host"
        case .invalidPort: return "the URL's port must be a number from 1 to 65535"
        case .hasQuery: return "the API URL must not contain a query (?...)"
        }
    }
}
