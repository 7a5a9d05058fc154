/// The CA certificates soup-run's https connections trust, chosen before the first TLS handshake.
///
/// The order: `CURL_CA_BUNDLE` (else `SSL_CERT_FILE`) as a PEM bundle and `SSL_CERT_DIR` as a
/// hashed directory, as the curl tool honours them; with none of them set (Linux), the first
/// hashed CA directory that exists (OpenSSL then loads only the CA a server's chain needs), else
/// the first bundle of the usual places of the common distributions. A static soup-run has no
/// compiled-in default, so the search is what makes it work in any image; it also keeps the
/// dynamic build from parsing the ~140-CA bundle (about 25 ms) at every start.
public enum TrustStore: Sendable, Equatable {
    /// A bundle file, a hashed directory, or both, handed to libcurl as CAINFO / CAPATH.
    case store(file: String?, directory: String?)
    /// Nothing named and no search (macOS): the TLS library's own default store.
    case libraryDefault
    /// A variable names a file or directory that is not there.
    case missing(variable: String, path: String, directory: Bool)
    /// Nothing named, and none of the usual places holds certificates.
    case notFound(tried: [String])

    /// Hashed CA directories (`*.0` links named after the subject hash), in the order tried.
    public static let hashedDirectories = ["/etc/ssl/certs"]
    /// PEM bundles, in the order tried: Debian/Ubuntu/distroless/Alpine, Alpine, Fedora/RHEL (two),
    /// openSUSE.
    public static let bundles = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem", "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/ca-bundle.pem",
    ]
    /// The variables that name a store, in the order read.
    public static let variables = ["CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"]

    /// What the search asks of the file system.
    public struct Probe: Sendable {
        /// Whether `path` is a file (after symlinks).
        public var isFile: @Sendable (String) -> Bool
        /// Whether `path` is a directory (after symlinks).
        public var isDirectory: @Sendable (String) -> Bool
        /// Whether the directory holds at least one entry named like a hashed CA (`1a2b3c4d.0`).
        public var hasHashedCA: @Sendable (String) -> Bool

        public init(
            isFile: @escaping @Sendable (String) -> Bool, isDirectory: @escaping @Sendable (String) -> Bool,
            hasHashedCA: @escaping @Sendable (String) -> Bool
        ) {
            self.isFile = isFile
            self.isDirectory = isDirectory
            self.hasHashedCA = hasHashedCA
        }
    }

    /// The store for `environment` (empty values count as unset). `search` is false where the TLS
    /// library has a store of its own (macOS).
    public static func choose(environment: [String: String], probe: Probe, search: Bool) -> TrustStore {
        func named(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let fileVariable = named("CURL_CA_BUNDLE") != nil ? "CURL_CA_BUNDLE" : "SSL_CERT_FILE"
        let file = named(fileVariable)
        let directory = named("SSL_CERT_DIR")
        if file != nil || directory != nil {
            if let file, !probe.isFile(file) { return .missing(variable: fileVariable, path: file, directory: false) }
            if let directory, !probe.isDirectory(directory) {
                return .missing(variable: "SSL_CERT_DIR", path: directory, directory: true)
            }
            return .store(file: file, directory: directory)
        }
        guard search else { return .libraryDefault }
        if let directory = hashedDirectories.first(where: { probe.isDirectory($0) && probe.hasHashedCA($0) }) {
            return .store(file: nil, directory: directory)
        }
        if let bundle = bundles.first(where: probe.isFile) { return .store(file: bundle, directory: nil) }
        return .notFound(tried: hashedDirectories.map { "\($0) (hashed *.0 entries)" } + bundles)
    }

    /// Why https cannot be verified with this store, or nil when it can be tried.
    public var problem: String? {
        switch self {
        case .store, .libraryDefault:
            return nil
        case .missing(let variable, let path, let directory):
            return "\(variable) names \(path), which is not a \(directory ? "directory" : "file")"
        case .notFound(let tried):
            return "no CA certificates found to verify the server (tried \(tried.joined(separator: ", "))); "
                + "set SSL_CERT_FILE to a PEM bundle or SSL_CERT_DIR to a hashed CA directory, "
                + "or install the image's CA certificates (ca-certificates)"
        }
    }

    /// CURLOPT_CAINFO and CURLOPT_CAPATH (both nil: libcurl's default).
    var libcurlOptions: (file: String?, directory: String?) {
        if case .store(let file, let directory) = self { return (file, directory) }
        return (nil, nil)
    }

    /// Whether `url` needs a trust store (https: certificate verification).
    static func needed(for url: String) -> Bool {
        url.utf8.count >= 6 && url.prefix(6).lowercased() == "https:"
    }
}
