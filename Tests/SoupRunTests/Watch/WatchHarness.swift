@testable import SoupRun

/// Drives a `WatchMachine` with a fake clock, a fake process table and a scripted fetcher:
/// actions are interpreted the way `WatchDriver` would, and everything is recorded.
struct WatchHarness {
    var machine: WatchMachine
    var now: Double = 1000
    /// Every action returned, in order.
    var actions: [WatchAction] = []
    /// Environments of every spawned child, in order.
    var spawned: [[String: String]] = []
    var pids: [Int32] = []
    var nextPid: Int32 = 100
    /// Polls requested and not yet answered (their If-None-Match).
    var pendingPolls: [String?] = []
    var exitCode: Int32? = nil
    var failNextSpawn: ExecError? = nil
    /// Every `.writeFiles`, in order.
    var writes: [[ChildFile]] = []
    /// The message of the next write's failure, if it is to fail.
    var failNextWrite: String? = nil

    init(
        settings: Configuration.Watch = Configuration.Watch(interval: 10, stopSignal: 15, stopTimeout: 5, splay: 0),
        environment: [String: String] = ["A": "1", "PATH": "/bin"], etag: String? = nil,
        files: ChildFiles = .none, reload: Configuration.Files.Reload = .restart, polling: Bool = true,
        failFirstWrite: String? = nil, random: [Double] = [0.5]
    ) {
        var values = random
        let source = { () -> Double in
            let value = values.first ?? 0.5
            if values.count > 1 { values.removeFirst() }
            return value
        }
        machine = WatchMachine(
            settings: settings, environment: environment, etag: etag, files: files, reload: reload, polling: polling,
            random: source)
        failNextWrite = failFirstWrite
        perform(machine.start(now: now))
    }

    var currentPid: Int32? { pids.last }
    var logs: [String] { actions.compactMap { if case .log(_, let text) = $0 { return text } else { return nil } } }
    func logs(_ level: WatchAction.LogLevel) -> [String] {
        actions.compactMap { if case .log(level, let text) = $0 { return text } else { return nil } }
    }
    var signalsSent: [(pgid: Int32, signal: Int32)] {
        actions.compactMap {
            if case .signalGroup(let pgid, let signal) = $0 { return (pgid, signal) } else { return nil }
        }
    }

    mutating func feed(_ event: WatchEvent) {
        perform(machine.handle(event, now: now))
    }

    /// Interprets actions like the driver: spawns answer at once, polls wait for `answerPoll`.
    mutating func perform(_ list: [WatchAction]) {
        for action in list {
            actions.append(action)
            switch action {
            case .spawn(let environment):
                spawned.append(environment)
                if let failure = failNextSpawn {
                    failNextSpawn = nil
                    feed(.spawnFailed(failure))
                } else {
                    nextPid += 1
                    pids.append(nextPid)
                    feed(.spawned(pid: nextPid))
                }
            case .writeFiles(let files):
                writes.append(files)
                if let failure = failNextWrite {
                    failNextWrite = nil
                    feed(.filesFailed(failure))
                } else {
                    feed(.filesWritten)
                }
            case .poll(let tag): pendingPolls.append(tag)
            case .exit(let code): exitCode = code
            case .signalGroup, .log: break
            }
        }
    }

    /// Moves the clock to `time` (absolute) and ticks.
    mutating func advance(to time: Double) {
        now = time
        feed(.tick)
    }

    mutating func advance(by seconds: Double) { advance(to: now + seconds) }

    /// Advances to the next deadline (or by `max`), ticking; returns the time it ended at.
    @discardableResult
    mutating func advanceToNextDeadline(max: Double = 1_000_000) -> Double {
        let target = machine.nextDeadline.map { Swift.min($0, now + max) } ?? now + max
        advance(to: Swift.max(target, now))
        return now
    }

    /// Advances until a poll is requested, then answers it with `result`.
    mutating func poll(answer result: PollResult) {
        var guardCount = 0
        while pendingPolls.isEmpty && guardCount < 1000 {
            advanceToNextDeadline()
            guardCount += 1
        }
        pendingPolls.removeFirst()
        feed(.pollFinished(result))
    }

    /// The child exits; then its group is reported empty.
    mutating func childExits(_ status: ChildStatus, groupEmpty: Bool = true) {
        guard let pid = currentPid else { return }
        feed(.childExited(pid: pid, status: status))
        if groupEmpty, machine.awaitedGroup == pid { feed(.groupGone(pgid: pid)) }
    }
}
