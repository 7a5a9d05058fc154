import Testing
@testable import SoupRun

@Suite("The supervisor with files: restart, reload or nothing")
struct WatchFilesTests {
    static let env = ["A": "1", "KEY": "/run/key", "PATH": "/bin"]

    static func files(_ value: String, key: String = "KEY") -> ChildFiles {
        ChildFiles(files: [ChildFile(path: "/run/key", bytes: Array(value.utf8))], secrets: [key: value, "A": "1"])
    }

    @Test(arguments: [
        (false, false, Configuration.Files.Reload.restart, ChangeResponse.nothing),
        (false, false, .signal(1), .nothing),
        (false, false, .nothing, .nothing),
        (true, false, .restart, .restart),
        (true, false, .signal(1), .restart),
        (true, false, .nothing, .restart),
        (true, true, .restart, .restart),
        (true, true, .signal(1), .restart),
        (true, true, .nothing, .restart),
        (false, true, .restart, .restart),
        (false, true, .signal(10), .reload(signal: 10)),
        (false, true, .nothing, .reload(signal: nil)),
    ])
    func theDecisionRestartsOnAnyEnvironmentChangeAndReloadsOnlyForFiles(
        environment: Bool, files: Bool, reload: Configuration.Files.Reload, expected: ChangeResponse
    ) {
        #expect(ChangeResponse.decide(environmentChanged: environment, filesChanged: files, reload: reload) == expected)
    }

    @Test func aReloadSignalThatCanNeverApplyIsWarnedAbout() {
        var files = Configuration.Files()
        files.templates = [.init(source: "a", destination: "b")]
        #expect(ChangeResponse.reloadWarning(files) == nil, "no --reload-signal: restarts are what was asked")
        files.reload = .signal(1)
        #expect(ChangeResponse.reloadWarning(files)?.contains("add --mount") == true)
        files.reload = .nothing
        #expect(ChangeResponse.reloadWarning(files) != nil)
        files.mount = .init(path: "/run/s.env", format: .dotenv)
        #expect(ChangeResponse.reloadWarning(files) == nil)
        files.mount = nil
        files.files = [.init(key: "K", path: nil)]
        #expect(ChangeResponse.reloadWarning(files) == nil)
    }

    @Test func stayReasonsComeFromWatchAndFiles() {
        var configuration = Configuration(
            project: "p", environment: "e", mode: .run(command: ["x"]), token: .literal(Secret("t")))
        #expect(StayReasons(configuration).isEmpty, "no reason: soup-run execs")
        configuration.files.templates = [.init(source: "a", destination: "b")]
        #expect(StayReasons(configuration) == .files)
        configuration.watch = Configuration.Watch()
        #expect(StayReasons(configuration) == [.files, .polling])
        configuration.files = Configuration.Files()
        #expect(StayReasons(configuration) == .polling)
    }

