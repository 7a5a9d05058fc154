import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether /usr/bin/openssl is there to make test certificates (scripts/prerequisites.sh --test).
let opensslPresent = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

/// A self-signed certificate for 127.0.0.1 (made by `openssl` in `directory`), and loopback
/// servers in Python that present it.
struct LoopbackTLS {
    let certificate: String
    let key: String

    init(in directory: TemporaryDirectory) throws {
        certificate = directory.path + "/cert.pem"
        key = directory.path + "/key.pem"
        let made = try runProcess(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
            ], environment: ["PATH": "/usr/bin:/bin"])
        #expect(made.termination == .exited(0), "openssl: \(made.stderrText)")
    }

    /// Runs `script` with /usr/bin/python3 (argv: the certificate, the key, then `arguments`);
    /// the script prints its port on its first line. The caller kills the server.
    func startServer(_ script: String, arguments: [String] = []) throws -> (server: ChildProcess, port: Int) {
        let server = try ChildProcess(
            "/usr/bin/python3", ["-c", script, certificate, key] + arguments, environment: ["PATH": "/usr/bin:/bin"])
        #expect(server.waitForOutput("\n", in: .stdout, timeout: 30), "server: \(server.stderrText)")
        guard let port = Int(server.stdoutText.split(separator: "\n").first ?? "") else {
            server.signal(SIGKILL)
            throw ServerDidNotStart(stderr: server.stderrText)
        }
        return (server, port)
    }

    struct ServerDidNotStart: Error { let stderr: String }

    /// The environment that makes soup-run trust this certificate and nothing else.
    var trustEnvironment: [String: String] { ["CURL_CA_BUNDLE": certificate, "SSL_CERT_FILE": "", "SSL_CERT_DIR": ""] }
}
