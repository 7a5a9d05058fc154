import Foundation

/// The pseudo-terminal drivers of the terminal tests (python3's `pty` module) and their helpers.

/// `steps` as the JSON the drivers read.
func driverSteps(_ steps: [[String]]) -> String {
    "[" + steps.map { "[" + $0.map { "\"\($0.unicodeEscaped)\"" }.joined(separator: ",") + "]" }.joined(separator: ",")
        + "]"
}

/// Runs argv[2...] on a pseudo-terminal of its own (24 rows, 80 columns) through `steps` (argv[1],
/// JSON: a list of [marker, action] pairs; each waits, bounded, for `marker` in the output, then
/// types `action`; `@winsize R C` sets the terminal's size, `@signal NAME` signals the program,
/// `@mode` prints `RAW yes|no` for the terminal's mode at that moment, `@kill-hinted` sends SIGTERM
/// to the pid soup-run's hint names, `run kill PID`). A missed marker ends the steps. Then reads
/// until the program exits; prints the transcript (without `\r`, unless `KEEP_CR` is set), `KILLED PID` when it sent one,
/// `MODE same` when the terminal's mode (termios) after the exit equals the one before, and
/// `STATUS <code>`.
/// Every wait is bounded; the program is killed if it does not exit.
let modeDriver = #"""
    import fcntl, json, os, re, select, signal, struct, sys, termios, time
    steps = json.loads(sys.argv[1])
    master, slave = os.openpty()
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    before = termios.tcgetattr(slave)
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.execv(sys.argv[2], sys.argv[2:])
    out = b""
    status = None
    killed = None
    def reap():
        global status
        if status is None:
            done, raw = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(raw)
    def read_until(marker, timeout):
        global out
        end = time.monotonic() + timeout
        while marker is None or marker not in out:
            left = end - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([master], [], [], min(left, 0.1))
            if ready:
                out += os.read(master, 65536)
            elif status is not None:
                return marker is not None and marker in out
            reap()
        return True
    for marker, action in steps:
        if not read_until(marker.encode(), 30):
            out += ("\n<<timed out waiting for %r>>\n" % marker).encode()
            break
        if action.startswith("@winsize "):
            rows, cols = map(int, action.split()[1:])
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        elif action.startswith("@signal "):
            os.kill(pid, getattr(signal, action.split()[1]))
        elif action == "@kill-hinted":
            found = re.search(rb"run kill (\d+) ", out)
            if not found:
                break
            killed = int(found.group(1))
            os.kill(killed, signal.SIGTERM)
        elif action.startswith("@mode"):
            out += ("\nRAW %s\n" % ("no" if termios.tcgetattr(slave)[3] & termios.ICANON else "yes")).encode()
        else:
            os.write(master, action.encode())
    read_until(None, 30)
    if status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    after = termios.tcgetattr(slave)
    text = out.decode(errors="replace")
    sys.stdout.write(text if os.environ.get("KEEP_CR") else text.replace("\r", ""))
    if killed is not None:
        print("\nKILLED", killed)
    print("\nMODE", "same" if before == after else "differs: %r -> %r" % (before, after))
    print("STATUS", status)
    """#

/// Drives an interactive bash on a pseudo-terminal through `steps` (JSON: a list of
/// [expect, send] pairs; each waits, bounded, for `expect` in the new output, then types `send`).
/// Prints the transcript; every wait is bounded, and bash and every process of its session are
/// killed at the end.
let shellDriver = #"""
    import json, os, pty, select, sys, time
    steps = json.loads(sys.argv[1])
    pid, fd = pty.fork()
    if pid == 0:
        os.execve("/bin/bash", ["bash", "--norc", "--noprofile", "-i"], dict(os.environ, PS1="$ "))
    out = b""
    def read_until(marker, start, timeout):
        global out
        end = time.monotonic() + timeout
        while marker.encode() not in out[start:]:
            left = end - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return False
                if not data:
                    return False
                out += data
        return True
    mark = 0
    for expect, send in steps:
        if not read_until(expect, mark, 30):
            out += ("\n<<timed out waiting for %r>>\n" % expect).encode()
            break
        mark = out.index(expect.encode(), mark) + len(expect)
        os.write(fd, send.encode())
    # Everything in bash's session (jobs included, even stopped ones), then bash.
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != pid:
            try:
                with open("/proc/%s/stat" % entry) as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                if int(fields[3]) == pid:
                    os.kill(int(entry), 9)
            except (OSError, ValueError, IndexError):
                pass
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    """#

let python3 =
    ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    ?? ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { "\($0)/python3" }
    .first { FileManager.default.isExecutableFile(atPath: $0) }

extension String {
    /// JSON string contents: quotes, backslashes and control characters escaped.
    var unicodeEscaped: String {
        var result = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
