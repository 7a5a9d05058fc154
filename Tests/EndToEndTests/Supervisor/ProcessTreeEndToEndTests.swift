import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A daemon the way nginx (without `daemon off`) and init scripts make one: fork, `setsid`,
/// fork again, bind the port, print `daemon PID bound|busy`, serve until killed.
let daemonScript = #"""
    import os, socket, sys, time
    port = int(sys.argv[1])
    if os.fork(): sys.exit(0)
    os.setsid()
    if os.fork(): os._exit(0)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); s.listen(1); state = "bound"
    except OSError:
        state = "busy"
    print(f"daemon {os.getpid()} {state}", flush=True)
    while True: time.sleep(1)
    """#

#if os(Linux)
    @Suite("soup-run --watch: the whole tree stops", .serialized)
    struct ProcessTreeEndToEndTests {
        /// A free loopback port (bound and released; nothing else here takes ports at random).
        static func freePort() throws -> Int {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            guard bound else { throw SpawnError(description: "cannot bind a loopback port") }
            return Int(UInt16(bigEndian: address.sin_port))
        }

        @Test func aDaemonThatLeftTheGroupIsStoppedBeforeTheNextChildStarts() throws {
            let server = try DevServer()
            let dir = try TemporaryDirectory(prefix: "soup-daemon")
            let daemon = try dir.write("daemon.py", daemonScript)
            let port = try Self.freePort()
            let child = "python3 \(daemon) \(port); echo \"ready value=${WATCHED-unset}\"; while :; do sleep 0.1; done"
            let run = try startWatch(apiURL: server.apiURL, command: ["/bin/sh", "-c", child])
            defer { watchKillDaemons(of: run) }
            // The daemon prints from the background: wait for its line, not only the child's.
            #expect(watchWaitUntil(run, timeout: 30) { watchCount(of: "daemon ", in: run.stdoutText) == 1 })
            let first = try #require(watchPid(after: "daemon", in: run.stdoutText))
            #expect(run.stdoutText.contains("daemon \(first) bound"))
            try server.setSecret("WATCHED", "v", token: DevServer.demoToken)
            #expect(run.waitForOutput("ready value=v", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
            #expect(watchWaitUntil(run, timeout: 30) { watchCount(of: "daemon ", in: run.stdoutText) == 2 })
            let daemons = run.stdoutText.split(separator: "\n").filter { $0.hasPrefix("daemon ") }
            let second = try #require(watchPid(after: "daemon", in: String(daemons.last ?? "")))
            #expect(second != first)
            #expect(run.stdoutText.contains("daemon \(second) bound"), "the old daemon no longer holds the port")
            #expect(!watchProcessExists(first), "the old daemon is gone (and reaped)")
            #expect(run.stderrText.contains("also to processes that left the command's process group: pids \(first)"))
            run.signal(SIGTERM)
            let result = run.wait(timeout: 30)
            #expect(result.termination == .exited(143), "sh ends by the TERM: \(result.stderrText)")
            #expect(!watchProcessExists(second), "the daemon does not outlive soup-run")
        }

        /// The state letter of `pid` in /proc (nil when gone; `Z` for a zombie nobody reaps).
        static func state(of pid: Int32) -> Character? {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            return stat[stat.index(close, offsetBy: 2)...].first
        }

        /// Whether `pid` runs (not gone, not a zombie), waiting up to 30 s for it to be `wanted`.
        static func waitUntil(running wanted: Bool, _ pid: Int32) -> Bool {
            let deadline = Date().addingTimeInterval(30)
            while true {
                let state = Self.state(of: pid)
                if (state != nil && state != "Z") == wanted { return true }
                if Date() >= deadline { return false }
                usleep(20_000)  // soup-run is gone, there is no output to wait on; bounded by the deadline
            }
        }

        /// What the README says holds for a SIGKILLed soup-run: only the direct child gets the
        /// parent-death signal; a shell's server (`sh -c 'server; echo done'`) is left running,
        /// while `exec server` makes the server the direct child, and it stops.
        @Test(arguments: [(false, "server; echo done"), (true, "exec server")])
        func aSigkilledSupervisorSignalsOnlyItsDirectChild(serverStops: Bool, form: String) throws {
            let server = try DevServer()
            let exec = serverStops ? "exec " : ""
            let shell = #"echo "shell pid=$$"; \#(exec)sh -c 'echo "server pid=$$"; exec sleep 1000'; echo done"#
            let run = try startWatch(apiURL: server.apiURL, command: ["/bin/sh", "-c", shell])
            defer { watchKillChildren(of: run) }
            #expect(run.waitForOutput("server pid=", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
            let shellPid = try #require(watchPid(after: "shell pid", in: run.stdoutText))
            let serverPid = try #require(watchPid(after: "server pid", in: run.stdoutText))
            #expect((shellPid == serverPid) == serverStops)
            run.signal(SIGKILL)
            #expect(run.wait(timeout: 30).termination == .signaled(SIGKILL))
            #expect(Self.waitUntil(running: false, shellPid), "\(form): the direct child gets --stop-signal")
            if !serverStops {
                #expect(Self.waitUntil(running: true, serverPid), "\(form): the shell's server is left running")
                #expect(!run.stdoutText.contains("done"), "the shell ended by the signal, not after its server")
            }
        }

        @Test func theSupervisorLeavesItsDirectoryAndEachChildStartsThere() throws {
            let server = try DevServer()
            let dir = try TemporaryDirectory(prefix: "soup-cwd")
            let path = (dir.path as NSString).standardizingPath
            _ = try dir.write(
                "child.sh", "#!/bin/sh\necho \"ready cwd=$(pwd) value=${WATCHED-unset}\"; exec sleep 1000\n",
                mode: 0o755)
            let soupRun = [Binaries.soupRun, "-v", "--watch", "--interval", "0.2", "--api-url", server.apiURL]
            let line = (soupRun + ["my-app", "prod", "--", "./child.sh"]).map { "'\($0)'" }.joined(separator: " ")
            let run = try ChildProcess(
                "/bin/sh", ["-c", "cd '\(path)' && exec \(line)"],
                environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken])
            defer { watchKillDaemons(of: run) }
            #expect(run.waitForOutput("ready cwd=\(path) value=unset", in: .stdout, timeout: 30), "\(run.stderrText)")
            // The child can print before the supervisor, back from the spawn, has moved: wait (bounded).
            let cwdIsRoot = watchWaitUntil(run, timeout: 10) {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(run.pid)/cwd")) == "/"
            }
            #expect(cwdIsRoot, "the supervisor pins no mount")
            try server.setSecret("WATCHED", "v", token: DevServer.demoToken)
            #expect(
                run.waitForOutput("ready cwd=\(path) value=v", in: .stdout, timeout: 30),
                "a relative command restarts in the original directory: \(run.stderrText)")
            run.signal(SIGTERM)
            #expect(run.wait(timeout: 30).termination == .exited(143))
        }
    }

    /// Kills what a test's children reported (`pid=N`, `daemon N`) if it still runs.
    func watchKillDaemons(of run: ChildProcess) {
        watchKillChildren(of: run)
        for line in run.stdoutText.split(separator: "\n") where line.hasPrefix("daemon ") {
            if let pid = Int32(line.dropFirst(7).prefix { $0.isNumber }), pid > 1, watchProcessExists(pid) {
                let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                if command.contains("daemon.py") { kill(pid, SIGKILL) }
            }
        }
    }
#endif
