import SoupCore

/// What a fallback copy is bound to: the exact request its secrets answered. A copy opens only
/// for the same binding (it is part of the associated data), so a copy is never used for another
/// API, project, environment or resolve setting.
public struct FallbackBinding: Sendable, Equatable {
    /// The normalised API base URL (origin and path).
    public var apiURL: String
    public var project: String
    public var environment: String
    /// `resolve=true` (the default) or raw values (`--no-resolve`).
    public var resolve: Bool
    /// The sources layered into the answer, in order (none today). Each one is appended to the
    /// associated data as its own field, so an empty list encodes exactly as version 1 always has.
    public var layers: [String] = []

    public init(apiURL: String, project: String, environment: String, resolve: Bool, layers: [String] = []) {
        self.apiURL = apiURL
        self.project = project
        self.environment = environment
        self.resolve = resolve
        self.layers = layers
    }

    /// The binding of `configuration`'s request; `layers` names every layer when there is more than
    /// the operands' environment (`--also`, `--env-file`), and is empty otherwise.
    public init(_ configuration: Configuration, layers: [String] = []) {
        self.init(
            apiURL: configuration.apiURL, project: configuration.project, environment: configuration.environment,
            resolve: configuration.resolve, layers: layers.count > 1 ? layers : [])
    }

    /// `name` and `value` of each field, each as a 4-byte big-endian length and its UTF-8 bytes.
    var encoded: [UInt8] {
        var fields: [(String, String)] = [
            ("api-url", apiURL), ("project", project), ("environment", environment),
            ("resolve", resolve ? "true" : "false"),
        ]
        fields += layers.map { ("layer", $0) }
        var bytes: [UInt8] = []
        for (name, value) in fields {
            FallbackEnvelope.appendField(Array(name.utf8), to: &bytes)
            FallbackEnvelope.appendField(Array(value.utf8), to: &bytes)
        }
        return bytes
    }
}

/// A copy that opened: the secrets as the API returned them and when they were written.
public struct FallbackContents: Sendable, Equatable {
    public var secrets: [String: String]
    /// Seconds since the Unix epoch (authenticated: part of the associated data).
    public var writtenAt: UInt64
}

/// The fallback file format, version 1 (documented in the README):
///
///     offset  size  field
///     0       8     magic "SOUPFBK\n"
///     8       1     version (1)
///     9       8     written at, Unix seconds, big-endian
///     17      16    salt (random per write)
///     33      12    nonce (random per write)
///     45      n     AES-256-GCM ciphertext of {"data": {...}}, the API's answer as JSON
///     45+n    16    GCM tag
///
/// Key: HKDF-SHA256(token, salt, info "soup-run fallback v1"). Associated data: the 45 header
/// bytes followed by the binding's fields, so nothing in the file can change unnoticed.
public enum FallbackEnvelope {
    static let magic: [UInt8] = Array("SOUPFBK\n".utf8)
    static let version: UInt8 = 1
    static let saltBytes = 16
    static let headerBytes = magic.count + 1 + 8 + saltBytes + FallbackCrypto.nonceBytes
    /// The smallest file that can be a copy: a header and a tag around an empty ciphertext.
    static let minimumBytes = headerBytes + FallbackCrypto.tagBytes
    private static let info: [UInt8] = Array("soup-run fallback v1".utf8)

    /// Why bytes are not a usable copy for this token and binding.
    public enum OpenError: Error, Equatable, Sendable {
        case notAFallbackFile
        case unknownVersion(UInt8)
        case truncated
        /// The tag did not verify: another token, another binding, or changed bytes.
        case rejected
        /// It opened but does not hold secrets data (names what is wrong, never a value).
        case invalidContents(String)
        case crypto(FallbackCrypto.Failure)
    }

