import SoupCore
import Testing

@testable import SoupRun

/// The API environments in a stack of their own under the env files (as soup-run builds it, so
/// `--fallback` wraps only what the API returned): `-v` still names every layer, says when it
/// cannot (after the copy), and under `--watch` lists the overridden keys again when a change
/// changes them.
@Suite struct NestedLayerStackTests {
    let files = FakeEnvFiles()
    let lines = Locked<[String]>([])

    var logger: Logger { Logger(verbosity: .verbose) { line in lines.withLock { $0.append(line) } } }

    /// The layers' lines `-v` printed so far.
    var reported: [String] { lines.withLock { $0 }.filter { $0.hasPrefix("soup-run: layers: ") } }

    func environments(_ layers: [(String, WatchFakeSource)]) -> LayerStack {
        LayerStack(
            layers: layers.map { LayerStackTests.api($0.0, $0.1) }, files: files.access, logger: logger, bound: 30,
            reportsOverrides: false)
    }

    func outer(over api: any SecretsSource<LayerError>) -> LayerStack {
        var configuration = Parse.base()
        configuration.envFiles = [.init(path: ".env")]
        return LayerStack.stacked(over: api, configuration: configuration, files: files.access, logger: logger)
    }

    @Test func theEnvironmentsUnderTheFilesAreNamedOneByOne() throws {
        files.write(".env", "B=file\n")
        let api = environments([
            ("--also shared/prod", WatchFakeSource(initial: .success(["A": "shared", "B": "shared"]))),
            ("my-app/prod", WatchFakeSource(initial: .success(["A": "app"]))),
        ])
        let stack = outer(over: api)
        #expect(try stack.load() == ["A": "app", "B": "file"])
        #expect(
            reported == [
                "soup-run: layers: A from my-app/prod (over --also shared/prod)\n",
                "soup-run: layers: B from --env-file .env (over --also shared/prod)\n",
            ], "listed once, by the outer stack")
        #expect(stack.layerParts()?.map(\.name) == ["--also shared/prod", "my-app/prod", "--env-file .env"])
    }

    /// A source that gives secrets but no layers, as the fallback copy does.
    struct CopyLike: SecretsSource {
        let secrets: [String: String]
        func fetchWithETag() throws(LayerError) -> (secrets: [String: String], etag: String?) { (secrets, nil) }
        func fetch(ifNoneMatch etag: String?) throws(LayerError) -> FetchResult { .notModified }
    }

    @Test func afterTheFallbackCopyTheEnvironmentsAreNamedTogether() throws {
        files.write(".env", "A=file\n")
        let stack = outer(over: CopyLike(secrets: ["A": "copy", "C": "copy"]))
        #expect(try stack.load() == ["A": "file", "C": "copy"])
        #expect(reported == ["soup-run: layers: A from --env-file .env (over the fallback copy)\n"])
    }

    /// Polls: a change that keeps the list prints nothing; one that changes the command's
    /// secrets and the list prints the new list; a layer change that leaves the secrets as they
    /// were prints nothing (no restart); the list emptied says so.
    @Test func underWatchTheListIsPrintedAgainWhenAChangeChangesIt() throws {
        files.write(".env", "B=file\n")
        let shared = WatchFakeSource(
            initial: .success(["A": "shared"]), initialETag: "s1",
            polls: [
                .success(.notModified), .success(.secrets(["A": "shared", "B": "shared"], etag: "s2")),
                .success(.notModified), .success(.notModified),
            ])
        let app = WatchFakeSource(
            initial: .success(["A": "app"]), initialETag: "a1",
            polls: [
                .success(.secrets(["A": "app-2"], etag: "a2")), .success(.notModified),
                .success(.secrets([:], etag: "a3")), .success(.notModified),
            ])
        let stack = outer(over: environments([("--also shared/prod", shared), ("my-app/prod", app)]))
        var etag = try stack.fetchWithETag().etag
        #expect(reported == ["soup-run: layers: A from my-app/prod (over --also shared/prod)\n"])

        func poll() throws -> [String: String]? {
            let result = try stack.fetch(ifNoneMatch: etag)
            etag = result.etagIfAny ?? etag
            return result.secretsIfAny
        }
        // A's value changes, still from my-app/prod: the list is the same.
        #expect(try poll() == ["A": "app-2", "B": "file"])
        #expect(reported.count == 1)
        // shared/prod now sets B too, under the file: the secrets are the same, nothing printed.
        #expect(try poll() == ["A": "app-2", "B": "file"])
        #expect(reported.count == 1)
        // my-app/prod drops A: A comes from shared/prod alone now, B is overridden.
        #expect(try poll() == ["A": "shared", "B": "file"])
        #expect(
            Array(reported.dropFirst()) == [
                "soup-run: layers: now B from --env-file .env (over --also shared/prod)\n"
            ])
        // The file no longer sets B: no key is set twice.
        files.write(".env", "# empty\n")
        #expect(try poll() == ["A": "shared", "B": "shared"])
        #expect(reported.last == "soup-run: layers: no key is set by more than one layer now\n")
        #expect(!lines.withLock { $0 }.joined().contains("app-2"), "names only, never a value")
    }
}
