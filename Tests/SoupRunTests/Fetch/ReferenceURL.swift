@testable import SoupRun

/// The character-based URL parsers as they were before they worked on bytes: the reference the
/// byte parsers are checked against on random texts (`URLParserDifferentialTests`).
enum ReferenceURL {
    /// `HTTPURL.isLoopback` of `host` as it was.
    static func isLoopback(_ host: String) -> Bool {
        var h = host
        if h.hasSuffix(".") { h.removeLast() }
        if h == "localhost" || h.hasSuffix(".localhost") { return true }
        if h == "[::1]" || h == "[0:0:0:0:0:0:0:1]" { return true }
        let octets = h.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(referenceDigit) })
        else { return false }
        return octets[0] == "127" && octets.allSatisfy { Int($0)! <= 255 }
    }

    static func http(_ text: String) throws(URLProblem) -> HTTPURL {
        if text.isEmpty { throw .empty }
        if text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0.value > 0x7E }) {
            throw .invalidCharacter
        }
        guard let schemeEnd = text.firstRange(of: "://") else { throw .notAbsolute }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw .unsupportedScheme(String(scheme.prefix(20))) }
        var rest = text[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var pathAndQuery = String(rest[authorityEnd...])
        if pathAndQuery.hasPrefix("?") { pathAndQuery = "/" + pathAndQuery }

        var userinfo: String?
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidHost }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidHost }
                portText = after.dropFirst()
            }
            let inner = host.dropFirst().dropLast()
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw .invalidHost
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
            let allowed: (Character) -> Bool = { $0.isLetter || $0.isNumber || "-._~%".contains($0) }
            guard !host.isEmpty, host.allSatisfy(allowed) else { throw .invalidHost }
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(referenceDigit),
                let p = Int(portText), (1...65535).contains(p)
            else { throw .invalidPort }
            port = p
        }
        return HTTPURL(
            scheme: scheme, userinfo: userinfo, host: host.lowercased(), port: port, pathAndQuery: pathAndQuery)
    }

    static func api(_ text: String) throws(APIURL.Invalid) -> APIURL {
        if text.isEmpty { throw APIURL.Invalid(problem: "it is empty") }
        for scalar in text.unicodeScalars where scalar.value <= 0x20 || scalar.value >= 0x7F {
            throw APIURL.Invalid(problem: "it contains a space, a control or a non-ASCII character")
        }
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw APIURL.Invalid(problem: "it must start with http:// or https://")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw APIURL.Invalid(problem: "the scheme must be http or https")
        }
        let rest = text[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") {
            throw APIURL.Invalid(problem: "it must not contain a query (?) or fragment (#)")
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if authority.contains("@") {
            throw APIURL.Invalid(
                problem: "it must not contain user information (give the token with --token or --token-file)")
        }
        let (host, portText) = try splitHostPort(authority)
        var port: Int? = nil
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(OptionValues.isDigit),
                let value = Int(portText), (1...65535).contains(value)
            else { throw APIURL.Invalid(problem: "the port must be a number from 1 to 65535") }
            port = value
        }
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        return APIURL(scheme: scheme, host: host.lowercased(), port: port, path: path)
    }

    private static func splitHostPort(_ authority: Substring) throws(APIURL.Invalid) -> (
        host: Substring, port: Substring?
    ) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw APIURL.Invalid(problem: "an IPv6 address must be closed with ]")
            }
            let inner = authority[authority.index(after: authority.startIndex)..<close]
            guard inner.contains(":"), inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw APIURL.Invalid(problem: "the IPv6 address is not valid")
            }
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { return (authority[...close], nil) }
            guard after.hasPrefix(":") else { throw APIURL.Invalid(problem: "unexpected text after the IPv6 address") }
            return (authority[...close], after.dropFirst())
        }
        let colon = authority.firstIndex(of: ":")
        let host = authority[..<(colon ?? authority.endIndex)]
        guard !host.isEmpty else { throw APIURL.Invalid(problem: "it has no host") }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }) else {
            throw APIURL.Invalid(problem: "the host may contain only letters, digits, '-', '.' and '_'")
        }
        return (host, colon.map { authority[authority.index(after: $0)...] })
    }
}

private func referenceDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