    @Test func filesAreWrittenBeforeTheFirstChildStarts() {
        let h = WatchHarness(environment: Self.env, files: Self.files("v1"))
        #expect(
            Array(h.actions.prefix(3)) == [
                .writeFiles(Self.files("v1").files), .log(.debug, "wrote /run/key"), .spawn(environment: Self.env),
            ])
        #expect(h.spawned == [Self.env])
    }

    @Test func aFailedFirstWriteExitsWith73AndStartsNothing() {
        let h = WatchHarness(environment: Self.env, files: Self.files("v1"), failFirstWrite: "cannot write /run/key: x")
        #expect(h.spawned.isEmpty)
        #expect(h.exitCode == 73)
        #expect(h.logs(.error) == ["cannot write /run/key: x"])
    }

    @Test func withAReloadSignalAFilesOnlyChangeRewritesAndSignalsWithoutARestart() {
        var h = WatchHarness(environment: Self.env, files: Self.files("v1"), reload: .signal(1))
        h.poll(answer: .environment(Self.env, etag: "e2", files: Self.files("v2")))
        #expect(h.writes.last == Self.files("v2").files)
        #expect(h.signalsSent.map(\.signal) == [1])
        #expect(h.signalsSent.map(\.pgid) == [101])
        #expect(h.spawned.count == 1, "never restarted")
        #expect(h.machine.phase == .running(pid: 101))
        #expect(h.logs(.info) == ["secrets changed (changed: KEY); rewrote /run/key; sent SIGHUP"])
        #expect(!h.logs.joined().contains("v2"), "values never appear in logs")
        // The same answer again: nothing written, nothing sent.
        h.poll(answer: .environment(Self.env, etag: "e2", files: Self.files("v2")))
        #expect(h.writes.count == 2)
        #expect(h.signalsSent.count == 1)
        // The write comes before the signal.
        let write = h.actions.lastIndex(of: .writeFiles(Self.files("v2").files))!
        let signal = h.actions.lastIndex(of: .signalGroup(pgid: 101, signal: 1))!
        #expect(write < signal)
    }

    @Test func reloadNoneRewritesAndSendsNothing() {
        var h = WatchHarness(environment: Self.env, files: Self.files("v1"), reload: .nothing)
        h.poll(answer: .environment(Self.env, etag: nil, files: Self.files("v2")))
        #expect(h.writes.last == Self.files("v2").files)
        #expect(h.signalsSent.isEmpty)
        #expect(h.spawned.count == 1)
        #expect(
            h.logs(.info) == ["secrets changed (changed: KEY); rewrote /run/key; sent no signal (--reload-signal none)"]
        )
    }

    @Test func withoutAReloadSignalAFilesChangeRestartsAfterTheRewrite() {
        var h = WatchHarness(environment: Self.env, files: Self.files("v1"))
        h.poll(answer: .environment(Self.env, etag: nil, files: Self.files("v2")))
        #expect(h.writes.last == Self.files("v2").files)
        #expect(h.signalsSent.map(\.signal) == [15])
        h.childExits(.exited(0))
        #expect(h.spawned.count == 2)
        #expect(h.machine.runningFiles == Self.files("v2"))
        #expect(h.logs(.info).first == "secrets changed (changed: KEY); rewrote /run/key; restarting the command")
    }

    @Test func anEnvironmentChangeRestartsEvenWithAReloadSignal() {
        var h = WatchHarness(environment: Self.env, files: Self.files("v1"), reload: .signal(1))
        var env = Self.env
        env["A"] = "2"
        var files = Self.files("v2")
        files.secrets["A"] = "2"
        h.poll(answer: .environment(env, etag: nil, files: files))
        #expect(h.writes.last == files.files, "files first")
        #expect(h.signalsSent.map(\.signal) == [15], "the stop signal, not the reload signal")
        h.childExits(.exited(0))
        #expect(h.spawned.last == env)
        #expect(h.logs(.info).first == "secrets changed (changed: A, KEY); rewrote /run/key; restarting the command")
    }

    @Test func aFailedRewriteKeepsTheChildAndTheETagAndIsRetried() {
        var h = WatchHarness(environment: Self.env, etag: "e1", files: Self.files("v1"), reload: .signal(1))
        h.failNextWrite = "cannot write /run/key: the directory /run does not exist"
        h.poll(answer: .environment(Self.env, etag: "e2", files: Self.files("v2")))
        #expect(h.signalsSent.isEmpty)
        #expect(h.logs(.warning).last?.contains("the next poll tries again") == true)
        #expect(h.machine.etag == "e1")
        #expect(h.machine.desiredFiles == Self.files("v1"))
        h.poll(answer: .environment(Self.env, etag: "e2", files: Self.files("v2")))
        #expect(h.writes.count == 3)
        #expect(h.signalsSent.map(\.signal) == [1])
        #expect(h.machine.etag == "e2")
    }

    @Test func aPendingSplayRestartBecomesAReloadWhenTheEnvironmentChangesBack() {
        var h = WatchHarness(
            settings: Configuration.Watch(interval: 10, stopSignal: 15, stopTimeout: 5, splay: 100),
            environment: Self.env,
            files: Self.files("v1"), reload: .signal(10))
        var env = Self.env
        env["A"] = "2"
        h.poll(answer: .environment(env, etag: nil, files: Self.files("v1")))
        guard case .restartPending = h.machine.phase else {
            Issue.record("expected a pending restart, got \(h.machine.phase)")
            return
        }
        h.poll(answer: .environment(Self.env, etag: nil, files: Self.files("v2")))
        #expect(h.machine.phase == .running(pid: 101))
        #expect(h.signalsSent.map(\.signal) == [10])
        #expect(h.logs(.info).last?.hasSuffix("sent SIGUSR1; the pending restart is cancelled") == true)
    }

    @Test func withoutPollingTheSupervisorNeverPolls() {
        var h = WatchHarness(environment: Self.env, files: Self.files("v1"), polling: false)
        #expect(h.machine.nextDeadline == nil)
        h.advance(by: 1_000_000)
        #expect(h.pendingPolls.isEmpty)
        h.childExits(.exited(3))
        #expect(h.exitCode == 3)
        #expect(h.logs(.info).isEmpty, "the command ending is the expected end, logged at -v only")
    }
}
