import SoupCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@testable import SoupRun

/// The copy's life through `FallbackSource`, with an in-memory file and a scripted API: when it
/// is written, used, refused and deleted, and what is said about it.
@Suite struct FallbackSourceTests {
    static let path = "/var/cache/soup/copy"
    static let token = Secret("fb-token-31d7")
    static let secrets = ["A": "value-a-1c2", "B": "value-b-9e8"]
    static let down = FetchError.gaveUp(
        attempts: 4, last: .network(origin: "http://127.0.0.1:9", message: "Couldn't connect to server"))

    /// One scenario: the file, the clock, the API, the log.
    final class World: @unchecked Sendable {
        var file: [UInt8]? = nil
        var writes = 0
        var removals = 0
        var staleSweeps = 0
        var failWrites: Int32? = nil
        var now = 1_796_040_000.0
        var log: [String] = []
        let api: WatchFakeSource

        init(initial: Result<[String: String], FetchError>, polls: [Result<FetchResult, FetchError>] = []) {
            api = WatchFakeSource(initial: initial, initialETag: "\"e1\"", polls: polls)
        }

        var files: FallbackFiles {
            FallbackFiles(
                read: { _ in self.file },
                replace: { path, bytes throws(FileError) in
                    if let code = self.failWrites { throw FileError(operation: "create", path: path, errno: code) }
                    self.file = bytes
                    self.writes += 1
                },
                remove: { _ in
                    defer { self.file = nil }
                    if self.file != nil { self.removals += 1 }
                    return self.file != nil
                },
                removeStale: { _ in
                    self.staleSweeps += 1
                    return ["/var/cache/soup/.copy.tmp-77-1"]
                })
        }

        func source(
            _ change: (inout Configuration.Fallback) -> Void = { _ in }, verbosity: Configuration.Verbosity = .normal
        ) -> FallbackSource<WatchFakeSource> {
            var settings = Configuration.Fallback(path: FallbackSourceTests.path)
            change(&settings)
            let store = FallbackStore(
                settings: settings,
                binding: FallbackBinding(
                    apiURL: "http://127.0.0.1:9/api/v1", project: "p", environment: "e", resolve: true),
                token: FallbackSourceTests.token, files: files, clock: { self.now })
            return FallbackSource(
                upstream: api, store: store, logger: Logger(verbosity: verbosity) { self.log.append($0) })
        }

        /// Leaves a copy of `secrets` written at `now`.
        func seed(_ secrets: [String: String] = FallbackSourceTests.secrets) {
            let api = WatchFakeSource(initial: .success(secrets))
            let store = FallbackStore(
                settings: .init(path: FallbackSourceTests.path),
                binding: FallbackBinding(
                    apiURL: "http://127.0.0.1:9/api/v1", project: "p", environment: "e", resolve: true),
                token: FallbackSourceTests.token, files: files, clock: { self.now })
            _ = try? FallbackSource(upstream: api, store: store, logger: Logger(verbosity: .quiet) { _ in })
                .fetchWithETag()
            writes = 0
        }

        var text: String { log.joined() }
    }

    @Test func aSuccessfulFetchIsKeptAndAnUnchangedOneWritesNothing() throws {
        let world = World(initial: .success(Self.secrets))
        let first = try world.source().fetchWithETag()
        #expect(first.secrets == Self.secrets && first.etag == "\"e1\"")
        #expect(world.writes == 1 && world.file != nil)
        _ = try world.source().fetchWithETag()
        #expect(world.writes == 1, "unchanged data: no write")
        world.now += 3600
        _ = try world.source().fetchWithETag()
        #expect(world.writes == 2, "unchanged but an hour old: refreshed")
        world.api.initial = .success(["A": "changed"])
        _ = try world.source().fetchWithETag()
        #expect(world.writes == 3)
        #expect(world.log.isEmpty, "nothing said at normal verbosity: \(world.text)")
    }

