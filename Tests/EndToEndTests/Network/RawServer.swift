import Foundation

/// A loopback TCP server in Python that answers every connection the same way, for answers
/// HTTPServer would never give: not HTTP, enormous headers, a proxy refusing CONNECT.
final class RawServer {
    static let script = #"""
        import socket, sys
        mode = sys.argv[1]
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
        print(s.getsockname()[1], flush=True)
        pad = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 1000) for i in range(100))
        answers = {
            "not-http": b"SSH-2.0-OpenSSH_9.2\r\n",
            "http09": b"hello, this is not a status line\n",
            "huge-headers": b"HTTP/1.1 200 OK\r\n" + pad + b"Content-Length: 2\r\n\r\n{}",
            "proxy-407": b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 0\r\n\r\n",
            "proxy-403": b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
            "proxy-502": b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
        }
        while True:
            c, _ = s.accept()
            c.settimeout(5)
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = c.recv(65536)
                    if not chunk: break
                    data += chunk
                first = data.split(b"\r\n", 1)[0].decode("latin-1")
                print("request " + first, flush=True)
                c.sendall(answers[mode])
            except OSError:
                pass
            c.close()
        """#

    let process: ChildProcess
    let port: Int

    init(_ mode: String) throws {
        process = try ChildProcess(
            "/usr/bin/python3", ["-c", Self.script, mode], environment: ["PATH": "/usr/bin:/bin"])
        guard process.waitForOutput("\n", in: .stdout, timeout: 30),
            let port = Int(process.stdoutText.split(separator: "\n").first ?? "")
        else { throw SpawnError(description: "the raw server did not start: \(process.stderrText)") }
        self.port = port
    }

    deinit { process.signal(SIGKILL) }

    var url: String { "http://127.0.0.1:\(port)" }
    /// Reads the server's output until it has reported `count` requests (bounded); false if not.
    @discardableResult
    func waitForRequests(_ count: Int, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while requests.count < count && Date() < deadline {
            process.waitForOutput("\u{1}never", in: .stdout, timeout: 0.05)  // a bounded pump
        }
        return requests.count >= count
    }

    /// The request lines it reported so far (`CONNECT host:443 HTTP/1.1`, `GET /… HTTP/1.1`).
    var requests: [String] {
        process.stdoutText.split(separator: "\n").filter { $0.hasPrefix("request ") }.map { String($0.dropFirst(8)) }
    }
}
