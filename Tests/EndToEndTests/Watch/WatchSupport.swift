import Foundation
import SoupCore
import SoupHTTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `/bin/sh` child for watch tests: counts its starts in `dir/starts`, prints
/// `ready N pid=P value=V` (V is `$WATCHED`), traps HUP USR1 USR2 WINCH and prints `got SIG N`
/// for each (also to `dir/events`), and on TERM, INT or QUIT prints `got SIG N` and exits with
/// `$TERM_EXIT` (default 0).
/// Modes: `ignore-term` ignores TERM (it and its `sleep`s); `grandchild` first starts a
/// background `sleep` that ignores TERM and prints `grandchild PID`; `read-tty` reads a line
/// from stdin after `ready` and prints `read LINE`.
struct WatchScript {
    static let text = #"""
        ulimit -c 0
        dir="$1"; mode="$2"
        n=$(( $(cat "$dir/starts" 2>/dev/null || echo 0) + 1 ))
        echo "$n" > "$dir/starts"
        for s in HUP USR1 USR2 WINCH; do trap "echo got $s $n; echo got $s $n >> $dir/events" "$s"; done
        for s in TERM INT QUIT; do trap "echo got $s $n; echo got $s $n >> $dir/events; exit ${TERM_EXIT:-0}" "$s"; done
        if [ "$mode" = ignore-term ]; then trap '' TERM; fi
        if [ "$mode" = grandchild ]; then
            (trap '' TERM; exec sleep 1000) &
            echo "grandchild $!"
        fi
        echo "ready $n pid=$$ value=${WATCHED-unset}"
        if [ "$mode" = read-tty ]; then read line; echo "read $line"; fi
        while :; do sleep 0.1; done
        """#

    let directory: TemporaryDirectory
    let path: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "soup-watch")
        path = try directory.write("child.sh", Self.text, mode: 0o755)
    }

    /// The command soup-run runs, after `--`.
    func command(_ mode: String = "normal") -> [String] { ["/bin/sh", path, directory.path, mode] }

    /// Lines the children appended to `events` (they outlive soup-run's stdout).
    var events: [String] {
        ((try? String(contentsOfFile: directory.path + "/events", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }
}

/// Starts the built soup-run in watch mode against `apiURL`: `-v`, interval 0.2 s unless given.
func startWatch(
    apiURL: String, options: [String] = [], command: [String], token: String = DevServer.demoToken,
    environment: [String: String] = [:]
) throws -> ChildProcess {
    var env = ["PATH": "/usr/local/bin:/usr/bin:/bin", "SOUP_TOKEN": token]
    env.merge(environment) { $1 }
    let interval = options.contains("--interval") ? [] : ["--interval", "0.2"]
    return try ChildProcess(
        Binaries.soupRun,
        ["-v", "--watch"] + interval + ["--api-url", apiURL] + options + ["my-app", "prod", "--"] + command,
        environment: env)
}

/// Waits (bounded) until `condition` holds, reading the child's output meanwhile.
@discardableResult
func watchWaitUntil(_ child: ChildProcess, timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() >= deadline { return false }
        // Reads output for up to 50 ms: the marker never appears, so this is a bounded pump.
        child.waitForOutput("\u{1}\u{2}never", timeout: 0.05)
        if child.hasExited { return condition() }
    }
    return true
}

/// Kills (SIGKILL) every child and grandchild `run` reported (`pid=N`, `grandchild N`): a
/// child that ignores TERM outlives soup-run's parent-death signal when a test stops early.
func watchKillChildren(of run: ChildProcess) {
    for line in run.stdoutText.split(separator: "\n") {
        for prefix in ["pid=", "grandchild "] {
            guard let range = line.range(of: prefix) else { continue }
            guard let pid = Int32(line[range.upperBound...].prefix { $0.isNumber }), pid > 1 else { continue }
            // Only if that pid is still one of ours, not a recycled number.
            let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            if command.contains("/child.sh\0") || command == "sleep\u{0}1000\u{0}" { kill(pid, SIGKILL) }
        }
    }
}

/// How many times `marker` occurs in `text`.
func watchCount(of marker: String, in text: String) -> Int {
    text.components(separatedBy: marker).count - 1
}

/// Whether a process with this pid exists (zombies included).
func watchProcessExists(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

/// The pid in a `... pid=P ...` or `grandchild P` line of `text` for `prefix`.
func watchPid(after prefix: String, in text: String) -> Int32? {
    for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
        let rest = line.dropFirst(prefix.count).drop { $0 == " " || $0 == "=" }
        return Int32(rest.prefix { $0.isNumber })
    }
    return nil
}

/// An in-process API whose answer the test changes: secrets, or an error status and body.
final class WatchScriptedAPI: @unchecked Sendable {
    enum Answer: @unchecked Sendable {
        case secrets([String: String])
        case status(Int, body: String, headers: [(name: String, value: String)])
    }

    /// What the handler reads on its connection threads.
    private final class State: @unchecked Sendable {
        let lock = NSLock()
        var answer: Answer
        var count = 0
        init(_ answer: Answer) { self.answer = answer }
    }

    private let state: State
    private let server: HTTPServer
    let apiURL: String

    init(_ answer: Answer) throws {
        let state = State(answer)
        self.state = state
        server = HTTPServer { _ in Self.respond(state) }
        apiURL = "http://127.0.0.1:\(try server.start())/api/v1"
    }

    deinit { server.shutdown() }

    var requests: Int { state.lock.withLock { state.count } }

    func set(_ answer: Answer) { state.lock.withLock { state.answer = answer } }

    private static func respond(_ state: State) -> HTTPResponse {
        let current = state.lock.withLock { () -> Answer in
            state.count += 1
            return state.answer
        }
        switch current {
        case .secrets(let secrets):
            let body = JSONValue.object(["data": .stringObject(secrets)]).encoded()
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        case .status(let status, let body, let headers):
            return HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
        }
    }
}