    @Test(arguments: [
        down, .serverError(status: 503, serverMessage: "maintenance", retryAfter: nil), .rateLimited(retryAfter: 2),
        .timedOut(origin: "http://127.0.0.1:9", seconds: 10), .invalidData("the body is not valid JSON"),
    ])
    func anUnavailableAPIStartsFromTheCopyWithOneWarning(error: FetchError) throws {
        let world = World(initial: .failure(error))
        world.seed()
        world.now += 3 * 3600 + 59
        let started = try world.source().fetchWithETag()
        #expect(started.secrets == Self.secrets && started.etag == nil)
        #expect(world.log.count == 1)
        #expect(
            world.text == "soup-run: warning: using the fallback copy from 2026-11-30 12:00:00 UTC (3 h old): "
                + "API unavailable (\(error))\n")
        #expect(!Self.secrets.values.contains { world.text.contains($0) })
        #expect(world.writes == 0)
    }

    @Test func aCopyOlderThanTheMaximumAgeIsRefusedWithTheOriginalCode() throws {
        let world = World(initial: .failure(Self.down))
        world.seed()
        world.now += 73 * 3600
        let error = try #require(throws: FetchError.self) { try world.source { $0.maxAge = 72 * 3600 }.fetchWithETag() }
        #expect(error.exitCode == .unavailable)
        #expect(error.description.hasPrefix(Self.down.description + "; the fallback copy \(Self.path) cannot be used"))
        #expect(error.description.hasSuffix("it is 3 d 1 h old, older than --fallback-max-age (3 d)"))
        #expect(try world.source { $0.maxAge = 73 * 3600 }.fetchWithETag().secrets == Self.secrets)
    }

    @Test func unusableCopiesGiveAReasonAndTheOriginalCode() throws {
        let world = World(initial: .failure(.invalidData("x")))
        let missing = try #require(throws: FetchError.self) { try world.source().fetchWithETag() }
        #expect(missing.exitCode == .invalidData)
        #expect(missing.description.contains("there is none yet"))
        world.seed()
        world.file![50] ^= 1
        let tampered = try #require(throws: FetchError.self) { try world.source().fetchWithETag() }
        #expect(tampered.description.contains("does not open with this token"))
        world.file = Array(world.file!.prefix(20))
        let torn = try #require(throws: FetchError.self) { try world.source().fetchWithETag() }
        #expect(torn.description.hasSuffix("cannot be used: it is truncated"))
        #expect(world.log.isEmpty)
    }

    @Test(arguments: [
        FetchError.permission(status: 401, serverMessage: nil), .permission(status: 403, serverMessage: nil),
        .notFound(serverMessage: nil, project: "p", environment: "e"),
    ])
    func aRefusalDeletesTheCopyAndKeepsItsExitCode(error: FetchError) throws {
        let world = World(initial: .failure(error))
        world.seed()
        #expect(throws: error) { try world.source().fetchWithETag() }
        #expect(world.file == nil && world.removals == 1)
        #expect(
            world.text.contains("warning: deleted the fallback copy \(Self.path): the API refused this request (HTTP "))
        // --fallback-readonly: the copy stays.
        world.seed()
        #expect(throws: error) { try world.source { $0.readOnly = true }.fetchWithETag() }
        #expect(world.file != nil && world.removals == 1)
    }

    @Test func otherFailuresLeaveTheCopyAlone() throws {
        let world = World(initial: .failure(.rejected(status: 400, serverMessage: nil)))
        world.seed()
        #expect(throws: FetchError.rejected(status: 400, serverMessage: nil)) { try world.source().fetchWithETag() }
        #expect(world.file != nil && world.removals == 0 && world.log.isEmpty)
    }

    @Test func readOnlyNeverWrites() throws {
        let world = World(initial: .success(Self.secrets))
        _ = try world.source { $0.readOnly = true }.fetchWithETag()
        #expect(world.file == nil && world.writes == 0)
    }

    @Test func aFailingWriteIsOneWarningAndTheSecretsStillCome() throws {
        let world = World(initial: .success(Self.secrets))
        world.failWrites = EROFS
        let source = world.source()
        #expect(try source.fetchWithETag().secrets == Self.secrets)
        world.api.initial = .success(["A": "other"])
        #expect(try source.fetchWithETag().secrets == ["A": "other"])
        #expect(world.log.count == 1, "\(world.text)")
        #expect(world.text.hasPrefix("soup-run: warning: cannot write the fallback copy \(Self.path) (cannot create "))
        #expect(world.text.contains("Read-only file system"))
    }

    @Test func offlineNeverAsksTheAPI() throws {
        let world = World(initial: .success(["A": "from the API"]))
        world.seed()
        world.api.initial = .failure(.invalidToken("must not be called"))
        let started = try world.source { $0.offline = true }.fetchWithETag()
        #expect(started.secrets == Self.secrets)
        #expect(world.text.hasSuffix("(0 s old): --offline\n"))
        world.file = nil
        let error = try #require(throws: FetchError.self) { try world.source { $0.offline = true }.fetchWithETag() }
        #expect(error.exitCode == .unavailable)
        #expect(error.description.hasPrefix("--offline: the fallback copy \(Self.path) cannot be used: there is none"))
    }

    @Test func watchPollsKeepChangesAndARefusalDeletes() throws {
        let world = World(
            initial: .success(Self.secrets),
            polls: [
                .success(.notModified), .success(.secrets(["A": "new"], etag: "\"e2\"")),
                .success(.secrets(["A": "new"], etag: "\"e2\"")),
                .failure(.serverError(status: 500, serverMessage: nil, retryAfter: nil)),
                .failure(.permission(status: 401, serverMessage: nil)),
                .failure(.permission(status: 401, serverMessage: nil)),
            ])
        let source = world.source(verbosity: .verbose)
        _ = try source.fetchWithETag()
        #expect(world.writes == 1)
        #expect(try source.fetch(ifNoneMatch: "\"e1\"") == .notModified)
        #expect(world.writes == 1)
        _ = try source.fetch(ifNoneMatch: "\"e1\"")
        #expect(world.writes == 2, "a changed poll is written")
        _ = try source.fetch(ifNoneMatch: nil)
        #expect(world.writes == 2, "an equal answer is not")
        #expect(throws: FetchError.self) { try source.fetch(ifNoneMatch: "\"e2\"") }
        #expect(world.file != nil, "a 500 during watch leaves the copy")
        #expect(throws: FetchError.self) { try source.fetch(ifNoneMatch: "\"e2\"") }
        #expect(world.file == nil && world.removals == 1)
        #expect(throws: FetchError.self) { try source.fetch(ifNoneMatch: "\"e2\"") }
        #expect(world.text.components(separatedBy: "deleted the fallback copy").count == 2, "said once")
    }

    @Test func aThreeOhFourRefreshesAnOldCopyWithTheLastAnswer() throws {
        let world = World(initial: .success(Self.secrets), polls: [.success(.notModified), .success(.notModified)])
        let source = world.source()
        _ = try source.fetchWithETag()
        _ = try source.fetch(ifNoneMatch: "\"e1\"")
        #expect(world.writes == 1)
        world.now += 3600
        _ = try source.fetch(ifNoneMatch: "\"e1\"")
        #expect(world.writes == 2)
        world.now += 1
        #expect(try world.source { $0.maxAge = 2 }.fetchWithETag().secrets == Self.secrets)
    }

    @Test func aRotatedTokenReSealsTheCopyEvenWhenTheSecretsAreUnchanged() throws {
        let world = World(initial: .success(Self.secrets), polls: [.success(.notModified), .success(.notModified)])
        let source = world.source()
        _ = try source.fetchWithETag()
        #expect(world.writes == 1)
        let rotated = Secret("fb-token-rotated-88a0")
        world.api.rotatedToken = rotated
        _ = try source.fetch(ifNoneMatch: "\"e1\"")
        #expect(world.writes == 2, "the copy is sealed with the start-up token: re-sealed with the new one")
        let file = try #require(world.file)
        let binding = FallbackBinding(
            apiURL: "http://127.0.0.1:9/api/v1", project: "p", environment: "e", resolve: true)
        #expect(try FallbackEnvelope.open(file, binding: binding, token: rotated).secrets == Self.secrets)
        #expect(throws: FallbackEnvelope.OpenError.rejected) {
            try FallbackEnvelope.open(file, binding: binding, token: Self.token)
        }
        _ = try source.fetch(ifNoneMatch: "\"e1\"")
        #expect(world.writes == 2, "sealed with the current token: nothing to do")
    }

    @Test func aWriteSweepsStaleTemporariesAndAnUnchangedStartDoesNot() throws {
        let world = World(initial: .success(Self.secrets))
        _ = try world.source(verbosity: .verbose).fetchWithETag()
        #expect(world.writes == 1 && world.staleSweeps == 1)
        #expect(world.text.contains("removed /var/cache/soup/.copy.tmp-77-1, left by an interrupted write"))
        _ = try world.source().fetchWithETag()
        #expect(world.writes == 1 && world.staleSweeps == 1, "no write, no directory listing")
    }

    @Test func aCopyThatOpensButHoldsOtherSecretsIsReplaced() throws {
        let world = World(initial: .success(Self.secrets))
        world.seed(["A": "older"])
        #expect(world.writes == 0)
        #expect(try world.source().fetchWithETag().secrets == Self.secrets)
        #expect(world.writes == 1, "the copy's bytes differ from the answer's encoding: written")
        _ = try world.source().fetchWithETag()
        #expect(world.writes == 1)
    }
}
