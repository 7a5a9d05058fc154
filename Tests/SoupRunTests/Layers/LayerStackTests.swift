import SoupCore
import Testing

@testable import SoupRun

/// Env files in memory: each path's text and stamp; counts reads.
final class FakeEnvFiles: Sendable {
    private let files = Locked<[String: (text: String, stamp: FileStamp)]>([:])
    private let readCount = Locked(0)

    var reads: Int { readCount.withLock { $0 } }

    /// Writes `text` at `path` with a new stamp (as a save would).
    func write(_ path: String, _ text: String) {
        files.withLock { files in
            let generation = Int64(files[path].map { $0.stamp.modifiedSeconds + 1 } ?? 1)
            files[path] = (
                text,
                FileStamp(
                    device: 1, inode: 1, size: Int64(text.utf8.count), modifiedSeconds: generation,
                    modifiedNanoseconds: 0)
            )
        }
    }

    func remove(_ path: String) { files.withLock { $0[path] = nil } }

    var access: EnvFileAccess {
        EnvFileAccess(
            stamp: { path in self.files.withLock { $0[path]?.stamp } },
            read: { path, limit throws(Platform.FileError) in
                self.readCount.withLock { $0 += 1 }
                guard let text = self.files.withLock({ $0[path]?.text }) else {
                    throw Platform.FileError(path: path, reason: "No such file or directory")
                }
                return Array(text.utf8.prefix(limit))
            })
    }
}

/// The layer pipeline with fake API environments and files: precedence, concurrency, errors
/// naming the layer, and polling with each layer's own ETag or file stamp.
@Suite struct LayerStackTests {
    static let logger = Logger(verbosity: .quiet) { _ in }

    static func stack(_ layers: [Layer], files: FakeEnvFiles = FakeEnvFiles(), logger: Logger = logger) -> LayerStack {
        LayerStack(layers: layers, files: files.access, logger: logger, bound: 30)
    }

    static func api(_ name: String, _ source: WatchFakeSource) -> Layer {
        Layer(name: name, source: .api(source))
    }

