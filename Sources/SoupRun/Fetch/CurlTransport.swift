import CSoupCurl
import SoupCore

/// `HTTPTransport` over libcurl (through the CSoupCurl shim): redirects off, the proxy chosen by
/// `ProxySelection` from curl's variables (`http_proxy`, `https_proxy`, `no_proxy`), CAs from
/// `TrustStore`.
///
/// Copies of one transport share one libcurl session (`CurlSession`), so the start-up fetch and
/// every `--watch` poll use one connection while the server keeps it open; libcurl reconnects,
/// without a failed request, when the server closed it between polls. The layers' GETs, made at
/// the same time, run together on it: multiplexed on one connection over HTTP/2, on a kept
/// connection each over HTTP/1.1.
public struct CurlTransport: HTTPTransport {
    /// The CAs https connections trust: CURLOPT_CAINFO / CURLOPT_CAPATH, or libcurl's default.
    /// Chosen at the first https request, once for all copies: a run over plain http never
    /// searches the file system for one (listing /etc/ssl/certs was 5 % of an http start).
    public var trustStore: TrustStore { chosenTrustStore.value }
    private let chosenTrustStore: OnceValue<TrustStore>
    /// The kept handle, shared by copies of this transport.
    let session = CurlSession()

    /// The proxy variables (see `ProxySelection`), or nil to leave the choice to libcurl.
    public var proxyEnvironment: [String: String]?
    /// Variables libcurl (or its TLS library) would read from the process environment and soup-run
    /// must not honour for its own connection: `SSLKEYLOGFILE` would log the keys that decrypt the
    /// token. `SoupRunMain` removes them from soup-run's own environment at start.
    public static let ignoredVariables = ["SSLKEYLOGFILE"]

    /// Whether this build's libcurl speaks HTTP/2 (the development build's Debian libcurl does;
    /// the static release's minimal libcurl is built without nghttp2).
    public static var supportsHTTP2: Bool { soup_curl_http2_available() != 0 }

    /// Bound on all response header lines together (libcurl's own bounds one line at 100 KiB).
    public static let maxHeaderBytes = 64 * 1024

    public init(trustStore: TrustStore = .libraryDefault, proxyEnvironment: [String: String]? = nil) {
        self.init(choosing: { trustStore }, proxyEnvironment: proxyEnvironment)
    }

    private init(choosing: @escaping @Sendable () -> TrustStore, proxyEnvironment: [String: String]?) {
        chosenTrustStore = OnceValue(choosing)
        self.proxyEnvironment = proxyEnvironment
    }

    /// The store `TrustStore.choose` finds for `environment`: `CURL_CA_BUNDLE` (else
    /// `SSL_CERT_FILE`), `SSL_CERT_DIR`, else (Linux) the usual places; the proxy by
    /// `ProxySelection` from the same environment.
    public init(environment: [String: String], probe: TrustStore.Probe = .live) {
        #if os(Linux)
            let search = true
        #else
            let search = false
        #endif
        let storeVariables = environment.filter { TrustStore.variables.contains($0.key) }
        self.init(
            choosing: { TrustStore.choose(environment: storeVariables, probe: probe, search: search) },
            proxyEnvironment: environment.filter { ProxySelection.variables.contains($0.key) })
    }

    /// The proxy for `url` by `ProxySelection`, "" for none; nil when libcurl chooses.
    func proxyURL(for url: String) -> String? {
        guard let proxyEnvironment else { return nil }
        // No proxy named at all (the common case): no URL to parse for every poll.
        if proxyEnvironment.allSatisfy({ $0.value.isEmpty || $0.key.lowercased() == "no_proxy" }) { return "" }
        guard let parsed = try? HTTPURL.parse(url) else { return "" }
        return ProxySelection.proxy(for: parsed, environment: proxyEnvironment) ?? ""
    }

    public func proxy(for url: HTTPURL) -> String? {
        proxyURL(for: url.string).flatMap { $0.isEmpty ? nil : ProxySelection.redacted($0) }
    }

