import SoupCore
import SoupTestSupport
import Testing

@testable import SoupRun

/// The fallback file format: what opens, and that nothing else does (another token, another
/// request, any changed or missing byte).
@Suite struct FallbackEnvelopeTests {
    static let token = Secret("fb-token-5c1e9a77d3")
    static let binding = FallbackBinding(
        apiURL: "https://api.soup.dev/api/v1", project: "my-app", environment: "prod", resolve: true)
    static let secrets = ["DATABASE_URL": "postgres://u:pw-9f2@db/app", "EMPTY": "", "UNICODE": "héllo 🍲"]

    static func sealed(
        _ secrets: [String: String] = secrets, binding: FallbackBinding = binding, token: Secret = token
    ) throws -> [UInt8] {
        try FallbackEnvelope.seal(secrets, binding: binding, token: token, writtenAt: 1_796_040_000)
    }

    @Test func aCopyOpensWithItsTokenAndBinding() throws {
        let bytes = try Self.sealed()
        let contents = try FallbackEnvelope.open(bytes, binding: Self.binding, token: Self.token)
        #expect(contents == FallbackContents(secrets: Self.secrets, writtenAt: 1_796_040_000))
        #expect(try FallbackEnvelope.open(Self.sealed([:]), binding: Self.binding, token: Self.token).secrets == [:])
    }

    @Test func theLayoutIsTheDocumentedOne() throws {
        let bytes = try Self.sealed()
        #expect(Array(bytes[0..<8]) == Array("SOUPFBK\n".utf8))
        #expect(bytes[8] == 1)
        #expect(bytes[9..<17].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == 1_796_040_000)
        let plaintext = JSONValue.object(["data": .stringObject(Self.secrets)]).encoded().utf8.count
        #expect(bytes.count == 45 + plaintext + 16)
    }

    @Test func eachWriteHasAFreshSaltAndNonce() throws {
        let a = try Self.sealed()
        let b = try Self.sealed()
        #expect(a[17..<45] != b[17..<45])
        #expect(a[45...] != b[45...])
    }

    @Test func neitherTheTokenNorAnyValueNorKeyAppearsInTheFile() throws {
        let bytes = try Self.sealed()
        for needle in [Self.token.value] + Array(Self.secrets.values.filter { !$0.isEmpty }) + Array(Self.secrets.keys)
        {
            #expect(!contains(bytes, Array(needle.utf8)), "a plaintext string appears in the file")
        }
    }

