import Foundation
import SoupCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--watch` with files: reload instead of restart, `none`, and atomic rewrites, end to end.
@Suite("soup-run --watch with files: reload, none, atomic rewrites", .serialized)
struct WatchReloadEndToEndTests {
    /// A small HTTP server on 127.0.0.1 that serves the `message=` of its config file, reads the
    /// file again on SIGHUP (printing `reloaded N`), and prints `ready pid=P port=N` once.
    static let reloadingServer = #"""
        import http.server, os, signal, sys
        conf = sys.argv[1]
        state = {"message": "", "loads": 0}
        def load(*_):
            with open(conf) as f:
                state["message"] = dict(l.split("=", 1) for l in f.read().splitlines() if "=" in l)["message"]
            state["loads"] += 1
            if state["loads"] > 1: print(f"reloaded {state['loads']}", flush=True)
        load()
        signal.signal(signal.SIGHUP, load)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = state["message"].encode()
                self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                self.wfile.write(body)
            def log_message(self, *_): pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        print(f"ready pid={os.getpid()} port={server.server_address[1]}", flush=True)
        server.serve_forever(poll_interval=0.05)
        """#

    @Test(.enabled(if: FilesFixture.python3Available, "python3 is not installed (scripts/prerequisites.sh --test)"))
    func aServerReloadsItsTemplatedConfigOnSighupAndIsNeverRestarted() throws {
        let server = try FilesFixture.server()
        let out = try TemporaryDirectory(prefix: "soup-reload")
        let program = try out.write("server.py", Self.reloadingServer)
        let template = try out.write("server.tmpl", "# rendered by soup-run\nmessage={{ GREETING }}\n")
        let config = FilesFixture.path(out) + "/server.conf"
        // --mount keeps the values out of the environment (only files change, so a reload is
        // possible); the server reads its rendered config, not the mount.
        let run = try startWatch(
            apiURL: server.apiURL,
            options: [
                "--template", "\(template):\(config)", "--mount", FilesFixture.path(out) + "/all.env",
                "--reload-signal", "HUP",
            ],
            command: ["/usr/bin/env", "python3", program, config])
        #expect(run.waitForOutput("ready pid=", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
        let port = try #require(
            FilesFixture.value(of: "port", in: run.stdoutText.replacingOccurrences(of: " ", with: "\n")))
        let url = "http://127.0.0.1:\(port)/"
        #expect(FilesFixture.get(url) == "hello")

        try server.setSecret("GREETING", "bonjour", token: DevServer.demoToken)
        #expect(run.waitForOutput("reloaded 2", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
        #expect(FilesFixture.get(url) == "bonjour")
        #expect(
            run.stderrText.contains(
                "secrets changed (changed: GREETING); rewrote \(FilesFixture.path(out))/all.env, \(config); sent SIGHUP"
            ))
        try server.setSecret("GREETING", "hola", token: DevServer.demoToken)
        #expect(run.waitForOutput("reloaded 3", in: .stdout, timeout: 30))
        #expect(FilesFixture.get(url) == "hola")

        #expect(watchCount(of: "ready pid=", in: run.stdoutText) == 1, "never restarted")
        #expect(!run.stderrText.contains("restarting"))
        #expect(!run.stderrText.contains("bonjour") && !run.stderrText.contains("hola"), "values never appear in logs")
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
        #expect(!FilesFixture.exists(config))
    }

    @Test func reloadSignalNoneRewritesTheFileAndLeavesTheChildAlone() throws {
        let server = try FilesFixture.server()
        try server.setSecret("WATCHED", "one", token: DevServer.demoToken)
        let script = try WatchScript()
        let path = FilesFixture.path(script.directory) + "/watched"
        let run = try startWatch(
            apiURL: server.apiURL, options: ["--file", "WATCHED=\(path)", "--reload-signal", "none"],
            command: script.command())
        defer { watchKillChildren(of: run) }
        #expect(run.waitForOutput("ready 1 ", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
        #expect(run.stdoutText.contains("value=\(path)\n"), "the variable holds the path")
        #expect(FilesFixture.contents(path) == Array("one".utf8))
        for (count, value) in ["two", "three"].enumerated() {
            try server.setSecret("WATCHED", value, token: DevServer.demoToken)
            #expect(
                watchWaitUntil(run, timeout: 30) {
                    watchCount(of: "sent no signal (--reload-signal none)", in: run.stderrText) == count + 1
                })
            #expect(FilesFixture.contents(path) == Array(value.utf8))
        }
        #expect(run.stderrText.contains("secrets changed (changed: WATCHED); rewrote \(path); sent no signal"))
        #expect(!run.stdoutText.contains("got "), "no signal reached the child")
        #expect(!run.stdoutText.contains("ready 2"), "never restarted")
        #expect(script.events.isEmpty)
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30).termination == .exited(0))
        #expect(!FilesFixture.exists(path))
    }

    /// Reads the file in a loop until TERM, then prints `reads=R versions=V bad=B`. A good read is
    /// `v0042|` followed by exactly `size` bytes of one letter (chosen by the version).
    static let reader = #"""
        import signal, sys
        path, size = sys.argv[1], int(sys.argv[2])
        stats = {"reads": 0, "bad": 0, "versions": set()}
        def done(*_):
            print(f"reads={stats['reads']} versions={len(stats['versions'])} bad={stats['bad']}", flush=True)
            sys.exit(0)
        signal.signal(signal.SIGTERM, done)
        print("ready", flush=True)
        while True:
            with open(path, "rb") as f:
                data = f.read()
            stats["reads"] += 1
            head, _, body = data.partition(b"|")
            version = int(head[1:]) if head[:1] == b"v" and head[1:].isdigit() else -1
            letter = bytes([97 + version % 26]) if version >= 0 else b""
            if version < 0 or len(body) != size or body != letter * size:
                stats["bad"] += 1
            else:
                stats["versions"].add(version)
        """#

    static func readerValue(_ version: Int, size: Int) -> String {
        "v" + String(format: "%04d", version) + "|"
            + String(repeating: Character(UnicodeScalar(97 + version % 26)!), count: size)
    }

    @Test(.enabled(if: FilesFixture.python3Available, "python3 is not installed (scripts/prerequisites.sh --test)"))
    func aReaderPollingDuring200RewritesNeverSeesAPartialFile() throws {
        let size = 64 * 1024
        let api = try WatchScriptedAPI(.secrets(["BIG": Self.readerValue(0, size: size)]))
        let out = try TemporaryDirectory(prefix: "soup-rewrites")
        let program = try out.write("reader.py", Self.reader)
        let path = FilesFixture.path(out) + "/big"
        let run = try startWatch(
            apiURL: api.apiURL, options: ["--interval", "0.1", "--file", "BIG=\(path)", "--reload-signal", "none"],
            command: ["/usr/bin/env", "python3", program, path, String(size)])
        #expect(run.waitForOutput("ready", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
        for version in 1...200 {
            api.set(.secrets(["BIG": Self.readerValue(version, size: size)]))
            let rewritten = watchWaitUntil(run, timeout: 30) {
                watchCount(of: "; rewrote \(path);", in: run.stderrText) >= version
            }
            guard rewritten else {
                Issue.record("rewrite \(version) did not happen; stderr: \(run.stderrText.suffix(2000))")
                break
            }
        }
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(0))
        let summary = try #require(result.stdoutText.split(separator: "\n").last { $0.hasPrefix("reads=") })
        #expect(summary.hasSuffix(" bad=0"), "\(summary)")
        // The reader did see the file change under it (many versions), not one version throughout.
        let versions = summary.split(separator: " ").first { $0.hasPrefix("versions=") }?.dropFirst(9)
        #expect((versions.flatMap { Int($0) } ?? 0) >= 20, "\(summary)")
        #expect(watchCount(of: "; rewrote \(path);", in: result.stderrText) == 200)
        #expect(!FilesFixture.exists(path))
    }
}