    public func get(_ request: TransportRequest) -> TransportResult {
        // Plain http sets no CA options (they concern only the server's certificate).
        let store = TrustStore.needed(for: request.url) ? trustStore : nil
        if let problem = store?.problem { return .failure(TransportFailure(.trustStore, problem)) }
        let (caInfo, caPath) = store?.libcurlOptions ?? (nil, nil)
        let timeoutMilliseconds = Self.milliseconds(request.timeout)
        let headerLines = request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        var response = soup_curl_response()
        let proxy = proxyURL(for: request.url)
        let shownProxy = proxy.flatMap { $0.isEmpty ? nil : ProxySelection.redacted($0) }
        let rc = withCStrings(headerLines) { lines in
            request.url.withCString { url in
                withOptionalCString(caInfo) { caInfo in
                    withOptionalCString(caPath) { caPath in
                        withOptionalCString(proxy) { proxy in
                            var c = soup_curl_request()
                            c.url = url
                            c.headers = lines.baseAddress
                            c.header_count = lines.count
                            c.connect_timeout_ms = timeoutMilliseconds
                            c.total_timeout_ms = timeoutMilliseconds
                            c.max_body_bytes = max(0, request.maxBodyBytes)
                            c.ca_info = caInfo
                            c.ca_path = caPath
                            c.proxy = proxy
                            c.max_header_bytes = Self.maxHeaderBytes
                            return session.get(&c, &response)
                        }
                    }
                }
            }
        }
        defer { soup_curl_response_free(&response) }
        if rc != 0 { return .failure(TransportFailure(.network, "out of memory setting up the request")) }

        if response.body_too_large != 0 {
            return .failure(TransportFailure(.bodyTooLarge, "response body exceeds \(request.maxBodyBytes) bytes"))
        }
        if let failure = Self.protocolFailure(response, proxy: shownProxy) { return .failure(failure) }
        if response.curl_code != 0 {
            let detail = withUnsafeBytes(of: response.error_message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            let summary = response.error_summary.map { String(cString: $0) } ?? "curl error"
            let forbidden =
                Array(request.headers.values) + Self.credentials(in: request.headers)
                + Self.userinfoParts(of: request.url)
            let message = Self.safeMessage(detail: detail, summary: summary, forbidden: forbidden)
            return .failure(TransportFailure(Self.kind(ofCurlCode: response.curl_code), message, proxy: shownProxy))
        }
        func string(_ p: UnsafeMutablePointer<CChar>?) -> String? { p.map { String(cString: $0) } }
        let body = response.body.map { Array(UnsafeBufferPointer(start: $0, count: response.body_length)) } ?? []
        return .success(
            TransportResponse(
                status: Int(response.status), etag: string(response.etag), retryAfter: string(response.retry_after),
                location: string(response.location), contentType: string(response.content_type), body: body))
    }

    /// Failures that libcurl words misleadingly: headers over our bound (or its own per-line
    /// bound, reported as "out of memory"), a proxy's refusal of CONNECT, an answer that is not HTTP.
    static func protocolFailure(_ response: soup_curl_response, proxy: String?) -> TransportFailure? {
        let code = Int(response.curl_code)
        let detail = withUnsafeBytes(of: response.error_message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if response.headers_too_large != 0 || (code == SOUP_CURLE_OUT_OF_MEMORY && detail.contains("header")) {
            return TransportFailure(.headersTooLarge, "response headers exceed \(maxHeaderBytes / 1024) KiB")
        }
        guard code != 0 else { return nil }
        let connect = Int(response.connect_status)
        if connect >= 300, let proxy {
            return TransportFailure(.proxyRefused(status: connect), "HTTP \(connect)", proxy: proxy)
        }
        // Code 1 is also a refused scheme (file://): only the HTTP/0.9 variant is the server's.
        if (code == SOUP_CURLE_UNSUPPORTED_PROTOCOL && detail.contains("HTTP/0.9"))
            || code == SOUP_CURLE_WEIRD_SERVER_REPLY
        {
            return TransportFailure(.notHTTP, "the answer is not HTTP", proxy: proxy)
        }
        return nil
    }

    /// Whole milliseconds, rounded up so a tiny timeout never becomes libcurl's "no timeout" (0).
    static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 1 }
        let ms = (seconds * 1000).rounded(.up)
        return ms >= Double(Int32.max) ? Int(Int32.max) : max(1, Int(ms))
    }

