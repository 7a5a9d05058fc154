import Foundation
import Testing

@testable import SoupRun

@Suite struct TrustStoreTests {
    /// A file system holding exactly `files`, `directories`, and `hashed` (directories with `*.0`).
    static func probe(files: Set<String> = [], directories: Set<String> = [], hashed: Set<String> = [])
        -> TrustStore.Probe
    {
        TrustStore.Probe(
            isFile: { files.contains($0) }, isDirectory: { directories.contains($0) || hashed.contains($0) },
            hasHashedCA: { hashed.contains($0) })
    }

    static func choose(_ environment: [String: String], _ probe: TrustStore.Probe, search: Bool = true) -> TrustStore {
        TrustStore.choose(environment: environment, probe: probe, search: search)
    }

    @Test func theEnvironmentComesFirstAsTheCurlToolReadsIt() {
        let fs = Self.probe(files: ["/a.pem", "/b.pem"], directories: ["/dir"], hashed: ["/etc/ssl/certs"])
        #expect(
            Self.choose(["CURL_CA_BUNDLE": "/a.pem", "SSL_CERT_FILE": "/b.pem"], fs)
                == .store(file: "/a.pem", directory: nil))
        #expect(Self.choose(["SSL_CERT_FILE": "/b.pem"], fs) == .store(file: "/b.pem", directory: nil))
        #expect(Self.choose(["SSL_CERT_DIR": "/dir"], fs) == .store(file: nil, directory: "/dir"))
        #expect(
            Self.choose(["SSL_CERT_FILE": "/b.pem", "SSL_CERT_DIR": "/dir"], fs)
                == .store(file: "/b.pem", directory: "/dir"))
        // Empty values count as unset: the search runs.
        #expect(
            Self.choose(["CURL_CA_BUNDLE": "", "SSL_CERT_FILE": "", "SSL_CERT_DIR": ""], fs)
                == .store(file: nil, directory: "/etc/ssl/certs"))
    }

    @Test func aStoreNamedInTheEnvironmentThatIsNotThereIsAProblemNamingTheVariable() {
        let fs = Self.probe(files: ["/etc/ssl/certs/ca-certificates.crt"], directories: ["/dir"])
        let missingFile = Self.choose(["SSL_CERT_FILE": "/gone.pem"], fs)
        #expect(missingFile == .missing(variable: "SSL_CERT_FILE", path: "/gone.pem", directory: false))
        #expect(missingFile.problem == "SSL_CERT_FILE names /gone.pem, which is not a file")
        #expect(
            Self.choose(["CURL_CA_BUNDLE": "/dir"], fs)
                == .missing(variable: "CURL_CA_BUNDLE", path: "/dir", directory: false))
        let missingDirectory = Self.choose(["SSL_CERT_DIR": "/gone"], fs)
        #expect(missingDirectory == .missing(variable: "SSL_CERT_DIR", path: "/gone", directory: true))
        #expect(missingDirectory.problem == "SSL_CERT_DIR names /gone, which is not a directory")
        // Not replaced by a store found elsewhere: what the user named is what they meant.
        #expect(Self.choose(["SSL_CERT_FILE": "/gone.pem"], fs, search: false).problem != nil)
    }

    @Test func aHashedDirectoryWinsOverEveryBundle() {
        let bundles = Set(TrustStore.bundles)
        #expect(
            Self.choose([:], Self.probe(files: bundles, hashed: ["/etc/ssl/certs"]))
                == .store(file: nil, directory: "/etc/ssl/certs"))
        // A directory of bundles without hashed links (Alpine without c_rehash) is not one.
        #expect(
            Self.choose([:], Self.probe(files: bundles, directories: ["/etc/ssl/certs"]))
                == .store(file: "/etc/ssl/certs/ca-certificates.crt", directory: nil))
    }

    @Test(arguments: TrustStore.bundles.indices)
    func theFirstBundleThatExistsIsUsed(index: Int) {
        let present = Set(TrustStore.bundles[index...])
        #expect(Self.choose([:], Self.probe(files: present)) == .store(file: TrustStore.bundles[index], directory: nil))
    }

    @Test func nothingFoundNamesEveryPathTriedAndHowToGiveOne() throws {
        let store = Self.choose([:], Self.probe())
        #expect(store == .notFound(tried: ["/etc/ssl/certs (hashed *.0 entries)"] + TrustStore.bundles))
        let problem = try #require(store.problem)
        for path in TrustStore.bundles + TrustStore.hashedDirectories { #expect(problem.contains(path)) }
        #expect(problem.contains("SSL_CERT_FILE") && problem.contains("SSL_CERT_DIR"))
    }

    @Test func withoutASearchTheLibraryDefaultStays() {
        #expect(Self.choose([:], Self.probe(), search: false) == .libraryDefault)
        #expect(TrustStore.libraryDefault.problem == nil)
        #expect(TrustStore.libraryDefault.libcurlOptions == (nil, nil))
    }

    @Test(arguments: [
        ("https://h/x", true), ("HTTPS://h", true), ("http://h/x", false), ("https", false), ("", false),
    ])
    func onlyHTTPSNeedsAStore(url: String, needed: Bool) {
        #expect(TrustStore.needed(for: url) == needed)
    }

    @Test(arguments: [
        ("5ad8a5d6.0", true), ("5ad8a5d6.12", true), ("5ad8a5d6.r0", false), ("5AD8A5D6.0", false),
        ("ca-certificates.crt", false), ("5ad8a5d6.", false), ("5ad8a5d.0", false),
    ])
    func hashedNamesAreOpenSSLs(name: String, hashed: Bool) {
        #expect(TrustStore.Probe.isHashedName(Array(name.utf8)) == hashed)
    }

    @Test func theLiveProbeSeesThisMachine() throws {
        let path = NSTemporaryDirectory() + "soup-run-cas-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path + "/ca.pem", contents: Data("x".utf8)))
        let live = TrustStore.Probe.live
        #expect(live.isFile(path + "/ca.pem") && !live.isFile(path) && !live.isFile(path + "/missing"))
        #expect(live.isDirectory(path) && !live.isDirectory(path + "/ca.pem"))
        #expect(!live.hasHashedCA(path))
        #expect(symlink("ca.pem", path + "/1a2b3c4d.0") == 0)
        #expect(live.hasHashedCA(path))
        #expect(!live.hasHashedCA(path + "/missing"))
    }
}