    @Test func anotherTokenIsRefused() throws {
        let bytes = try Self.sealed()
        #expect(throws: FallbackEnvelope.OpenError.rejected) {
            try FallbackEnvelope.open(bytes, binding: Self.binding, token: Secret("fb-token-5c1e9a77d4"))
        }
    }

    @Test(arguments: [
        FallbackBinding(apiURL: "https://api.soup.dev/api/v2", project: "my-app", environment: "prod", resolve: true),
        FallbackBinding(apiURL: "https://other.example/api/v1", project: "my-app", environment: "prod", resolve: true),
        FallbackBinding(apiURL: "https://api.soup.dev/api/v1", project: "my-apq", environment: "prod", resolve: true),
        FallbackBinding(apiURL: "https://api.soup.dev/api/v1", project: "my-app", environment: "dev", resolve: true),
        FallbackBinding(apiURL: "https://api.soup.dev/api/v1", project: "my-app", environment: "prod", resolve: false),
        // Field boundaries are length-prefixed: moving a character across them changes the data.
        FallbackBinding(apiURL: "https://api.soup.dev/api/v1", project: "my-appp", environment: "rod", resolve: true),
        FallbackBinding(
            apiURL: "https://api.soup.dev/api/v1", project: "my-app", environment: "prod", resolve: true,
            layers: ["shared"]),
    ])
    func anotherRequestIsRefused(other: FallbackBinding) throws {
        let bytes = try Self.sealed()
        #expect(throws: FallbackEnvelope.OpenError.rejected) {
            try FallbackEnvelope.open(bytes, binding: other, token: Self.token)
        }
    }

    @Test func aBindingWithoutLayersEncodesAsItAlwaysHas() {
        // Adding the layers list must not change what version-1 copies were bound to.
        var bytes: [UInt8] = []
        for field in [
            "api-url", "https://api.soup.dev/api/v1", "project", "my-app", "environment", "prod", "resolve", "true",
        ] {
            FallbackEnvelope.appendField(Array(field.utf8), to: &bytes)
        }
        #expect(Self.binding.encoded == bytes)
    }

    @Test func everyFlippedByteIsRefused() throws {
        let bytes = try Self.sealed()
        for index in bytes.indices {
            for mask: UInt8 in [0x01, 0x80] {
                var changed = bytes
                changed[index] ^= mask
                #expect(throws: FallbackEnvelope.OpenError.self, "byte \(index) ^ \(mask)") {
                    try FallbackEnvelope.open(changed, binding: Self.binding, token: Self.token)
                }
            }
        }
    }

    @Test func everyTruncationIsRefused() throws {
        let bytes = try Self.sealed()
        for length in 0..<bytes.count {
            let cut = Array(bytes.prefix(length))
            #expect(throws: FallbackEnvelope.OpenError.self, "length \(length)") {
                try FallbackEnvelope.open(cut, binding: Self.binding, token: Self.token)
            }
        }
        // Short files say they are truncated; longer ones fail authentication.
        #expect(throws: FallbackEnvelope.OpenError.truncated) {
            try FallbackEnvelope.open(Array(bytes.prefix(44)), binding: Self.binding, token: Self.token)
        }
        #expect(throws: FallbackEnvelope.OpenError.rejected) {
            try FallbackEnvelope.open(Array(bytes.dropLast()), binding: Self.binding, token: Self.token)
        }
        #expect(throws: FallbackEnvelope.OpenError.rejected) {
            try FallbackEnvelope.open(bytes + [0], binding: Self.binding, token: Self.token)
        }
    }

    @Test func otherFilesAndVersionsAreNamed() throws {
        var bytes = try Self.sealed()
        #expect(throws: FallbackEnvelope.OpenError.notAFallbackFile) {
            try FallbackEnvelope.open(Array("DATABASE_URL=x\n".utf8), binding: Self.binding, token: Self.token)
        }
        bytes[8] = 2
        #expect(throws: FallbackEnvelope.OpenError.unknownVersion(2)) {
            try FallbackEnvelope.open(bytes, binding: Self.binding, token: Self.token)
        }
    }

    /// Seeded random files, and random splices and rewrites of a real one: every one is refused
    /// with an error (nothing crashes, nothing opens), whatever its length.
    @Test func randomAndMutatedFilesAreRefused() throws {
        let valid = try Self.sealed()
        var rng = SplitMix64(seed: 0xFA11_BAC6)
        for round in 0..<3000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<rng.next(below: 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if rng.next(below: 2) == 0 { bytes = Array(valid.prefix(9)) + bytes }
            case 1:
                bytes = valid
                for _ in 0...rng.next(below: 4) {
                    bytes[rng.next(below: bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
                }
                if bytes == valid { bytes[bytes.count - 1] ^= 0xFF }
            default:
                let cut = rng.next(below: valid.count)
                bytes = Array(valid[..<cut]) + Array(valid[(cut + 1 + rng.next(below: valid.count - cut))...])
            }
            #expect(throws: FallbackEnvelope.OpenError.self, "round \(round)") {
                try FallbackEnvelope.open(bytes, binding: Self.binding, token: Self.token)
            }
        }
    }

    @Test func randomBytesDiffer() throws {
        let a = try FallbackCrypto.randomBytes(32)
        let b = try FallbackCrypto.randomBytes(32)
        #expect(a.count == 32 && a != b)
        #expect(try FallbackCrypto.randomBytes(1000).count == 1000)
    }

    /// RFC 5869 test cases 1 and 2 (HKDF-SHA256; the first 32 bytes of the output, all soup-run
    /// derives): a short salt, and a salt longer than SHA-256's block (HMAC hashes it first).
    @Test func hkdfMatchesRFC5869() throws {
        let one = try FallbackCrypto.deriveKey(
            secret: [UInt8](repeating: 0x0b, count: 22), salt: Array(0x00...0x0c), info: Array(0xf0...0xf9))
        #expect(hex(one) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf")
        let two = try FallbackCrypto.deriveKey(
            secret: Array(0x00...0x4f), salt: Array(0x60...0xaf), info: Array(0xb0...0xff))
        #expect(hex(two) == "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c")
    }

    /// The GCM test vector of McGrew and Viega (test case 14: AES-256, zero key, nonce and block).
    @Test func aesGCMMatchesTheStandardVector() throws {
        let sealed = try FallbackCrypto.seal(
            key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12), associatedData: [],
            plaintext: [UInt8](repeating: 0, count: 16))
        #expect(hex(sealed.ciphertext) == "cea7403d4d606b6e074ec5d3baf39d18")
        #expect(hex(sealed.tag) == "d0d1c8a799996bf0265b98b5d48ab919")
        let opened = try FallbackCrypto.open(
            key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12), associatedData: [],
            ciphertext: sealed.ciphertext[...], tag: sealed.tag[...])
        #expect(opened == [UInt8](repeating: 0, count: 16))
    }

    #if os(Linux)
        /// OpenSSL 3 is called through the default provider's tables, the fast path (see soup_crypto.c).
        @Test func linuxUsesTheProvidersTables() {
            #expect(FallbackCrypto.usesProviderTables)
        }
    #endif

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16) }.joined()
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }
}