    /// How a CURLcode should be treated: only `.network` and `.timedOut` are worth retrying.
    static func kind(ofCurlCode code: Int32) -> TransportFailure.Kind {
        switch Int(code) {
        case SOUP_CURLE_OPERATION_TIMEDOUT: return .timedOut
        case SOUP_CURLE_UNSUPPORTED_PROTOCOL, SOUP_CURLE_URL_MALFORMAT: return .badURL
        case SOUP_CURLE_FILESIZE_EXCEEDED: return .bodyTooLarge
        // Certificate problems: bad peer certificate, unreadable CA file, local cert problem, issuer.
        case SOUP_CURLE_PEER_FAILED_VERIFICATION, SOUP_CURLE_SSL_CACERT_BADFILE, 58, 83: return .tls
        default: return .network
        }
    }

    /// libcurl's detailed message when it is safe to show, else its generic summary. Unsafe means it
    /// might echo a credential: it contains `@` (userinfo) or any header value or userinfo part.
    static func safeMessage(detail: String, summary: String, forbidden: [String]) -> String {
        let trimmed = detail.filter { !$0.isNewline }
        guard !trimmed.isEmpty, !trimmed.contains("@") else { return summary }
        for secret in forbidden where !secret.isEmpty && trimmed.contains(secret) { return summary }
        return trimmed
    }

    /// The credential of an `Authorization` header without its scheme (`Bearer <token>` → `<token>`),
    /// so a message that quotes the bare token is suppressed too.
    static func credentials(in headers: [String: String]) -> [String] {
        headers.compactMap { name, value in
            guard name.lowercased() == "authorization", let space = value.firstIndex(of: " ") else { return nil }
            return String(value[value.index(after: space)...].drop { $0 == " " })
        }
    }

    /// The user and password of a URL's userinfo (`scheme://user:password@host`), if any.
    static func userinfoParts(of url: String) -> [String] {
        guard let parsed = try? HTTPURL.parse(url), let userinfo = parsed.userinfo else { return [] }
        return userinfo.split(separator: ":", maxSplits: 1).map(String.init) + [userinfo]
    }
}

private func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}

/// Calls `body` with C strings for `strings`, valid for the duration of the call.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { s -> UnsafeMutablePointer<CChar> in
        let utf8 = Array(s.utf8CString)
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        p.initialize(from: utf8, count: utf8.count)
        return p
    }
    defer { for p in copies { p.deallocate() } }
    let pointers = copies.map { UnsafePointer<CChar>?(UnsafePointer($0)) }
    return pointers.withUnsafeBufferPointer { body($0) }
}

/// The kept libcurl session (a multi handle: connections, DNS and TLS caches) of one transport.
/// GETs from several threads at once run together on it: over HTTP/2 on one connection.
final class CurlSession: Sendable {
    /// The C session (nil when it could not be allocated: every GET then makes its own handle).
    /// Set once; the C side locks what GETs share.
    private let handle: Handle

    private struct Handle: @unchecked Sendable { let pointer: OpaquePointer? }

    init() {
        handle = Handle(pointer: soup_curl_session_new())
    }

    // No GET runs any more: each holds a reference to its transport, and so to this session.
    deinit { soup_curl_session_free(handle.pointer) }

    /// `soup_curl_get` on the kept session; concurrent callers share its connections.
    func get(_ request: UnsafePointer<soup_curl_request>, _ response: UnsafeMutablePointer<soup_curl_response>)
        -> Int32
    {
        guard let session = handle.pointer else { return soup_curl_get(request, response) }
        return soup_curl_session_get(session, request, response)
    }
}
