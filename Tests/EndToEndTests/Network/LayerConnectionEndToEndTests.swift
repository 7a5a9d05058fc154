import Foundation
import SoupCore
import SoupHTTP
import Testing

@testable import SoupRun

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback HTTP/2 server (Python's ssl and the `h2` package; ALPN offers only h2) that
/// answers each GET with `{"data": {"FROM_<PROJECT>": ..., "SHARED": ...}}`. It holds the
/// answers until `argv[3]` requests are waiting on the connection (at most 10 s), so it can say
/// whether they came together: it prints `connection`, `request PATH`, and `together N` or
/// `alone N` for each batch it answers.
let http2ServerScript = #"""
    import json, socket, ssl, sys, threading, time
    import h2.config, h2.connection, h2.events
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); context.load_cert_chain(sys.argv[1], sys.argv[2])
    context.set_alpn_protocols(["h2"])
    expected = int(sys.argv[3])
    lock = threading.Lock()
    def say(line):
        with lock: print(line, flush=True)
    def answer(h2c, stream, path):
        name = path.split("/projects/")[1].split("/")[0] if "/projects/" in path else "none"
        body = json.dumps({"data": {"FROM_" + name.upper().replace("-", "_"): name, "SHARED": name}}).encode()
        h2c.send_headers(stream, [(":status", "200"), ("content-type", "application/json"),
                                  ("content-length", str(len(body))), ("etag", '"' + name + '"')])
        h2c.send_data(stream, body, end_stream=True)
    def serve(raw):
        try:
            sock = context.wrap_socket(raw, server_side=True)
        except Exception:
            return
        if sock.selected_alpn_protocol() != "h2":
            say("not h2"); sock.close(); return
        say("connection")
        h2c = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
        h2c.initiate_connection(); sock.sendall(h2c.data_to_send())
        sock.settimeout(0.05)
        paths, waiting, first = {}, [], None
        while True:
            try:
                data = sock.recv(65535)
                if not data: return
                for event in h2c.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        headers = {k.decode(): v.decode() for k, v in event.headers}
                        paths[event.stream_id] = headers[":path"]; say("request " + headers[":path"])
                    elif isinstance(event, h2.events.StreamEnded):
                        waiting.append(event.stream_id); first = first or time.monotonic()
            except socket.timeout:
                pass
            except (ConnectionError, ssl.SSLError, OSError):
                return
            if waiting and (len(waiting) >= expected or time.monotonic() - first > 10):
                say(("together " if len(waiting) >= expected else "alone ") + str(len(waiting)))
                for stream in waiting: answer(h2c, stream, paths.pop(stream, ""))
                waiting, first = [], None
            try:
                sock.sendall(h2c.data_to_send())
            except OSError:
                return
    listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    while True:
        raw, _ = listener.accept()
        threading.Thread(target=serve, args=(raw,), daemon=True).start()
    """#

/// Whether /usr/bin/python3 has the `h2` package (python3-h2; scripts/prerequisites.sh --test).
let pythonH2Present: Bool = {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return false }
    let probe = try? runProcess("/usr/bin/python3", ["-c", "import h2"], environment: ["PATH": "/usr/bin:/bin"])
    return probe?.exitCode == 0
}()

/// The layers' GETs run together on the transport's kept session: multiplexed on one
/// connection over HTTP/2, side by side (a kept connection each) over HTTP/1.1.
@Suite("soup-run layers: one connection where the server allows it", .serialized)
struct LayerConnectionEndToEndTests {
    static let layerOptions = ["--also", "shared/prod", "--also", "team/prod"]
    static let printLayers = [
        "/bin/sh", "-c", "printf '%s|%s|%s|%s' \"$FROM_SHARED\" \"$FROM_TEAM\" \"$FROM_MY_APP\" \"$SHARED\"",
    ]

    @Test(
        .enabled(if: opensslPresent, "needs /usr/bin/openssl for a test certificate (scripts/prerequisites.sh)"),
        .enabled(if: pythonH2Present, "needs python3-h2 for an HTTP/2 server (scripts/prerequisites.sh --test)"),
        .enabled(if: CurlTransport.supportsHTTP2, "this build's libcurl has no HTTP/2 (built without nghttp2)"))
    func threeLayersOverHTTP2ShareOneConnectionAtStartAndInEveryPoll() throws {
        let dir = try TemporaryDirectory(prefix: "soup-h2")
        let tls = try LoopbackTLS(in: dir)
        let (server, port) = try tls.startServer(http2ServerScript, arguments: ["3"])
        defer { server.signal(SIGKILL) }
        let apiURL = "https://127.0.0.1:\(port)/api/v1"
        let trust = tls.trustEnvironment
        func count(_ prefix: String) -> Int {
            server.stdoutText.split(separator: "\n").filter { $0.hasPrefix(prefix) }.count
        }

        let once = try soupRun(
            ["-v"] + Self.layerOptions + ["my-app", "prod", "--"] + Self.printLayers, api: apiURL, environment: trust)
        expectExit(once, 0)
        #expect(once.stdoutText == "shared|team|my-app|my-app")
        #expect(
            once.stderrText.contains(
                "layers: SHARED from my-app/prod (over --also team/prod, --also shared/prod)"))
        // The server's output is read while waiting for it.
        #expect(server.waitForOutput("together 3", in: .stdout, timeout: 10), "\(server.stdoutText)")
        #expect(count("request ") == 3 && count("connection") == 1, "\(server.stdoutText)")
        #expect(count("together 3") == 1, "the three GETs were waiting at once: \(server.stdoutText)")

        let script = try WatchScript()
        let run = try startWatch(
            apiURL: apiURL, options: Self.layerOptions, command: script.command(), environment: trust)
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30), "\(run.stderrText)")
        // The start-up and at least three polls of all three layers.
        #expect(watchWaitUntil(server, timeout: 60) { count("together 3") >= 5 }, "\(server.stdoutText)")
        #expect(count("connection") == 2, "one for the one-shot run, one for the watch: \(server.stdoutText)")
        #expect(count("alone") == 0, "\(server.stdoutText)")
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
    }

    /// Over HTTP/1.1 the three GETs still run at once (each waits until all three arrived), on a
    /// connection each, and `--watch` keeps those connections for every poll.
    @Test func overHTTP11TheLayersAreFetchedConcurrentlyOnKeptConnections() throws {
        let waiting = Locked(0)
        let together = Locked(0)
        let api = try FakeAPI { request in
            waiting.update { $0 += 1 }
            if waiting.wait(seconds: 10, for: { $0 % 3 == 0 }) { together.update { $0 += 1 } }
            let name = request.path.split(separator: "/").dropFirst(3).first.map(String.init) ?? "none"
            var response = FakeAPI.secrets([
                "FROM_" + name.uppercased().replacingOccurrences(of: "-", with: "_"): name, "SHARED": name,
            ])
            response.headers.append(("ETag", "\"\(name)\""))
            return response
        }
        let once = try soupRun(Self.layerOptions + ["my-app", "prod", "--"] + Self.printLayers, api: api.apiURL)
        expectExit(once, 0)
        #expect(once.stdoutText == "shared|team|my-app|my-app")
        #expect(together.withLock { $0 } == 3, "all three GETs were in flight at once")

        let script = try WatchScript()
        let run = try startWatch(apiURL: api.apiURL, options: Self.layerOptions, command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30), "\(run.stderrText)")
        let before = api.connections
        #expect(watchWaitUntil(run, timeout: 60) { api.requests.count >= 3 + 3 * 5 })
        #expect(api.connections == before, "every poll reuses the kept connections")
        #expect(before <= 3 + 3, "\(before) connections for two runs of three layers")
        // Between two polls (a batch counts once all three GETs have arrived): every poll's GETs ran at once.
        #expect(
            watchWaitUntil(run, timeout: 10) { together.withLock { $0 } == api.requests.count },
            "every poll's GETs ran at once")
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
    }
}
