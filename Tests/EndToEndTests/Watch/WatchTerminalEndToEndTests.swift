import Foundation
import Testing

/// Drives a program on a pseudo-terminal: waits for `ready 1 `, types `hello⏎`, waits for
/// `read hello`, types Ctrl-C, reads to the end; prints the transcript and `STATUS <code>`.
/// Every wait is bounded.
private let ptyDriver = #"""
    import os, pty, select, sys, time
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.argv[1], sys.argv[1:])
    out = b""
    def read_until(marker, timeout):
        global out
        end = time.monotonic() + timeout
        while marker is None or marker not in out:
            left = end - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    return marker is not None and marker in out
                out += data
        return True
    if read_until(b"ready 1 ", 30):
        os.write(fd, b"hello\n")
        if read_until(b"read hello", 30):
            os.write(fd, b"\x03")
    read_until(None, 30)
    deadline = time.monotonic() + 30
    status = None
    while status is None and time.monotonic() < deadline:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw)
        else:
            time.sleep(0.02)
    if status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    print("\nSTATUS", status)
    """#

private let python3 = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    ?? ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { "\($0)/python3" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

/// `--watch` in an interactive terminal.
@Suite("soup-run --watch: terminal", .serialized)
struct WatchTerminalEndToEndTests {
    @Test(.enabled(if: python3 != nil, "needs python3 for its pty module"))
    func theChildOwnsTheTerminalAndCtrlCReachesItExactlyOnce() throws {
        let server = try DevServer()
        let script = try WatchScript()
        let driver = try script.directory.write("drive_terminal.py", ptyDriver)
        let arguments = [driver, Binaries.soupRun, "--watch", "--interval", "0.2", "--api-url", server.apiURL,
                         "my-app", "prod", "--"] + script.command("read-tty")
        let result = try runProcess(
            try #require(python3), arguments,
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "SOUP_TOKEN": DevServer.demoToken, "TERM_EXIT": "3"],
            timeout: 120)
        let transcript = result.stdoutText
        #expect(transcript.contains("ready 1 "), "stderr: \(result.stderrText)")
        // Reading the terminal works only in the foreground group: a background child would stop.
        #expect(transcript.contains("read hello"), "transcript: \(transcript)")
        #expect(watchCount(of: "got INT 1", in: transcript) == 1, "transcript: \(transcript)")
        #expect(transcript.hasSuffix("STATUS 3\n"), "soup-run exits with the child's status: \(transcript)")
    }
}
