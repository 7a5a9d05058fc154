import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The static release soup-run in an empty root (`EmptyRoot`: the binary, `/etc/hosts`,
/// `/etc/resolv.conf`, a static test command, a CA when testing https), run with `chroot`
/// against soup-dev-server and a TLS forwarder on loopback, with and without `/proc`. Needs root
/// and the static binary (`SOUP_STATIC_BINARY`); `.ci/run` runs it after the release build with
/// `SOUP_REQUIRE_EMPTY_ROOT=1`, which turns a skip into a failure.
@Suite("static soup-run in an empty root", .serialized)
struct EmptyRootTests {
    static let withAndWithoutProc = [false, true]
    /// Skips with the reason when the machine cannot run the suite (not root, no static binary).
    static let runnable: ConditionTrait = .enabled(
        if: EmptyRoot.available, Comment(rawValue: EmptyRoot.unavailable ?? ""))
    /// The demo data's secrets the test command reports on.
    static let keys = ["DB_PASSWORD", "LOG_LEVEL"]

    @Test(.enabled(if: EmptyRoot.required, "only where SOUP_REQUIRE_EMPTY_ROOT=1 (CI) asks for the suite"))
    func theSuiteRunsWhereItIsRequired() {
        #expect(EmptyRoot.unavailable == nil, "the empty-root suite cannot run: \(EmptyRoot.unavailable ?? "")")
    }

    /// The API URL of `server` by the name the root's /etc/hosts resolves (not an IP literal).
    static func byName(_ server: DevServer) -> String {
        server.apiURL.replacingOccurrences(of: "127.0.0.1", with: EmptyRoot.serverName)
    }

    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["SOUP_TOKEN": DevServer.demoToken, "PATH": "/"].merging(extra) { $1 }
    }

    /// Expects the test command's report of a successful run: every key set, the token absent.
    static func expectRan(_ result: ProcessResult, _ what: String) {
        #expect(result.exitCode == 0, "\(what): \(result.termination); stderr \(result.stderrText)")
        for key in keys { #expect(result.stdoutText.contains("app: \(key) has "), "\(what): \(result.stdoutText)") }
        #expect(result.stdoutText.contains("app: token absent"), "\(what): \(result.stdoutText)")
    }

    @Test(EmptyRootTests.runnable, arguments: withAndWithoutProc)
    func overHTTPItResolvesFetchesAndExecs(proc: Bool) throws {
        let server = try DevServer()
        let root = try EmptyRoot()
        let result = try root.run(
            ["--api-url", Self.byName(server), "my-app", "prod", "--", "/app"] + Self.keys,
            environment: Self.environment(), proc: proc)
        Self.expectRan(result, "http, /proc \(proc ? "mounted" : "absent")")
    }

    /// Without /proc/self/fd the start-up finds inherited descriptors another way (poll): the one
    /// soup-run's parent passed reaches the command, none of soup-run's own do.
    @Test(EmptyRootTests.runnable, arguments: withAndWithoutProc)
    func anInheritedDescriptorReachesTheCommandAndNoOtherDoes(proc: Bool) throws {
        let server = try DevServer()
        let root = try EmptyRoot()
        let result = try root.run(
            ["--api-url", Self.byName(server), "my-app", "prod", "--", "/app", "fd:7", "fd:3", "fd:4", "fd:5"],
            environment: Self.environment(), proc: proc, inheriting: 7)
        #expect(result.exitCode == 0, "\(result.termination): \(result.stderrText)")
        #expect(result.stdoutText.contains("app: fd 7 open"), "\(result.stdoutText)")
        for fd in 3...5 { #expect(result.stdoutText.contains("app: fd \(fd) closed"), "\(result.stdoutText)") }
    }

    @Test(EmptyRootTests.runnable, arguments: withAndWithoutProc)
    func exportPrintsTheSecrets(proc: Bool) throws {
        let server = try DevServer()
        let root = try EmptyRoot()
        let result = try root.run(
            ["--api-url", Self.byName(server), "--export", "my-app", "prod"], environment: Self.environment(),
            proc: proc)
        #expect(result.exitCode == 0, "stderr \(result.stderrText)")
        #expect(result.stdoutText.contains("export DB_HOST='db.internal'"), "\(result.stdoutText)")
    }

    /// soup-run in `root` over https to `host`, through a TLS forwarder to a fresh soup-dev-server,
    /// running the test command on the demo keys.
    static func runOverHTTPS(
        in root: EmptyRoot, host: String = EmptyRoot.serverName, environment: [String: String] = environment(),
        proc: Bool
    ) throws -> ProcessResult {
        let server = try DevServer()
        let tls = try TLSForwarder(upstream: server.apiURL)
        return try root.run(
            ["--api-url", tls.apiURL(host: host), "my-app", "prod", "--", "/app"] + keys, environment: environment,
            proc: proc)
    }

    /// Expects a refused TLS connection to `host`: 69, named, and the command never ran.
    static func expectRefused(_ result: ProcessResult, host: String) {
        #expect(result.exitCode == 69, "\(result.termination): \(result.stderrText)")
        #expect(result.stderrText.contains("TLS with https://\(host)"), "\(result.stderrText)")
        #expect(!result.stdoutText.contains("app:"), "the command ran: \(result.stdoutText)")
    }

    @Test(EmptyRootTests.runnable, arguments: withAndWithoutProc)
    func overHTTPSItVerifiesWithTheBundleInTheUsualPlace(proc: Bool) throws {
        let root = try EmptyRoot(ca: try EmptyRootFixtures.shared.ca)
        Self.expectRan(try Self.runOverHTTPS(in: root, proc: proc), "https with /etc/ssl/certs/ca-certificates.crt")
    }

    @Test(EmptyRootTests.runnable, arguments: withAndWithoutProc)
    func overHTTPSItVerifiesWithAHashedDirectory(proc: Bool) throws {
        let fixtures = EmptyRootFixtures.shared
        let root = try EmptyRoot(hashedCA: (try fixtures.ca, try fixtures.caHash))
        Self.expectRan(try Self.runOverHTTPS(in: root, proc: proc), "https with /etc/ssl/certs/HASH.0")
    }

    @Test(EmptyRootTests.runnable, arguments: withAndWithoutProc)
    func aCertificateForAnotherHostIsRefused(proc: Bool) throws {
        let root = try EmptyRoot(ca: try EmptyRootFixtures.shared.ca)
        let result = try Self.runOverHTTPS(in: root, host: EmptyRoot.wrongName, proc: proc)
        Self.expectRefused(result, host: EmptyRoot.wrongName)
    }

    @Test(EmptyRootTests.runnable, arguments: withAndWithoutProc)
    func aServerSignedByAnUnknownCAIsRefused(proc: Bool) throws {
        let root = try EmptyRoot(ca: try EmptyRootFixtures.shared.otherCA)
        Self.expectRefused(try Self.runOverHTTPS(in: root, proc: proc), host: EmptyRoot.serverName)
    }

    @Test(EmptyRootTests.runnable, arguments: withAndWithoutProc)
    func withNoTrustStoreHTTPSIs78NamingThePathsTried(proc: Bool) throws {
        let root = try EmptyRoot()
        let result = try Self.runOverHTTPS(in: root, proc: proc)
        #expect(result.exitCode == 78, "\(result.termination): \(result.stderrText)")
        for path in ["/etc/ssl/certs", "/etc/ssl/cert.pem", "/etc/pki/tls/certs/ca-bundle.crt", "SSL_CERT_FILE"] {
            #expect(result.stderrText.contains(path), "\(result.stderrText)")
        }
        #expect(!result.stdoutText.contains("app:"), "the command ran: \(result.stdoutText)")
        // A CA file named in the environment that is not there: 78 too, naming the variable.
        let named = try Self.runOverHTTPS(
            in: root, environment: Self.environment(["SSL_CERT_FILE": "/missing.pem"]), proc: proc)
        #expect(named.exitCode == 78, "\(named.termination): \(named.stderrText)")
        #expect(named.stderrText.contains("SSL_CERT_FILE names /missing.pem"), "\(named.stderrText)")
    }

    @Test(EmptyRootTests.runnable, arguments: withAndWithoutProc)
    func watchRestartsTheCommandWhenASecretChanges(proc: Bool) throws {
        let server = try DevServer()
        let tls = try TLSForwarder(upstream: server.apiURL)
        let root = try EmptyRoot(ca: try EmptyRootFixtures.shared.ca)
        let run = try root.start(
            [
                "--watch", "--interval", "0.2", "--api-url", tls.apiURL(), "my-app", "prod", "--", "/app", "--serve",
                "NEW_KEY",
            ],
            environment: Self.environment(), proc: proc)
        #expect(run.waitForOutput("app: ready pid=", in: .stdout, timeout: 30), "\(run.stdoutText) \(run.stderrText)")
        #expect(run.stdoutText.contains("app: NEW_KEY is not set"))
        try server.setSecret("NEW_KEY", "twelve bytes")
        #expect(
            run.waitForOutput("app: NEW_KEY has 12 bytes", in: .stdout, timeout: 30),
            "\(run.stdoutText) \(run.stderrText)")
        #expect(watchWaitUntil(run, timeout: 30) { watchCount(of: "app: ready pid=", in: run.stdoutText) == 2 })
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.exitCode == 0, "\(result.termination): \(result.stderrText)")
        #expect(result.stdoutText.contains("app: stopping on signal \(SIGTERM)"), "\(result.stdoutText)")
    }
}
