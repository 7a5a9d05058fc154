import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A directory tree holding only the static release soup-run, a static test command (`/app`),
/// `/etc/hosts`, `/etc/resolv.conf` and, when asked, a CA: what a `FROM scratch` image holds.
/// Commands run in it with `chroot` (root only), with or without a `/proc` mounted (in a private
/// mount namespace of their own, so nothing stays mounted).
struct EmptyRoot {
    /// The static binary: `SOUP_STATIC_BINARY`, else what `.ci/run` builds (`.build/ci-dist`).
    static let binary: String = {
        if let named = ProcessInfo.processInfo.environment["SOUP_STATIC_BINARY"], !named.isEmpty { return named }
        return ExampleRepository.path(".build/ci-dist/soup-run")
    }()
    /// Set by `.ci/run`: a skipped suite is then a failure.
    static let required = ProcessInfo.processInfo.environment["SOUP_REQUIRE_EMPTY_ROOT"] == "1"

    /// Why the suite cannot run here, or nil when it can.
    static let unavailable: String? = {
        #if os(Linux)
            if geteuid() != 0 { return "chroot needs root" }
            if !FileManager.default.isExecutableFile(atPath: binary) {
                return
                    "no static release binary at \(binary) (set SOUP_STATIC_BINARY, or run scripts/release.sh .build/ci-dist)"
            }
            for tool in [
                "/usr/sbin/chroot", "/usr/bin/unshare", "/usr/bin/mount", "/usr/bin/openssl", "/usr/bin/python3",
                "/usr/bin/cc",
            ]
            where !FileManager.default.isExecutableFile(atPath: tool) {
                return "\(tool) is missing (scripts/prerequisites.sh --test installs it)"
            }
            return nil
        #else
            return "static binaries and chroot are Linux only"
        #endif
    }()
    static var available: Bool { unavailable == nil }

    /// Host names the root's `/etc/hosts` gives 127.0.0.1: the certificate's, and one it lacks.
    static let serverName = "soup.test"
    static let wrongName = "wrong.test"

    let directory: TemporaryDirectory
    var path: String { directory.path }

    /// - Parameter ca: a PEM file to install as the Debian/distroless bundle, or nil for no CA at all.
    init(ca: String? = nil, hashedCA: (file: String, hash: String)? = nil) throws {
        directory = try TemporaryDirectory(prefix: "soup-empty-root")
        let fm = FileManager.default
        try fm.createDirectory(atPath: path + "/etc", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: path + "/proc", withIntermediateDirectories: true)
        // The two executables are copied by a `cp` of their own: a copy made here holds a
        // writable descriptor that a process forked meanwhile by another test inherits until it
        // execs, and exec'ing a file open for writing anywhere fails (ETXTBSY: exit 126).
        for (source, name) in [(Self.binary, "soup-run"), (try EmptyRootFixtures.shared.app, "app")] {
            let copy = try runProcess("/bin/cp", [source, path + "/" + name], environment: [:], timeout: 60)
            guard copy.exitCode == 0 else { throw SpawnError(description: "cp \(source): \(copy.stderrText)") }
        }
        try directory.write("etc/hosts", "127.0.0.1 localhost \(Self.serverName) \(Self.wrongName)\n")
        try fm.copyItem(atPath: "/etc/resolv.conf", toPath: path + "/etc/resolv.conf")
        if let ca {
            try fm.createDirectory(atPath: path + "/etc/ssl/certs", withIntermediateDirectories: true)
            try fm.copyItem(atPath: ca, toPath: path + "/etc/ssl/certs/ca-certificates.crt")
        }
        if let hashedCA {
            try fm.createDirectory(atPath: path + "/etc/ssl/certs", withIntermediateDirectories: true)
            try fm.copyItem(atPath: hashedCA.file, toPath: path + "/etc/ssl/certs/\(hashedCA.hash).0")
        }
    }

    /// The argv that runs `arguments` (argv[0] an absolute path inside the root) chrooted here.
    func command(_ arguments: [String], proc: Bool) -> (String, [String]) {
        if !proc { return ("/usr/sbin/chroot", [path] + arguments) }
        let script = #"/usr/bin/mount -t proc proc "$1/proc" && exec /usr/sbin/chroot "$@""#
        return (
            "/usr/bin/unshare",
            ["--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh", path] + arguments
        )
    }

    /// Runs soup-run chrooted here with exactly `environment`, to completion (bounded). With
    /// `inheriting`, soup-run starts with that descriptor open (on /dev/null), as a parent passes one.
    func run(
        _ arguments: [String], environment: [String: String], proc: Bool, inheriting fd: Int? = nil,
        timeout: Double = 60
    ) throws -> ProcessResult {
        var (program, argv) = command(["/soup-run"] + arguments, proc: proc)
        if let fd {
            argv = ["-c", "exec \(fd)</dev/null; exec \"$0\" \"$@\"", program] + argv
            program = "/bin/sh"
        }
        return try runProcess(program, argv, environment: environment, timeout: timeout)
    }

    /// Starts soup-run chrooted here with exactly `environment`; the caller waits on its output.
    func start(_ arguments: [String], environment: [String: String], proc: Bool) throws -> ChildProcess {
        let (program, argv) = command(["/soup-run"] + arguments, proc: proc)
        return try ChildProcess(program, argv, environment: environment)
    }
}

/// What every empty-root test shares, made once: two CAs, a server certificate for
/// `EmptyRoot.serverName` signed by the first, and the static test command.
final class EmptyRootFixtures: @unchecked Sendable {
    static let shared = EmptyRootFixtures()

    private let lock = NSLock()
    private var made: (directory: TemporaryDirectory, hash: String)?

