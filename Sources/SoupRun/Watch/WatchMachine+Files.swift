/// Changes, and the files: writing them before a child starts or a change is acted on, and the
/// choice between restart, reload and nothing (`ChangeResponse`).
extension WatchMachine {
    /// What comes after a `.writeFiles`.
    enum PendingWrite: Sendable, Equatable {
        /// The first child's files: spawn it once they are written.
        case initial
        /// A poll's change: act on it once its files are written (and only then keep its ETag).
        case change([String: String], files: ChildFiles, etag: String?)
    }

    mutating func filesWritten(now: Double) -> [WatchAction] {
        guard let pending = pendingWrite else { return [] }
        pendingWrite = nil
        switch pending {
        case .initial:
            let paths = runningFiles.files.map(\.path).joined(separator: ", ")
            return [.log(.debug, "wrote \(paths)"), .spawn(environment: runningEnvironment)]
        case .change(let environment, let files, let tag):
            etag = tag
            return apply(environment, files: files, now: now)
        }
    }

    mutating func filesFailed(_ message: String, now: Double) -> [WatchAction] {
        guard let pending = pendingWrite else { return [] }
        pendingWrite = nil
        switch pending {
        case .initial:
            phase = .finished
            return [.log(.error, message), .exit(ExitCode.cannotCreate.rawValue)]
        case .change:
            // The desired files stay the old ones, so the next poll writes every changed file again.
            return [
                .log(.warning, "\(message); the command keeps its current secrets; the next poll tries again")
            ]
        }
    }

    /// A good environment (and files, already written) arrived: restart, reload or nothing,
    /// compared with what the running child has.
    mutating func apply(_ environment: [String: String], files: ChildFiles, now: Double) -> [WatchAction] {
        guard environment != desiredEnvironment || files != desiredFiles else {
            return [.log(.debug, "secrets unchanged")]
        }
        // With files the environment holds paths, not values: name the keys from the secrets.
        let diff =
            files.secrets.isEmpty && desiredFiles.secrets.isEmpty
            ? EnvironmentDiff(old: desiredEnvironment, new: environment)
            : EnvironmentDiff(old: desiredFiles.secrets, new: files.secrets)
        let rewritten = desiredFiles.changed(in: files).map(\.path)
        let wrote = rewritten.isEmpty ? "" : "; rewrote \(rewritten.joined(separator: ", "))"
        desiredEnvironment = environment
        desiredFiles = files
        let again = "secrets changed again (\(diff.summary))\(wrote); the restart in progress will use them"
        switch phase {
        case .running(let pid), .restartPending(let pid, _):
            let pending = phase != .running(pid: pid)
            let response = ChangeResponse.decide(
                environmentChanged: environment != runningEnvironment, filesChanged: files.files != runningFiles.files,
                reload: reload)
            switch response {
            case .restart where pending:
                return [.log(.info, again)]
            case .restart:
                return beginRestart(pid: pid, now: now, reason: "secrets changed (\(diff.summary))\(wrote)")
            case .nothing where pending:
                phase = .running(pid: pid)
                return [.log(.info, "secrets changed back (\(diff.summary)); the pending restart is cancelled")]
            case .nothing:
                return [.log(.debug, "secrets unchanged")]
            case .reload(let signal):
                phase = .running(pid: pid)
                runningFiles = files
                let cancelled = pending ? "; the pending restart is cancelled" : ""
                let what = "secrets changed (\(diff.summary))\(wrote)"
                guard let signal else {
                    return [.log(.info, "\(what); sent no signal (--reload-signal none)\(cancelled)")]
                }
                return [
                    .log(.info, "\(what); sent \(SignalName.name(of: signal))\(cancelled)"),
                    .signalGroup(pgid: pid, signal: signal),
                ]
            }
        case .stopping(let stop) where stop.exitCode != nil:
            return []
        case .stopping, .starting:
            return [.log(.info, again)]
        case .shuttingDown, .finished:
            return []
        }
    }
}
