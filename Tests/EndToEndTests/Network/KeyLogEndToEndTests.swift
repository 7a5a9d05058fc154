import Foundation
import Testing

/// A loopback HTTPS server (Python's ssl, a certificate made by `openssl`) that answers every
/// request with the demo secrets.
let tlsServerScript = #"""
    import http.server, ssl, sys
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"data":{"A":"1"}}'
            self.send_response(200); self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
        def log_message(self, *args): pass
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); context.load_cert_chain(sys.argv[1], sys.argv[2])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#

@Suite("soup-run: SSLKEYLOGFILE is not honoured for its own connection")
struct KeyLogEndToEndTests {
    @Test(.enabled(if: opensslPresent, "needs /usr/bin/openssl for a test certificate (scripts/prerequisites.sh)"))
    func theTokensConnectionIsNotKeyLoggedButTheCommandStillGetsTheVariable() throws {
        let dir = try TemporaryDirectory(prefix: "soup-keylog")
        let tls = try LoopbackTLS(in: dir)
        let (server, port) = try tls.startServer(tlsServerScript)
        defer { server.signal(SIGKILL) }
        let keyLog = dir.path + "/keys.log"
        let result = try runSoupRun(
            [
                "--api-url", "https://127.0.0.1:\(port)/api/v1", "my-app", "prod", "--", "/bin/sh", "-c",
                "echo \"keylog=$SSLKEYLOGFILE A=$A\"",
            ],
            environment: [
                "SOUP_TOKEN": DevServer.demoToken, "SSLKEYLOGFILE": keyLog,
            ].merging(tls.trustEnvironment) { $1 })
        #expect(result.termination == .exited(0), "stderr: \(result.stderrText)")
        #expect(result.stdoutText == "keylog=\(keyLog) A=1\n")
        #expect(!FileManager.default.fileExists(atPath: keyLog), "no TLS keys of the token's connection written")
    }
}
