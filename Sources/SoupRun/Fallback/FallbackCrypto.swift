import CSoupCrypto

/// The cryptography the fallback copy needs, over the C shim (libcrypto): random bytes,
/// HKDF-SHA256 and AES-256-GCM. Bytes in, bytes out; nothing here knows the file format.
public enum FallbackCrypto {
    static let keyBytes = Int(SOUP_CRYPTO_KEY_BYTES)
    static let nonceBytes = Int(SOUP_CRYPTO_NONCE_BYTES)
    static let tagBytes = Int(SOUP_CRYPTO_TAG_BYTES)

    /// Why an operation failed. Never carries key material or data.
    public enum Failure: Error, Equatable, Sendable {
        /// The tag did not verify: another key, or changed data or associated data.
        case rejected
        /// libcrypto reported an error.
        case failed
        /// This build has no libcrypto (macOS builds without OpenSSL).
        case unavailable

        init(code: Int32) {
            switch code {
            case SOUP_CRYPTO_REJECTED: self = .rejected
            case SOUP_CRYPTO_UNAVAILABLE: self = .unavailable
            default: self = .failed
            }
        }
    }

    /// `count` bytes from the kernel's random source.
    public static func randomBytes(_ count: Int) throws(Failure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let code = bytes.withUnsafeMutableBufferPointer { soup_crypto_random($0.baseAddress, $0.count) }
        guard code == SOUP_CRYPTO_OK else { throw Failure(code: code) }
        return bytes
    }

    /// A 32-byte key: HKDF-SHA256 of `secret` with `salt` and `info`. No slow KDF: the secret
    /// is an API token, already high-entropy, and a start must stay fast.
    static func deriveKey(secret: [UInt8], salt: [UInt8], info: [UInt8]) throws(Failure) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: keyBytes)
        let code = secret.withUnsafeBufferPointer { s in
            salt.withUnsafeBufferPointer { salt in
                info.withUnsafeBufferPointer { info in
                    key.withUnsafeMutableBufferPointer { out in
                        soup_crypto_hkdf_sha256(
                            s.baseAddress, s.count, salt.baseAddress, salt.count, info.baseAddress, info.count,
                            out.baseAddress, out.count)
                    }
                }
            }
        }
        guard code == SOUP_CRYPTO_OK else { throw Failure(code: code) }
        return key
    }

    /// AES-256-GCM: the ciphertext (as long as `plaintext`) and the 16-byte tag.
    static func seal(key: [UInt8], nonce: [UInt8], associatedData: [UInt8], plaintext: [UInt8]) throws(Failure)
        -> (ciphertext: [UInt8], tag: [UInt8])
    {
        precondition(key.count == keyBytes && nonce.count == nonceBytes)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: tagBytes)
        let code = key.withUnsafeBufferPointer { k in
            nonce.withUnsafeBufferPointer { n in
                associatedData.withUnsafeBufferPointer { a in
                    plaintext.withUnsafeBufferPointer { p in
                        ciphertext.withUnsafeMutableBufferPointer { c in
                            tag.withUnsafeMutableBufferPointer { t in
                                soup_crypto_aes256gcm_seal(
                                    k.baseAddress, n.baseAddress, a.baseAddress, a.count, p.baseAddress, p.count,
                                    c.baseAddress, t.baseAddress)
                            }
                        }
                    }
                }
            }
        }
        guard code == SOUP_CRYPTO_OK else { throw Failure(code: code) }
        return (ciphertext, tag)
    }

    /// The plaintext, only when the tag verifies for `key`, `nonce` and `associatedData`.
    static func open(
        key: [UInt8], nonce: [UInt8], associatedData: [UInt8], ciphertext: ArraySlice<UInt8>, tag: ArraySlice<UInt8>
    ) throws(Failure) -> [UInt8] {
        precondition(key.count == keyBytes && nonce.count == nonceBytes && tag.count == tagBytes)
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        let code = key.withUnsafeBufferPointer { k in
            nonce.withUnsafeBufferPointer { n in
                associatedData.withUnsafeBufferPointer { a in
                    ciphertext.withUnsafeBufferPointer { c in
                        tag.withUnsafeBufferPointer { t in
                            plaintext.withUnsafeMutableBufferPointer { p in
                                soup_crypto_aes256gcm_open(
                                    k.baseAddress, n.baseAddress, a.baseAddress, a.count, c.baseAddress, c.count,
                                    t.baseAddress, p.baseAddress)
                            }
                        }
                    }
                }
            }
        }
        guard code == SOUP_CRYPTO_OK else { throw Failure(code: code) }
        return plaintext
    }

    /// Whether libcrypto is called through OpenSSL 3's default provider tables (the fast path)
    /// rather than its EVP interface.
    static var usesProviderTables: Bool { soup_crypto_uses_provider_tables() == 1 }

    /// Overwrites `bytes` (a key, a plaintext) before it is released.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { soup_crypto_wipe($0.baseAddress, $0.count) }
    }
}
