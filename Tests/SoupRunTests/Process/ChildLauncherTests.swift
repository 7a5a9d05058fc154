#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Testing
@testable import SoupRun

/// The spawn path with real processes: what the child gets, and how exec failures map.
/// Children write to files (opened close-on-exec by this process) and are waited for by pid.
@Suite("ChildLauncher", .serialized)
struct ChildLauncherTests {
    /// A fresh path in /tmp for one test's output.
    static func scratchPath(_ name: String) -> String {
        "/tmp/soup-launcher-\(getpid())-\(name)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Writes `text` to `path` with mode `mode`, through a close-on-exec descriptor (a plain one
    /// could leak into a process another test spawns and make exec fail with ETXTBSY).
    static func writeFile(_ path: String, _ text: String, mode: mode_t) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        precondition(fd >= 0)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    static func readFile(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 65536)
        let count = read(fd, &bytes, bytes.count)
        return String(decoding: bytes[0..<max(count, 0)], as: UTF8.self)
    }

    /// Spawns `/bin/sh -c script`, waits for it (bounded), returns its status.
    static func runChild(_ script: String) throws -> ChildStatus {
        let pid = try ChildLauncher.spawn(
            command: ["/bin/sh", "-c", script], environment: ["PATH": "/usr/bin:/bin"],
            terminal: -1
        ).get()
        var status: Int32 = 0
        for _ in 0..<3000 {  // 30 s at most
            if waitpid(pid, &status, WNOHANG) == pid {
                let signal = status & 0x7F
                return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
            }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        throw ExecError.system(call: "waitpid (timed out)", errno: ETIMEDOUT)
    }

    #if os(Linux)
        @Test func descriptorsOpenedBySoupRunWithoutCloexecDoNotReachTheChild() throws {
            var pair: [Int32] = [0, 0]
            #expect(pipe(&pair) == 0)
            // No FD_CLOEXEC (the kind of descriptor a library might leave), and numbers no process
            // the child runs opens for itself: a low number (the first free one in this busy test
            // process) can be the very one `ls` opens to read /proc/self/fd, listed as if leaked.
            let fds = pair.map { fcntl($0, F_DUPFD, 200) }
            pair.forEach { close($0) }
            defer { fds.forEach { close($0) } }
            #expect(fds.allSatisfy { $0 >= 200 && fcntl($0, F_GETFD) & FD_CLOEXEC == 0 })
            let out = Self.scratchPath("fds")
            defer { unlink(out) }
            #expect(try Self.runChild("exec ls /proc/self/fd > \(out)") == .exited(0))
            let listed = Set(Self.readFile(out).split(separator: "\n").compactMap { Int32($0) })
            #expect(listed.isSuperset(of: [0, 1, 2]))
            #expect(listed.isDisjoint(with: fds), "listed: \(listed.sorted()), leaked: \(fds)")
        }

        @Test func theChildStartsWithAnEmptyMaskWhateverTheSpawningThreadBlocks() throws {
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGUSR2)
            sigaddset(&blocked, SIGTERM)
            var previous = sigset_t()
            pthread_sigmask(SIG_BLOCK, &blocked, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            let out = Self.scratchPath("mask")
            defer { unlink(out) }
            #expect(try Self.runChild("exec grep ^SigBlk /proc/self/status > \(out)") == .exited(0))
            #expect(Self.readFile(out) == "SigBlk:\t0000000000000000\n")
        }

        @Test func theChildLeadsItsOwnProcessGroup() throws {
            let out = Self.scratchPath("pgrp")
            defer { unlink(out) }
            // Field 5 of /proc/self/stat is the process group, field 1 the pid.
            #expect(
                try Self.runChild("exec awk '{ print ($1 == $5) ? \"leader\" : \"member\" }' /proc/self/stat > \(out)")
                    == .exited(0))
            #expect(Self.readFile(out) == "leader\n")
        }
    #endif

    @Test func statusesComeBackAsExitCodesOrSignals() throws {
        #expect(try Self.runChild("exit 7") == .exited(7))
        #expect(try Self.runChild("kill -TERM $$") == .signaled(SIGTERM))
    }

    @Test func execFailuresAfterLookupMapTo126() throws {
        let garbage = Self.scratchPath("garbage")
        Self.writeFile(garbage, "\u{1}\u{2}\u{3} not a program\n", mode: 0o755)
        defer { unlink(garbage) }
        let badFormat = ChildLauncher.spawn(command: [garbage], environment: [:], terminal: -1)
        #expect(badFormat == .failure(.notExecutable(command: garbage, reason: .badFormat)))

        let script = Self.scratchPath("script")
        Self.writeFile(script, "#!/no/such/interpreter\n", mode: 0o755)
        defer { unlink(script) }
        let noInterpreter = ChildLauncher.spawn(command: [script], environment: [:], terminal: -1)
        #expect(noInterpreter == .failure(.notExecutable(command: script, reason: .interpreterMissing)))
    }

    @Test func lookupFailuresNeverFork() {
        #expect(
            ChildLauncher.spawn(command: ["no-such-command-xyz"], environment: ["PATH": "/nonexistent"], terminal: -1)
                == .failure(.notFound(command: "no-such-command-xyz", searched: .path(directories: 1))))
    }
}
