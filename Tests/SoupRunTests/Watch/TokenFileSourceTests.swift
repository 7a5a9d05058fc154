import Foundation
import SoupCore
import Testing

@testable import SoupRun

/// `--watch` with a token file: a rotated token is picked up at the next poll, or at once after
/// a 401/403; a file that cannot be read keeps the current token.
@Suite("TokenFileSource: rotated token files")
struct TokenFileSourceTests {
    /// A token file whose content and `stat` the test changes.
    final class FakeFile: @unchecked Sendable {
        private let lock = NSLock()
        private var content: String?
        private var stampValue: FileStamp?
        init(_ content: String) {
            self.content = content
            stampValue = Self.stamp(1)
        }
        static func stamp(_ n: Int64) -> FileStamp {
            FileStamp(
                device: 1, inode: UInt64(n), size: 10, modifiedSeconds: n, modifiedNanoseconds: 0, permissions: 0o600)
        }
        func set(_ content: String?, stamp: Int64?) {
            lock.withLock {
                self.content = content
                stampValue = stamp.map(Self.stamp)
            }
        }
        var read: @Sendable (String) throws -> [UInt8] {
            { [self] path in
                guard let text = lock.withLock({ content }) else {
                    throw Platform.FileError(path: path, reason: "No such file or directory")
                }
                return Array(text.utf8)
            }
        }
        var stat: @Sendable (String) -> FileStamp? { { [self] _ in lock.withLock { stampValue } } }
    }

    static func source(_ file: FakeFile, _ transport: FetchScriptedTransport, log: FetchLogBuffer) -> TokenFileSource<
        SecretsClient
    > {
        let logger = log.logger()
        return TokenFileSource(
            path: "/run/secrets/token", token: Secret("old-token"), stamp: FakeFile.stamp(1),
            makeClient: { token in
                SecretsClient(
                    configuration: FetchFixtures.configuration(), token: token, transport: transport, logger: logger,
                    sleep: { _ in })
            },
            readFile: file.read, fileStamp: file.stat, logger: logger)
    }

    static func tokens(_ transport: FetchScriptedTransport) -> [String?] {
        transport.requests.map { $0.headers["Authorization"] }
    }

    @Test func aChangedFileIsReadAtTheNextPoll() throws {
        let file = FakeFile("old-token\n")
        let transport = FetchScriptedTransport([FetchFixtures.ok(["A": "1"]), FetchFixtures.ok(["A": "2"])])
        let log = FetchLogBuffer()
        let source = Self.source(file, transport, log: log)
        _ = try source.fetch(ifNoneMatch: nil)
        file.set("new-token\n", stamp: 2)
        _ = try source.fetch(ifNoneMatch: nil)
        #expect(Self.tokens(transport) == ["Bearer old-token", "Bearer new-token"])
        #expect(log.text.contains("the token file /run/secrets/token holds a new token"))
        #expect(!log.text.contains("new-token"))
    }

    @Test(arguments: [401, 403])
    func aRejectedTokenRereadsTheFileAndRetriesOnceWithTheNewToken(status: Int) throws {
        let file = FakeFile("old-token")
        let transport = FetchScriptedTransport([FetchFixtures.status(status), FetchFixtures.ok(["A": "1"])])
        let source = Self.source(file, transport, log: FetchLogBuffer())
        file.set("new-token", stamp: 1)  // same stat (a coarse clock): only the 401/403 reveals it
        let result = try source.fetch(ifNoneMatch: nil)
        #expect(result == .secrets(["A": "1"], etag: nil))
        #expect(Self.tokens(transport) == ["Bearer old-token", "Bearer new-token"])
    }

    @Test func aRejectedTokenWithAnUnchangedFileIsTheError() {
        let file = FakeFile("old-token")
        let transport = FetchScriptedTransport([FetchFixtures.status(401)])
        let source = Self.source(file, transport, log: FetchLogBuffer())
        #expect(throws: FetchError.permission(status: 401, serverMessage: nil)) { try source.fetch(ifNoneMatch: nil) }
        #expect(transport.requests.count == 1, "no retry with the same token")
    }

    @Test func aFileThatCannotBeReadKeepsTheCurrentTokenAndWarnsOnce() throws {
        let file = FakeFile("old-token")
        let transport = FetchScriptedTransport([], fallback: FetchFixtures.ok(["A": "1"]))
        let log = FetchLogBuffer()
        let source = Self.source(file, transport, log: log)
        file.set(nil, stamp: nil)  // removed during a rotation
        _ = try source.fetch(ifNoneMatch: nil)
        _ = try source.fetch(ifNoneMatch: nil)
        file.set("\n", stamp: 3)  // empty
        _ = try source.fetch(ifNoneMatch: nil)
        #expect(Self.tokens(transport) == ["Bearer old-token", "Bearer old-token", "Bearer old-token"])
        #expect(watchCount("cannot read the token file /run/secrets/token", in: log.text) == 1)
        #expect(watchCount("the token file /run/secrets/token is empty; keeping the current token", in: log.text) == 1)
    }

    @Test func groupOrOtherReadableTokenFilesAreWarnedAbout() {
        #expect(TokenLoader.permissionWarning(path: "/t", permissions: 0o600) == nil)
        #expect(TokenLoader.permissionWarning(path: "/t", permissions: 0o400) == nil)
        #expect(TokenLoader.permissionWarning(path: "/t", permissions: 0o640)?.contains("mode 0640") == true)
        #expect(TokenLoader.permissionWarning(path: "/t", permissions: 0o604)?.contains("the token file /t is") == true)
    }

    #if os(Linux)
        @Test func aFifoIsRefusedAtOnceNotReadForever() throws {
            let dir = NSTemporaryDirectory() + "/soup-fifo-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            #expect(mkfifo(dir, 0o600) == 0)
            defer { unlink(dir) }
            #expect(throws: Platform.FileError(path: dir, reason: "it is a FIFO, not a regular file")) {
                try Platform.readFile(dir)
            }
        }
    #endif

    func watchCount(_ marker: String, in text: String) -> Int { text.components(separatedBy: marker).count - 1 }
}