    private func make() throws -> (directory: TemporaryDirectory, hash: String) {
        try lock.withLock {
            if let made { return made }
            let directory = try TemporaryDirectory(prefix: "soup-empty-root-fixtures")
            try directory.write("app.c", EmptyRootFixtures.appSource)
            try directory.write("server.ext", "subjectAltName=DNS:\(EmptyRoot.serverName)\nbasicConstraints=CA:FALSE\n")
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            let steps: [(String, [String])] = [
                ("/usr/bin/cc", ["-static", "-O1", "-o", "app", "app.c"]),
                (
                    "/usr/bin/openssl",
                    ["req", "-x509"] + ec + [
                        "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=soup-run test CA",
                    ]
                ),
                (
                    "/usr/bin/openssl",
                    ["req", "-x509"] + ec + [
                        "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=soup-run other CA",
                    ]
                ),
                (
                    "/usr/bin/openssl",
                    ["req"] + ec + [
                        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=\(EmptyRoot.serverName)",
                    ]
                ),
                (
                    "/usr/bin/openssl",
                    [
                        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                        "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
                    ]
                ),
            ]
            for (program, arguments) in steps {
                let (tool, argv) = (
                    "/bin/sh", ["-c", "cd \"$1\" && shift && exec \"$@\"", "sh", directory.path, program] + arguments
                )
                let result = try runProcess(tool, argv, environment: ["PATH": "/usr/bin:/bin"], timeout: 120)
                guard result.exitCode == 0 else {
                    throw SpawnError(
                        description: "\(program) \(arguments.joined(separator: " ")): \(result.stderrText)")
                }
            }
            let hash = try runProcess(
                "/usr/bin/openssl", ["x509", "-hash", "-noout", "-in", directory.path + "/ca.pem"], environment: [:])
            let value = hash.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            made = (directory, value)
            return (directory, value)
        }
    }

    var app: String { get throws { try make().directory.path + "/app" } }
    var ca: String { get throws { try make().directory.path + "/ca.pem" } }
    var caHash: String { get throws { try make().hash } }
    var otherCA: String { get throws { try make().directory.path + "/other.pem" } }
    var serverCertificate: String { get throws { try make().directory.path + "/server.pem" } }
    var serverKey: String { get throws { try make().directory.path + "/server.key" } }

    /// The command soup-run execs in the root: reports which of the named variables it got (by
    /// length, never by value), whether each `fd:N` is open, and whether the token reached it,
    /// then with `--serve` waits for SIGTERM. Static, since the root holds no libc.
    static let appSource = #"""
        #include <fcntl.h>
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            int serve = argc > 1 && strcmp(argv[1], "--serve") == 0;
            for (int i = 1 + serve; i < argc; i++) {
                if (strncmp(argv[i], "fd:", 3) == 0) {
                    int fd = atoi(argv[i] + 3);
                    printf("app: fd %d %s\n", fd, fcntl(fd, F_GETFD) >= 0 ? "open" : "closed");
                    continue;
                }
                const char *value = getenv(argv[i]);
                if (value) printf("app: %s has %zu bytes\n", argv[i], strlen(value));
                else printf("app: %s is not set\n", argv[i]);
            }
            printf("app: token %s\n", getenv("SOUP_TOKEN") ? "visible" : "absent");
            if (!serve) return 0;
            /* Blocked before "ready": a TERM sent once the test sees it waits for sigwait. */
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, SIGTERM);
            sigprocmask(SIG_BLOCK, &set, NULL);
            printf("app: ready pid=%d\n", (int)getpid());
            fflush(stdout);
            int sig = 0;
            sigwait(&set, &sig);
            printf("app: stopping on signal %d\n", sig);
            return 0;
        }
        """#
}

/// A TLS endpoint on loopback that forwards each connection to soup-dev-server (Python's ssl
/// module with the fixtures' certificate): the API over https, as a reverse proxy serves it.
final class TLSForwarder {
    let process: ChildProcess
    let port: Int

    init(upstream apiURL: String) throws {
        let fixtures = EmptyRootFixtures.shared
        guard let portText = apiURL.split(separator: ":").last?.split(separator: "/").first,
            let upstream = Int(portText)
        else { throw SpawnError(description: "no port in \(apiURL)") }
        process = try ChildProcess(
            "/usr/bin/python3",
            ["-c", Self.script, try fixtures.serverCertificate, try fixtures.serverKey, String(upstream)],
            environment: ["PATH": "/usr/bin:/bin"])
        guard process.waitForOutput("\n", in: .stdout, timeout: 30),
            let line = process.stdoutText.split(separator: "\n").first, line.hasPrefix("listening "),
            let port = Int(line.dropFirst("listening ".count))
        else { throw SpawnError(description: "the TLS forwarder did not start: \(process.stderrText)") }
        self.port = port
    }

    /// The API URL through the forwarder, for `host` (a name the root's /etc/hosts knows).
    func apiURL(host: String = EmptyRoot.serverName) -> String { "https://\(host):\(port)/api/v1" }

    deinit {
        process.signal(SIGKILL)
        _ = process.wait(timeout: 10)
    }

    static let script = #"""
        import socket, ssl, sys, threading
        cert, key, upstream = sys.argv[1], sys.argv[2], int(sys.argv[3])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server = socket.create_server(("127.0.0.1", 0))
        print("listening", server.getsockname()[1], flush=True)
        def pump(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
            except OSError:
                pass
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        def handle(client):
            try:
                tls = context.wrap_socket(client, server_side=True)
            except (ssl.SSLError, OSError):
                client.close()
                return
            backend = socket.create_connection(("127.0.0.1", upstream))
            threading.Thread(target=pump, args=(backend, tls), daemon=True).start()
            pump(tls, backend)
        while True:
            client, _ = server.accept()
            threading.Thread(target=handle, args=(client,), daemon=True).start()
        """#
}
