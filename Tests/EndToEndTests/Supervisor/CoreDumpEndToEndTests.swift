import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if os(Linux)
    /// Where the kernel writes core files here, or nil when they cannot be collected: a
    /// `core_pattern` that pipes to a handler (systemd-coredump, apport) or a hard RLIMIT_CORE of 0.
    enum CoreFiles {
        static let pattern: String? = {
            guard let text = try? String(contentsOfFile: "/proc/sys/kernel/core_pattern", encoding: .utf8) else {
                return nil
            }
            let pattern = text.trimmingCharacters(in: .whitespacesAndNewlines)
            var limit = rlimit()
            guard !pattern.isEmpty, !pattern.hasPrefix("|"),
                getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit) == 0, limit.rlim_max > 0
            else { return nil }
            return pattern
        }()

        static var collectable: Bool { pattern != nil }

        /// The directory cores land in for a process whose working directory is `cwd`.
        static func directory(cwd: String) -> String {
            guard let pattern, pattern.hasPrefix("/") else { return cwd }
            return (pattern as NSString).deletingLastPathComponent
        }

        /// The files in `directory` that were not in `before`.
        static func new(in directory: String, since before: Set<String>) -> [String] {
            let now = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return now.filter { !before.contains($0) }.sorted()
        }

        static func listing(_ directory: String) -> Set<String> {
            Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        }

        /// `sh -c` text: allow cores, move to `dir`, exec `argv` (each word quoted).
        static func shell(in dir: String, exec argv: [String]) -> String {
            "ulimit -c unlimited && cd '\(dir)' && exec " + argv.map { "'\($0)'" }.joined(separator: " ")
        }
    }

    /// soup-run is not dumpable (PR_SET_DUMPABLE 0 before the token is read): a fault signal
    /// leaves no core to read the token from, in the one-shot fetch and in the supervisor; the
    /// command, after its own exec, dumps core as usual.
    @Suite(
        "soup-run: no core dump holds the token", .serialized,
        .enabled(
            if: CoreFiles.collectable,
            "core dumps cannot be collected here: kernel.core_pattern pipes them to a handler, or RLIMIT_CORE's hard limit is 0"
        ))
    struct CoreDumpEndToEndTests {
        static let token = DevServer.demoToken

        /// Every file the run left, with whether any holds the token (for the failure text).
        static func describe(_ files: [String], in directory: String) -> String {
            files.map { name in
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))) ?? Data()
                let holds = bytes.range(of: Data(token.utf8)) != nil
                return "\(name) (\(bytes.count) bytes\(holds ? ", holds the token" : ""))"
            }.joined(separator: ", ")
        }

        /// Sends `signal` to `run` (soup-run): it ends by the signal's default action, prints no
        /// crash report, and leaves no new file in `cores`.
        static func expectEndedWithoutCore(_ run: ChildProcess, by signal: Int32, cores: String, before: Set<String>) {
            kill(run.pid, signal)
            let result = run.wait(timeout: 30)
            #expect(result.termination == .signaled(signal), "the default action, as in tini")
            #expect(!result.stderrText.contains("Registers"), "the runtime's crash report prints memory")
            let left = CoreFiles.new(in: cores, since: before)
            #expect(left.isEmpty, "no core: \(describe(left, in: cores))")
        }

        @Test(arguments: [SIGSEGV, SIGABRT])
        func theOneShotFetchLeavesNoCore(signal: Int32) throws {
            let api = try SilentPort()  // accepts, never answers: soup-run stays in its fetch
            let dir = try TemporaryDirectory(prefix: "soup-core")
            let cores = CoreFiles.directory(cwd: dir.path)
            let before = CoreFiles.listing(cores)
            let argv = [
                Binaries.soupRun, "-v", "--token", Self.token, "--api-url", "http://127.0.0.1:\(api.port)/api/v1",
                "--timeout", "60", "my-app", "prod", "--", "/bin/true",
            ]
            let run = try ChildProcess(
                "/bin/sh", ["-c", CoreFiles.shell(in: dir.path, exec: argv)],
                environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": Self.token])
            #expect(run.waitForOutput("soup-run: GET ", in: .stderr, timeout: 30), "stderr: \(run.stderrText)")
            Self.expectEndedWithoutCore(run, by: signal, cores: cores, before: before)
        }

        @Test(arguments: [SIGSEGV, SIGABRT])
        func theSupervisorLeavesNoCore(signal: Int32) throws {
            let server = try DevServer()
            let dir = try TemporaryDirectory(prefix: "soup-core")
            let cores = CoreFiles.directory(cwd: dir.path)
            let before = CoreFiles.listing(cores)
            let argv = [
                Binaries.soupRun, "--watch", "--token", Self.token, "--api-url", server.apiURL, "my-app", "prod", "--",
                "/bin/sh", "-c", "echo ready pid=$$; exec sleep 1000",
            ]
            let run = try ChildProcess(
                "/bin/sh", ["-c", CoreFiles.shell(in: dir.path, exec: argv)],
                environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": Self.token])
            defer { watchKillChildren(of: run) }
            #expect(run.waitForOutput("ready ", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
            Self.expectEndedWithoutCore(run, by: signal, cores: cores, before: before)
        }

        /// The control that makes the two tests above mean something: cores are written here,
        /// and the command is dumpable again after its exec (its core holds no token either).
        @Test func theCommandIsDumpableAgainAndItsCoreHoldsNoToken() throws {
            let server = try DevServer()
            let dir = try TemporaryDirectory(prefix: "soup-core")
            let cores = CoreFiles.directory(cwd: dir.path)
            let before = CoreFiles.listing(cores)
            let argv = [
                Binaries.soupRun, "--watch", "--api-url", server.apiURL, "my-app", "prod", "--",
                "/bin/sh", "-c", "echo ready; kill -SEGV $$",
            ]
            let run = try ChildProcess(
                "/bin/sh", ["-c", CoreFiles.shell(in: dir.path, exec: argv)],
                environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": Self.token])
            let result = run.wait(timeout: 60)
            #expect(result.termination == .exited(128 + SIGSEGV), "stderr: \(result.stderrText)")
            let left = CoreFiles.new(in: cores, since: before)
            #expect(left.count == 1, "the command's core: \(left)")
            #expect(!Self.describe(left, in: cores).contains("holds the token"), Comment(rawValue: left.joined()))
            for name in left { try? FileManager.default.removeItem(atPath: cores + "/" + name) }
        }
    }
#endif
