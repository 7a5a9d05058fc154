#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Polling: when, what a result means, backoff, logging failures once per state.
extension WatchMachine {
    /// When the machine next needs a `.tick` (nil: only events can change anything).
    public var nextDeadline: Double? {
        var deadlines: [Double] = []
        if pollsAllowed && !pollInFlight { deadlines.append(nextPollAt) }
        switch phase {
        case .restartPending(_, let at): deadlines.append(at)
        case .stopping(let stop):
            if !stop.killed {
                deadlines.append(stop.killAt)
            } else if let giveUp = stop.giveUpAt {
                deadlines.append(giveUp)
            }
        case .shuttingDown(let shutdown):
            if !shutdown.killed {
                deadlines.append(shutdown.killAt)
            } else if let giveUp = shutdown.giveUpAt {
                deadlines.append(giveUp)
            }
        default: break
        }
        return deadlines.min()
    }

    /// No polling while shutting down: the result could not matter.
    var pollsAllowed: Bool {
        guard polling else { return false }
        switch phase {
        case .shuttingDown, .finished: return false
        case .stopping(let stop): return stop.exitCode == nil
        default: return true
        }
    }

    mutating func tick(now: Double) -> [WatchAction] {
        var actions: [WatchAction] = []
        switch phase {
        case .restartPending(let pid, let at) where now >= at:
            actions += beginStop(pid: pid, now: now)
        case .stopping(var stop):
            if !stop.killed && now >= stop.killAt {
                stop.killed = true
                stop.giveUpAt = now + settings.killGrace
                phase = .stopping(stop)
                let what = stop.exitCode == nil ? "the command" : "processes left in the command's group"
                actions += escalate("\(what) did not stop", signal: settings.stopSignal, tree: stop.pid)
            } else if stop.killed, let giveUp = stop.giveUpAt, now >= giveUp {
                stop.giveUpAt = nil
                phase = .stopping(stop)
                if let code = stop.exitCode {
                    actions.append(
                        .log(
                            .warning,
                            "processes of the command's group survived SIGKILL for "
                                + "\(Seconds.format(settings.killGrace)); exiting anyway"))
                    phase = .finished
                    return actions + [.exit(code)]
                } else if stop.leaderExited {
                    actions.append(
                        .log(
                            .warning,
                            "processes of the old command's group survived SIGKILL for "
                                + "\(Seconds.format(settings.killGrace)); starting the new command anyway"))
                    actions += handle(.groupGone(pgid: stop.pid), now: now)
                } else {
                    // Never two children: keep waiting for the old one, say so once.
                    actions.append(
                        .log(
                            .warning,
                            "the old command (pid \(stop.pid)) has not exited "
                                + "\(Seconds.format(settings.killGrace)) after SIGKILL; still waiting for it"))
                }
            }
        case .shuttingDown(var shutdown) where !shutdown.killed && now >= shutdown.killAt:
            shutdown.killed = true
            shutdown.giveUpAt = now + settings.killGrace
            phase = .shuttingDown(shutdown)
            actions += escalate("the command did not exit", signal: shutdown.signal, tree: shutdown.pid)
        case .shuttingDown(let shutdown) where shutdown.killed && shutdown.giveUpAt.map { now >= $0 } == true:
            // SIGKILL cannot be caught: a leader still here is stuck in the kernel. Waiting on would
            // make `docker stop` hang; leave as if killed by the signal that asked us to stop.
            phase = .finished
            actions += [
                .log(
                    .warning,
                    "the command (pid \(shutdown.pid)) has not exited \(Seconds.format(settings.killGrace)) "
                        + "after SIGKILL; exiting anyway"),
                .exit(128 + shutdown.signal),
            ]
            return actions
        default:
            break
        }
        if pollsAllowed && !pollInFlight && now >= nextPollAt {
            pollInFlight = true
            actions.append(.poll(ifNoneMatch: etag))
        }
        return actions
    }

    /// The last teardown step, after `--stop-timeout` ran out since `signal`: SIGKILL the tree.
    private func escalate(_ what: String, signal: Int32, tree pid: Int32) -> [WatchAction] {
        let message =
            "\(what) within \(Seconds.format(settings.stopTimeout)) of signal \(signal); killing its process group"
        return [.log(.warning, message)] + Teardown.actions(teardown[1].signals, tree: pid)
    }

    mutating func pollFinished(_ result: PollResult, now: Double) -> [WatchAction] {
        pollInFlight = false
        switch result {
        case .failed(let failure) where failure.rateLimited:
            refusals += 1
            effectiveInterval = PollSchedule.slowedDown(
                effectiveInterval, interval: settings.interval, retryAfter: failure.retryAfter)
            let delay = PollSchedule.rateLimitedDelay(
                retryAfter: failure.retryAfter, effective: effectiveInterval, interval: settings.interval,
                refusals: refusals, unit: unitRandom())
            nextPollAt = now + delay
            return logFailure(failure, delay: delay)
        case .failed(let failure):
            failures += 1
            let delay = PollSchedule.backoff(
                failures: failures, interval: settings.interval,
                retryAfter: failure.retryAfter, unit: unitRandom())
            nextPollAt = now + delay
            return logFailure(failure, delay: delay)
        case .notModified:
            let actions = recovered()
            nextPollAt =
                now
                + PollSchedule.answered(
                    effective: effectiveInterval, interval: settings.interval, unit: unitRandom())
            return actions + [.log(.debug, "secrets not modified")]
        case .environment(let environment, let newTag, let files):
            let actions = recovered()
            nextPollAt =
                now
                + PollSchedule.answered(
                    effective: effectiveInterval, interval: settings.interval, unit: unitRandom())
            let changedFiles = desiredFiles.changed(in: files)
            if !changedFiles.isEmpty && pollsAllowed {
                // Files first: a reload or the next child must find them in place. The ETag is
                // kept until they are, so a failed write is tried again at the next poll.
                pendingWrite = .change(environment, files: files, etag: newTag)
                return actions + [.writeFiles(changedFiles)]
            }
            etag = newTag
            return actions + apply(environment, files: files, now: now)
        }
    }

    /// A failed poll's message: a warning when its state is new, else only in the debug log.
    private mutating func logFailure(_ failure: PollFailure, delay: Double) -> [WatchAction] {
        let message =
            "cannot refresh secrets: \(failure.message); the command keeps its current secrets; "
            + "next attempt in \(Seconds.format(delay))"
        guard failure.state != failureState else { return [.log(.debug, message)] }
        failureState = failure.state
        return [.log(.warning, message)]
    }

    private mutating func recovered() -> [WatchAction] {
        let slowed = effectiveInterval
        effectiveInterval = PollSchedule.recovered(effectiveInterval, interval: settings.interval)
        defer {
            failures = 0
            refusals = 0
            failureState = nil
        }
        guard failureState != nil else { return [] }
        let pace =
            slowed > settings.interval
            ? "polling every \(Seconds.format(slowed)), back to \(Seconds.format(settings.interval)) gradually"
            : "polling every \(Seconds.format(settings.interval))"
        return [.log(.info, "secrets API answering again; \(pace)")]
    }
}
