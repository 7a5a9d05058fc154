import Testing

@testable import SoupRun

/// `--watch` over layers: every API layer polled with its own ETag, env files re-read only when
/// their stamp changed, one combined answer, and nothing kept from a poll that failed.
@Suite struct LayerPollTests {
    let files = FakeEnvFiles()

    func stack(shared: WatchFakeSource, app: WatchFakeSource) -> LayerStack {
        files.write(".env", "B=file\n")
        return LayerStackTests.stack(
            [
                LayerStackTests.api("--also shared/prod", shared),
                LayerStackTests.api("my-app/prod", app),
                Layer(name: "--env-file .env", source: .envFile(path: ".env", optional: false)),
            ], files: files)
    }

    @Test func theLayeredStartUpPassesTheLongestRateLimitWaitToTheFirstPoll() throws {
        let shared = WatchFakeSource(initial: .success(["A": "shared"]), initialETag: "s1")
        shared.rateLimitWait = 30
        let app = WatchFakeSource(initial: .success(["A": "app"]), initialETag: "a1")
        app.rateLimitWait = 10
        let stack = stack(shared: shared, app: app)
        #expect(try stack.startUpFetch().rateLimitWait == 30)
        var (machine, _) = try WatchMode.initialMachine(
            configuration: WatchModeTests.configuration(), inherited: WatchModeTests.inherited, source: stack,
            logger: Logger(verbosity: .quiet) { _ in })
        #expect(machine.effectiveInterval == 90, "three times the longest wait, as for one API environment")
        _ = machine.start(now: 0)
        #expect((machine.nextDeadline ?? 0) >= 30 + 90 / 4, "the first poll waits as after a refused one")
    }

    @Test func aLayeredStartUpNeverRateLimitedPollsAtTheInterval() throws {
        let stack = stack(
            shared: WatchFakeSource(initial: .success(["A": "shared"])),
            app: WatchFakeSource(initial: .success(["A": "app"])))
        #expect(try stack.startUpFetch().rateLimitWait == nil)
    }

    @Test func eachLayerSendsItsOwnETagAndNothingChangedIsNotModified() throws {
        let shared = WatchFakeSource(
            initial: .success(["A": "shared"]), initialETag: "s1", polls: [.success(.notModified)])
        let app = WatchFakeSource(initial: .success(["A": "app"]), initialETag: "a1", polls: [.success(.notModified)])
        let stack = stack(shared: shared, app: app)
        let start = try stack.fetchWithETag()
        #expect(start.secrets == ["A": "app", "B": "file"])
        let reads = files.reads
        #expect(try stack.fetch(ifNoneMatch: start.etag) == .notModified)
        #expect(shared.sentTags == ["s1"] && app.sentTags == ["a1"])
        #expect(files.reads == reads, "an unchanged file is not read again")
    }

    @Test func aChangeInOneLayerGivesTheCombinedSecretsAndANewETag() throws {
        let shared = WatchFakeSource(
            initial: .success(["A": "shared", "C": "old"]), initialETag: "s1",
            polls: [.success(.secrets(["A": "shared", "C": "new"], etag: "s2")), .success(.notModified)])
        let app = WatchFakeSource(
            initial: .success(["A": "app"]), initialETag: "a1", polls: [.success(.notModified), .success(.notModified)])
        let stack = stack(shared: shared, app: app)
        let start = try stack.fetchWithETag()
        let changed = try stack.fetch(ifNoneMatch: start.etag)
        guard case .secrets(let secrets, let etag) = changed else {
            Issue.record("expected secrets, got \(changed)")
            return
        }
        #expect(secrets == ["A": "app", "B": "file", "C": "new"])
        #expect(etag != start.etag)
        #expect(try stack.fetch(ifNoneMatch: etag) == .notModified)
        #expect(shared.sentTags == ["s1", "s2"], "the layer's new ETag is sent next")
    }