    @Test func laterLayersWinAndVerboseNamesTheOverriddenKeys() throws {
        let files = FakeEnvFiles()
        files.write(".env", "B=file\nE=file\n")
        let lines = Locked<[String]>([])
        let logger = Logger(verbosity: .verbose) { line in lines.withLock { $0.append(line) } }
        let stack = Self.stack(
            [
                Self.api("--also shared/prod", WatchFakeSource(initial: .success(["A": "shared", "B": "shared"]))),
                Self.api("--also team/prod", WatchFakeSource(initial: .success(["A": "team", "C": "team"]))),
                Self.api("my-app/prod", WatchFakeSource(initial: .success(["C": "app", "D": "app"]))),
                Layer(name: "--env-file .env", source: .envFile(path: ".env", optional: false)),
            ], files: files, logger: logger)
        #expect(
            try stack.load() == ["A": "team", "B": "file", "C": "app", "D": "app", "E": "file"])
        #expect(
            lines.withLock { $0 } == [
                "soup-run: layers: A from --also team/prod (over --also shared/prod)\n",
                "soup-run: layers: B from --env-file .env (over --also shared/prod)\n",
                "soup-run: layers: C from my-app/prod (over --also team/prod)\n",
            ])
    }

    /// Three sources that each wait until all three have started: only a concurrent read
    /// finishes without one of them giving up (each waits at most 10 s).
    @Test func layersAreFetchedConcurrently() throws {
        let started = Locked(0)
        final class Barrier: SecretsSource, @unchecked Sendable {
            let started: Locked<Int>
            let secrets: [String: String]
            init(_ started: Locked<Int>, _ secrets: [String: String]) {
                self.started = started
                self.secrets = secrets
            }
            func fetchWithETag() throws(FetchError) -> (secrets: [String: String], etag: String?) {
                started.update { $0 += 1 }
                guard started.wait(seconds: 10, for: { $0 >= 3 }) else {
                    throw .timedOut(origin: "barrier", seconds: 10)
                }
                return (secrets, nil)
            }
            func fetch(ifNoneMatch etag: String?) throws(FetchError) -> FetchResult { .notModified }
        }
        let stack = Self.stack((0..<3).map { Layer(name: "l\($0)", source: .api(Barrier(started, ["K\($0)": "v"]))) })
        #expect(try stack.load() == ["K0": "v", "K1": "v", "K2": "v"])
    }

    @Test func aFailingLayerFailsTheStartNamingIt() {
        let stack = Self.stack([
            Self.api(
                "--also shared/prod", WatchFakeSource(initial: .failure(.permission(status: 403, serverMessage: nil)))),
            Self.api("my-app/prod", WatchFakeSource(initial: .success(["A": "1"]))),
        ])
        #expect(
            throws: LayerError(layer: "--also shared/prod", cause: .fetch(.permission(status: 403, serverMessage: nil)))
        ) {
            try stack.load()
        }
        let error = LayerError(layer: "--also shared/prod", cause: .fetch(.permission(status: 403, serverMessage: nil)))
        #expect(error.description.hasPrefix("in --also shared/prod: the token has no access"))
        #expect(error.exitCode == .permission)
    }

    @Test func theOnlyLayerFailsWithThePlainMessage() {
        let failure = FetchError.serverError(status: 500, serverMessage: nil, retryAfter: nil)
        let stack = LayerStack.environments(
            configuration: Parse.base(), token: Secret("t"), transport: FetchScriptedTransport([]),
            logger: Self.logger)
        #expect(stack.layers.map(\.name) == ["p/e"])
        #expect(!stack.layers[0].namedInErrors)
        #expect(
            !LayerStack.stacked(
                over: stack, configuration: Parse.base(), files: FakeEnvFiles().access, logger: Self.logger
            ).layers[0].namedInErrors, "the API stack under the files adds no name")
        #expect(
            LayerStack.withEnvFiles(
                over: stack, configuration: Parse.base(), files: FakeEnvFiles().access, logger: Self.logger)
                as? LayerStack === stack, "without env files the API stack is the source")
        #expect(LayerError(layer: nil, cause: .fetch(failure)).description == failure.description)
    }

    @Test func theLayersOfAConfigurationComeInPrecedenceOrder() {
        var configuration = Parse.base()
        configuration.also = [.init(project: "shared", environment: "prod"), .init(project: "a/b", environment: "c")]
        configuration.envFiles = [.init(path: ".env"), .init(path: ".env.local", optional: true)]
        let environments = LayerStack.environments(
            configuration: configuration, token: Secret("t"), transport: FetchScriptedTransport([]),
            logger: Self.logger)
        #expect(environments.layers.map(\.name) == ["--also shared/prod", "--also a%2Fb/c", "p/e"])
        #expect(environments.layers.allSatisfy { $0.namedInErrors })
        // The env files go on top of the API environments, which sit in a stack of their own.
        let stack = LayerStack.stacked(
            over: environments, configuration: configuration, files: FakeEnvFiles().access, logger: Self.logger)
        #expect(
            stack.layers.map(\.name) == [
                LayerStack.apiLayerName, "--env-file .env", "--env-file-optional .env.local",
            ])
        #expect(stack.layers.dropFirst().allSatisfy { $0.namedInErrors })
    }

    @Test func envFilesMissingUnreadableOrMalformed() throws {
        let files = FakeEnvFiles()
        files.write("bad.env", "A=1\nB=\"open\n")
        func load(_ path: String, optional: Bool = false) throws(LayerError) -> [String: String] {
            try Self.stack(
                [Layer(name: "--env-file \(path)", source: .envFile(path: path, optional: optional))], files: files
            ).load()
        }
        #expect(try load("absent.env", optional: true) == [:])
        #expect(throws: LayerError(layer: "--env-file absent.env", cause: .missingFile)) { try load("absent.env") }
        let missing = LayerError(layer: "--env-file absent.env", cause: .missingFile)
        #expect(missing.exitCode == .notFound)
        #expect(
            missing.description
                == "in --env-file absent.env: no such file (--env-file-optional reads a file that may be absent)")
        let syntax = LayerError(
            layer: "--env-file bad.env", cause: .syntax(DotenvError(line: 2, problem: .unterminatedQuote(double: true)))
        )
        #expect(throws: syntax) { try load("bad.env") }
        #expect(syntax.exitCode == .invalidData)
        #expect(syntax.description == "in --env-file bad.env: line 2: the double quote opened here is never closed")
        files.write("big.env", String(repeating: "#", count: EnvFileAccess.maxBytes + 1))
        #expect(throws: LayerError(layer: "--env-file big.env", cause: .fileTooLarge(limit: EnvFileAccess.maxBytes))) {
            try load("big.env")
        }
    }
}
