import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child that reports the signals soup-run forwards and exits 0 on TERM. Prints
/// `ready pid=P cwd=D` (D is its working directory).
let forwardedSignalScript = #"""
    ulimit -c 0
    for s in ALRM PWR QUIT VTALRM XCPU USR1; do trap "echo got $s" "$s"; done
    trap 'echo got TERM; exit 0' TERM
    echo "ready pid=$$ cwd=$(pwd)"
    while :; do sleep 0.1; done
    """#

#if os(Linux)
    /// Every catchable signal reaches the child, as PID 1 and not; QUIT is forwarded, not a stop.
    @Suite("soup-run --watch: every signal, like an init", .serialized)
    struct EverySignalEndToEndTests {
        static let signals: [(Int32, String)] = [(SIGALRM, "ALRM"), (SIGPWR, "PWR"), (SIGQUIT, "QUIT")]

        /// Sends each signal to `pid`, expects the child to report it, and then that soup-run
        /// keeps polling (no stop sequence: QUIT used to start one and SIGKILL the child).
        static func expectForwarded(_ run: ChildProcess, to pid: Int32) {
            for (signal, name) in signals {
                kill(pid, signal)
                #expect(run.waitForOutput("got \(name)", in: .stdout, timeout: 30), "\(name): \(run.stderrText)")
            }
            let polls = watchCount(of: "soup-run: GET ", in: run.stderrText)
            // Four more polls at 0.2 s are well past the 0.3 s stop timeout a stop would have used.
            #expect(
                watchWaitUntil(run, timeout: 30) { watchCount(of: "soup-run: GET ", in: run.stderrText) >= polls + 4 },
                "soup-run still polls after QUIT")
            #expect(!run.hasExited)
            kill(pid, SIGTERM)
        }

        @Test func alrmPwrAndQuitReachTheChildOfASupervisor() throws {
            let server = try DevServer()
            let run = try startWatch(
                apiURL: server.apiURL, options: ["--stop-timeout", "0.3"],
                command: ["/bin/sh", "-c", forwardedSignalScript])
            defer { watchKillChildren(of: run) }
            #expect(run.waitForOutput("ready ", in: .stdout, timeout: 30))
            Self.expectForwarded(run, to: run.pid)
            let result = run.wait(timeout: 30)
            #expect(result.termination == .exited(0), "stderr: \(result.stderrText)")
            for (_, name) in Self.signals { #expect(watchCount(of: "got \(name)", in: result.stdoutText) == 1) }
            #expect(!result.stderrText.contains("killing"))
        }

        @Test(.enabled(if: unshareWorks, "unshare --pid --fork --mount-proc is not permitted here (needs root)"))
        func alrmPwrAndQuitReachTheChildOfPid1() throws {
            let server = try DevServer()
            let run = try ChildProcess(
                "/usr/bin/unshare",
                [
                    "--pid", "--fork", "--mount-proc", Binaries.soupRun, "-v", "--watch", "--interval", "0.2",
                    "--stop-timeout", "0.3", "--api-url", server.apiURL, "my-app", "prod", "--", "/bin/sh", "-c",
                    forwardedSignalScript,
                ],
                environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken])
            #expect(run.waitForOutput("ready ", in: .stdout, timeout: 60), "stderr: \(run.stderrText)")
            let init1 = try namespaceInit(of: run)
            let status = try String(contentsOfFile: "/proc/\(init1)/status", encoding: .utf8)
            #expect(status.contains("NSpid:\t\(init1)\t1\n"), "soup-run is PID 1 of the namespace")
            Self.expectForwarded(run, to: init1)
            let result = run.wait(timeout: 60)
            #expect(result.termination == .exited(0), "stderr: \(result.stderrText)")
            for (_, name) in Self.signals { #expect(watchCount(of: "got \(name)", in: result.stdoutText) == 1) }
        }

        /// The state letter of `/proc/PID/stat` (`T` stopped, `S` sleeping, `R` running).
        static func state(of pid: Int32) -> Character? {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            return stat[stat.index(close, offsetBy: 2)...].first
        }

        /// State, parent and process group of `pid` from /proc (fields 3, 4 and 5 of its stat).
        static func stat(of pid: Int32) -> (state: Character, parent: Int32, group: Int32)? {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 2, let state = fields[0].first, let parent = Int32(fields[1]),
                let group = Int32(fields[2])
            else { return nil }
            return (state, parent, group)
        }

        /// Whether every process of group `pgid` is stopped. A shell that vforks its next command
        /// (dash) waits uninterruptibly (`D`, not `T`) while that child, stopped before its exec,
        /// is `T`: that shell counts as stopped too, since nothing of the group runs.
        static func groupStopped(_ pgid: Int32) -> Bool {
            let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
            let members = pids.compactMap { pid in stat(of: pid).map { (pid: pid, stat: $0) } }.filter {
                $0.stat.group == pgid
            }
            return !members.isEmpty
                && members.allSatisfy { member in
                    member.stat.state == "T"
                        || (member.stat.state == "D"
                            && members.contains { $0.stat.parent == member.pid && $0.stat.state == "T" })
                }
        }

        @Test func tstpAndContToTheSupervisorStopAndResumeTheChildsGroup() throws {
            let server = try DevServer()
            let run = try startWatch(apiURL: server.apiURL, command: ["/bin/sh", "-c", forwardedSignalScript])
            defer { watchKillChildren(of: run) }
            #expect(run.waitForOutput("ready ", in: .stdout, timeout: 30))
            let child = try #require(watchPid(after: "ready pid", in: run.stdoutText))
            kill(run.pid, SIGTSTP)
            #expect(watchWaitUntil(run, timeout: 30) { Self.groupStopped(child) }, "the child's group is stopped")
            #expect(watchWaitUntil(run, timeout: 30) { Self.state(of: run.pid) == "T" }, "soup-run is stopped")
            kill(run.pid, SIGCONT)
            #expect(watchWaitUntil(run, timeout: 30) { Self.state(of: child) != "T" }, "the child runs again")
            #expect(watchWaitUntil(run, timeout: 30) { Self.state(of: run.pid) != "T" }, "soup-run runs again")
            kill(run.pid, SIGUSR1)
            #expect(run.waitForOutput("got USR1", in: .stdout, timeout: 30), "the child handles signals again")
            run.signal(SIGTERM)
            #expect(run.wait(timeout: 30).termination == .exited(0))
        }

        @Test func aStoppedChildStillStopsOnTermBecauseSigcontFollows() throws {
            let server = try DevServer()
            let run = try startWatch(
                apiURL: server.apiURL, options: ["--stop-timeout", "60"],
                command: ["/bin/sh", "-c", forwardedSignalScript])
            defer { watchKillChildren(of: run) }
            #expect(run.waitForOutput("ready ", in: .stdout, timeout: 30))
            let child = try #require(watchPid(after: "ready pid", in: run.stdoutText))
            kill(child, SIGSTOP)
            #expect(watchWaitUntil(run, timeout: 30) { Self.state(of: child) == "T" })
            run.signal(SIGTERM)
            let result = run.wait(timeout: 30)
            #expect(result.termination == .exited(0), "the child acted on TERM, no SIGKILL after 60 s")
            #expect(result.stdoutText.contains("got TERM"))
        }
    }
#endif