    /// Encrypts `secrets` for `token` and `binding`; `random` gives the salt and nonce.
    static func seal(
        _ secrets: [String: String], binding: FallbackBinding, token: Secret, writtenAt: UInt64,
        random: (Int) throws(FallbackCrypto.Failure) -> [UInt8] = FallbackCrypto.randomBytes
    ) throws(FallbackCrypto.Failure) -> [UInt8] {
        let salt = try random(saltBytes)
        let nonce = try random(FallbackCrypto.nonceBytes)
        var header = magic + [version]
        for shift in stride(from: 56, through: 0, by: -8) {
            header.append(UInt8(truncatingIfNeeded: writtenAt >> shift))
        }
        header += salt + nonce
        var key = try FallbackCrypto.deriveKey(secret: Array(token.value.utf8), salt: salt, info: info)
        defer { FallbackCrypto.wipe(&key) }
        var plaintext = plaintext(of: secrets)
        defer { FallbackCrypto.wipe(&plaintext) }
        let sealed = try FallbackCrypto.seal(
            key: key, nonce: nonce, associatedData: header + binding.encoded, plaintext: plaintext)
        return header + sealed.ciphertext + sealed.tag
    }

    /// What a copy of `secrets` encrypts: `{"data":{...}}` with the members sorted by name, so
    /// equal secrets are equal bytes.
    static func plaintext(of secrets: [String: String]) -> [UInt8] {
        Array(JSONValue.object(["data": .stringObject(secrets)]).encoded().utf8)
    }

    /// Whether a copy's decrypted `plaintext` is `plaintext(of: secrets)`, checked without
    /// parsing it (how an unchanged start compares).
    static func holds(_ secrets: [String: String], plaintext: [UInt8]) -> Bool {
        JSON.isEncoding(of: secrets, under: "data", plaintext)
    }

    /// The contents of `bytes`, only when they are a complete, unchanged copy for `token` and `binding`.
    static func open(_ bytes: [UInt8], binding: FallbackBinding, token: Secret) throws(OpenError) -> FallbackContents {
        var opened = try openPlaintext(bytes, binding: binding, token: token)
        defer { FallbackCrypto.wipe(&opened.plaintext) }
        do {
            return FallbackContents(secrets: try SecretsDocument.parse(opened.plaintext), writtenAt: opened.writtenAt)
        } catch {
            throw .invalidContents(error.description)
        }
    }

    /// `open` without parsing: the decrypted bytes (the caller wipes them) and the time written.
    static func openPlaintext(_ bytes: [UInt8], binding: FallbackBinding, token: Secret) throws(OpenError) -> (
        plaintext: [UInt8], writtenAt: UInt64
    ) {
        // The magic and version first, so a file of another kind or version says so even when short.
        guard bytes.starts(with: magic.prefix(bytes.count)) else { throw .notAFallbackFile }
        guard bytes.count > magic.count else { throw .truncated }
        let fileVersion = bytes[magic.count]
        guard fileVersion == version else { throw .unknownVersion(fileVersion) }
        guard bytes.count >= minimumBytes else { throw .truncated }
        let header = Array(bytes[0..<headerBytes])
        let writtenAt = bytes[(magic.count + 1)..<(magic.count + 9)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let saltStart = magic.count + 9
        let salt = Array(bytes[saltStart..<(saltStart + saltBytes)])
        let nonce = Array(bytes[(saltStart + saltBytes)..<headerBytes])
        let tagStart = bytes.count - FallbackCrypto.tagBytes
        do throws(FallbackCrypto.Failure) {
            var key = try FallbackCrypto.deriveKey(secret: Array(token.value.utf8), salt: salt, info: info)
            defer { FallbackCrypto.wipe(&key) }
            let plaintext = try FallbackCrypto.open(
                key: key, nonce: nonce, associatedData: header + binding.encoded,
                ciphertext: bytes[headerBytes..<tagStart], tag: bytes[tagStart...])
            return (plaintext, writtenAt)
        } catch {
            throw error == .rejected ? .rejected : .crypto(error)
        }
    }

    static func appendField(_ field: [UInt8], to bytes: inout [UInt8]) {
        let count = UInt32(truncatingIfNeeded: field.count)
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: count >> shift)) }
        bytes += field
    }
}
