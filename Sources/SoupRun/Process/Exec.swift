import CSoupProcess

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starting the command: in place of soup-run (one-shot mode) or as a child (`--watch`).
public enum Exec {
    /// Replaces soup-run with `command` run in `environment`; returns only on failure.
    ///
    /// `command[0]` is looked up in `environment`'s PATH (see `ExecutableLookup`), the kernel's
    /// size limits are checked first (see `ExecLimits`), and the command starts with an empty
    /// signal mask, default dispositions (signals ignored when soup-run started stay ignored,
    /// as with `nohup`) and none of soup-run's own descriptors (inherited ones stay open).
    /// Inherited variables that are not valid UTF-8 and reach the command unchanged keep their
    /// original bytes (see `Platform.undecodableEnvironment`).
    public static func replaceProcess(command: [String], environment: [String: String]) -> ExecError {
        let undecodable = Platform.undecodableEnvironment()
        switch PreparedCommand.prepare(command: command, environment: environment, undecodable: undecodable) {
        case .failure(let error):
            return error
        case .success(let prepared):
            let code = prepared.withCArrays { path, argv, envp in soup_exec_replace(path, argv, envp) }
            return prepared.error(forExecErrno: code, environment: environment)
        }
    }
}

/// The supervisor's system calls on its child: spawn, signal the group, reap, probe the group.
/// Everything goes through CSoupProcess; see `soup_process.h` for what happens in the child.
enum ChildLauncher {
    /// Starts `command` in `environment` as a child in its own process group.
    /// - Parameters:
    ///   - terminal: a terminal descriptor to make the child's group the foreground of, or -1.
    ///   - deathSignal: the parent-death signal the child gets if soup-run dies without stopping
    ///     it (Linux): `--stop-signal`.
    ///   - directory: the child's working directory (soup-run's own, before it moved to "/");
    ///     a relative command is looked up from there.
    ///   - streams: the descriptors the child's stdin, stdout and stderr are instead of ours, and
    ///     the pty it starts a session on (`--mask`; see `ChildStreams`).
    static func spawn(
        command: [String], environment: [String: String], terminal: Int32, deathSignal: Int32 = SIGTERM,
        directory: String? = nil, streams: ChildStreams = .inherited
    ) -> Result<Int32, ExecError> {
        let prepared: PreparedCommand
        let undecodable = Platform.undecodableEnvironment()
        switch PreparedCommand.prepare(
            command: command, environment: environment, undecodable: undecodable,
            probe: ProcessSystem.probe(from: directory))
        {
        case .failure(let error): return .failure(error)
        case .success(let value): prepared = value
        }
        var pid: pid_t = -1
        let code = prepared.withCArrays { path, argv, envp in
            withOptionalPath(directory) {
                soup_spawn(
                    path, argv, envp, terminal, deathSignal, $0, streams.stdin, streams.stdout, streams.stderr,
                    streams.session, &pid)
            }
        }
        if code == 0 { return .success(pid) }
        if code < 0 { return .failure(.system(call: "fork", errno: -code)) }
        return .failure(prepared.error(forExecErrno: code, environment: environment))
    }

    /// Sends `signal` to process group `pgid`; a group already gone is not an error.
    static func signalGroup(_ pgid: Int32, _ signal: Int32) -> Int32 {
        let code = soup_signal_group(pgid, signal)
        return code == ESRCH ? 0 : code
    }

    /// What `reapAny` found: a child that ended (reaped), or one that was stopped.
    enum Reaped {
        case ended(pid: Int32, status: ChildStatus)
        case stopped(pid: Int32)
    }

    /// Reaps one ended child, or reports one stopped child, if any.
    static func reapAny() -> Reaped? {
        var raw: Int32 = 0
        let pid = soup_reap(-1, &raw)
        guard pid > 0 else { return nil }
        if soup_wifstopped(raw) != 0 { return .stopped(pid: pid) }
        if soup_wifsignaled(raw) != 0 { return .ended(pid: pid, status: .signaled(soup_wtermsig(raw))) }
        return .ended(pid: pid, status: .exited(soup_wexitstatus(raw)))
    }

    static func groupExists(_ pgid: Int32) -> Bool { soup_group_exists(pgid) != 0 }

    /// Whether soup-run has any child left (a re-parented orphan counts).
    static func hasChildren() -> Bool { soup_has_children() != 0 }

    /// soup-run's children outside process group `pgid`: orphans of the command re-parented to
    /// the subreaper that left the group (a daemon after `setsid`).
    static func strays(outside pgid: Int32) -> [Int32] {
        var pids = [pid_t](repeating: 0, count: 4096)
        let count = Int(soup_list_children(&pids, Int32(pids.count)))
        return pids[0..<count].filter { pid in
            let group = soup_process_group(pid)
            return group > 0 && group != pgid
        }
    }

    /// Sends `signal` to a stray: to its whole group when it leads one (a daemon's workers
    /// follow it), else to it alone. Gone already is not an error.
    static func signalStray(_ pid: Int32, _ signal: Int32) -> Int32 {
        let code = soup_process_group(pid) == pid ? soup_signal_group(pid, signal) : soup_signal_process(pid, signal)
        return code == ESRCH ? 0 : code
    }
}

private func withOptionalPath<R>(_ path: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let path else { return body(nil) }
    return path.withCString { body($0) }
}
