/// Which proxy a request goes through, decided here rather than by libcurl so soup-run can name
/// it in messages and warnings, and so a loopback API never goes through one (a proxy on another
/// machine cannot reach this machine's 127.0.0.1, and would see the token).
///
/// Otherwise curl's rules: `http_proxy` (lower case only, as curl: `HTTP_PROXY` can be set by a
/// CGI request header) for http, `https_proxy` or `HTTPS_PROXY` for https, then `all_proxy` or
/// `ALL_PROXY`; `no_proxy` or `NO_PROXY` lists hosts (comma-separated, `*` for all, a leading
/// `.` optional, matching the host and its subdomains) that go direct. Empty values count as unset.
public enum ProxySelection {
    /// The variables that matter, in the order curl reads them.
    public static let variables = [
        "no_proxy", "NO_PROXY", "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
    ]

    /// The proxy URL for `url`, or nil to connect directly.
    public static func proxy(for url: HTTPURL, environment: [String: String]) -> String? {
        if url.isLoopback { return nil }
        func value(_ name: String) -> String? {
            guard let v = environment[name], !v.isEmpty else { return nil }
            return v
        }
        if let list = value("no_proxy") ?? value("NO_PROXY"), bypasses(host: url.host, noProxy: list) { return nil }
        let specific = url.scheme == "http" ? value("http_proxy") : value("https_proxy") ?? value("HTTPS_PROXY")
        return specific ?? value("all_proxy") ?? value("ALL_PROXY")
    }

    /// Whether `host` is listed in a `no_proxy` value.
    static func bypasses(host: String, noProxy: String) -> Bool {
        let name = host.lowercased().trimmingBrackets
        for raw in noProxy.split(whereSeparator: { $0 == "," || $0 == " " }) {
            var entry = raw.lowercased()
            if entry == "*" { return true }
            while entry.hasPrefix(".") { entry.removeFirst() }
            while entry.hasSuffix(".") { entry.removeLast() }
            entry = entry.trimmingBrackets
            if entry.isEmpty { continue }
            if name == entry || name.hasSuffix("." + entry) { return true }
        }
        return false
    }

    /// A proxy URL for messages: its user information (a proxy password) replaced by `***`.
    public static func redacted(_ proxy: String) -> String {
        guard let at = proxy.lastIndex(of: "@") else { return proxy }
        let parts = proxy.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        // `scheme://rest`: the user information starts after `//`; without a scheme, at once.
        let hasScheme = parts.count == 3 && parts[0].hasSuffix(":") && parts[1].isEmpty
        let start = hasScheme ? parts[2].startIndex : proxy.startIndex
        guard start <= at else { return proxy }
        return String(proxy[..<start]) + "***" + String(proxy[at...])
    }
}

extension String {
    /// `[::1]` → `::1`.
    fileprivate var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
