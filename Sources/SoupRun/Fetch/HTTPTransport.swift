/// One GET as the transport sees it: no redirects followed, no retries, no interpretation.
public struct TransportRequest: Sendable, Equatable {
    public var url: String
    /// Header fields to send, by name.
    public var headers: [String: String]
    /// Seconds for the whole attempt, connecting included.
    public var timeout: Double
    /// The transfer is aborted (`.bodyTooLarge`) once the body would exceed this.
    public var maxBodyBytes: Int

    public init(url: String, headers: [String: String], timeout: Double, maxBodyBytes: Int) {
        self.url = url
        self.headers = headers
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }
}

/// A response as received: the status, the few headers soup-run reads, and the body.
public struct TransportResponse: Sendable, Equatable {
    public var status: Int
    public var etag: String?
    public var retryAfter: String?
    public var location: String?
    public var contentType: String?
    public var body: [UInt8]

    public init(
        status: Int, etag: String? = nil, retryAfter: String? = nil, location: String? = nil,
        contentType: String? = nil, body: [UInt8] = []
    ) {
        self.status = status
        self.etag = etag
        self.retryAfter = retryAfter
        self.location = location
        self.contentType = contentType
        self.body = body
    }
}

/// Why no response arrived. `message` names hosts and causes, never a header or URL userinfo.
public struct TransportFailure: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The attempt's timeout passed.
        case timedOut
        /// Name resolution, connecting, or the connection failing mid-way: may work later.
        case network
        /// Certificate verification or TLS setup failed: retrying will not help.
        case tls
        /// The URL was rejected before any connection.
        case badURL
        /// The body exceeded `maxBodyBytes`.
        case bodyTooLarge
        /// No usable CA store for an https URL (`TrustStore`): a configuration problem.
        case trustStore
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

public typealias TransportResult = Result<TransportResponse, TransportFailure>

/// Performs one GET. The seam between soup-run and the network: `CurlTransport` in the binary,
/// scripted fakes in tests.
public protocol HTTPTransport: Sendable {
    func get(_ request: TransportRequest) -> TransportResult
}