    @Test func anEnvFileWhoseStampChangedIsReadAgain() throws {
        let shared = WatchFakeSource(initial: .success([:]), polls: [.success(.notModified), .success(.notModified)])
        let app = WatchFakeSource(
            initial: .success(["B": "app"]), polls: [.success(.notModified), .success(.notModified)])
        let stack = stack(shared: shared, app: app)
        let start = try stack.fetchWithETag()
        files.write(".env", "B=edited\n")
        let changed = try stack.fetch(ifNoneMatch: start.etag)
        #expect(changed.secretsIfAny == ["B": "edited"])
        files.remove(".env")
        #expect(throws: LayerError(layer: "--env-file .env", cause: .missingFile)) {
            try stack.fetch(ifNoneMatch: changed.etagIfAny)
        }
    }

    /// A poll in which one layer fails keeps nothing: the change another layer reported in it is
    /// offered again by the next poll, which the failing layer no longer spoils.
    @Test func aFailedPollKeepsNothing() throws {
        let down = FetchError.serverError(status: 503, serverMessage: nil, retryAfter: 2)
        let shared = WatchFakeSource(
            initial: .success(["A": "1"]), initialETag: "s1",
            polls: [.success(.secrets(["A": "2"], etag: "s2")), .success(.secrets(["A": "2"], etag: "s2"))])
        let app = WatchFakeSource(
            initial: .success([:]), initialETag: "a1", polls: [.failure(down), .success(.notModified)])
        let stack = stack(shared: shared, app: app)
        let start = try stack.fetchWithETag()
        do {
            _ = try stack.fetch(ifNoneMatch: start.etag)
            Issue.record("the poll should fail")
        } catch {
            #expect(error == LayerError(layer: "my-app/prod", cause: .fetch(down)))
            #expect(error.pollFailure.state == "my-app/prod: http 503")
            #expect(error.pollFailure.retryAfter == 2)
            #expect(error.pollFailure.message.hasPrefix("in my-app/prod: the API failed with HTTP 503"))
        }
        #expect(shared.sentTags == ["s1"])
        #expect(try stack.fetch(ifNoneMatch: start.etag).secretsIfAny == ["A": "2", "B": "file"])
        #expect(shared.sentTags == ["s1", "s1"], "the failed poll's ETag was not kept")
    }

    /// A result the supervisor did not take (its merge failed, so it still holds the old token)
    /// is offered again even when no layer changed since.
    @Test func aResultNotTakenIsOfferedAgain() throws {
        let shared = WatchFakeSource(
            initial: .success(["A": "1"]), polls: [.success(.secrets(["A": "2"], etag: nil)), .success(.notModified)])
        let app = WatchFakeSource(initial: .success([:]), polls: [.success(.notModified), .success(.notModified)])
        let stack = stack(shared: shared, app: app)
        let start = try stack.fetchWithETag()
        #expect(try stack.fetch(ifNoneMatch: start.etag).secretsIfAny == ["A": "2", "B": "file"])
        #expect(try stack.fetch(ifNoneMatch: start.etag).secretsIfAny == ["A": "2", "B": "file"])
    }

    /// Layers fail as states of their own, so the supervisor logs another layer's failure again.
    @Test func failuresOfDifferentLayersAreDifferentStates() {
        let a = LayerError(layer: "--also a/b", cause: .fetch(.rateLimited(retryAfter: nil))).pollFailure
        let b = LayerError(layer: "my-app/prod", cause: .fetch(.rateLimited(retryAfter: nil))).pollFailure
        let file = LayerError(layer: "--env-file .env", cause: .missingFile).pollFailure
        #expect(Set([a.state, b.state, file.state]).count == 3)
        #expect(
            LayerError(layer: nil, cause: .fetch(.rateLimited(retryAfter: 3))).pollFailure
                == PollFailure(FetchError.rateLimited(retryAfter: 3)))
    }
}

extension FetchResult {
    var secretsIfAny: [String: String]? {
        if case .secrets(let secrets, _) = self { return secrets }
        return nil
    }
    var etagIfAny: String? {
        if case .secrets(_, let etag) = self { return etag }
        return nil
    }
}
