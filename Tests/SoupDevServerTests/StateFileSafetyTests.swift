import Foundation
import SoupCore
import Testing

@testable import SoupDevServer

/// The state file under a second server, a killed one, a symbolic link and a chosen mode/owner.
@Suite struct StateFileSafetyTests {
    let post = #"{"key":"NEW","value":"fresh"}"#

    @Test func aSecondLoadOfTheSameFileIsRefusedNamingTheHolder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        var first: Store? = try Store.load(path: path).store
        #expect(first != nil)
        #expect(throws: StoreError.locked(statePath: path, lockPath: dir.path + "/.state.json.lock", holder: getpid()))
        {
            _ = try Store.load(path: path)
        }
        let error = StoreError.locked(statePath: path, lockPath: dir.path + "/.state.json.lock", holder: getpid())
        #expect(error.exitCode == .cannotCreate)
        #expect(error.description.contains("\(path) is in use by process \(getpid())"))
        first = nil
        #expect(throws: Never.self) { _ = try Store.load(path: path) }
    }

    @Test func aLinkToTheSameFileIsTheSameLock() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/link.json", withDestinationPath: "state.json")
        let first = try Store.load(path: path).store
        #expect(throws: StoreError.self) { _ = try Store.load(path: dir.path + "/link.json") }
        _ = first
    }

    @Test func staleTemporariesOfTheStateFileAreRemovedAtLoad() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        _ = try Store.open(path: path)
        let stale = dir.path + "/.state.json.tmp-4242-1"
        let other = dir.path + "/.other.json.tmp-4242-1"
        for file in [stale, other] { #expect(FileManager.default.createFile(atPath: file, contents: Data("{}".utf8))) }
        let (_, _, removed) = try Store.load(path: path)
        #expect(removed == [stale])
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: other), "another file's temporaries are not ours")
    }

    @Test func withAnAgeOnlyTemporariesOlderThanItAreRemoved() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/copy"
        let old = dir.path + "/.copy.tmp-4242-1"
        let young = dir.path + "/.copy.tmp-4243-1"
        for file in [old, young] { #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8))) }
        // Modified 11 minutes ago: as a write killed half-way long before.
        var times = [timespec(tv_sec: time(nil) - 660, tv_nsec: 0), timespec(tv_sec: time(nil) - 660, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, old, &times, 0) == 0)
        #expect(try DurableFile.removeStaleTemporaries(of: path, olderThan: 600) == [old])
        #expect(dir.contents() == [".copy.tmp-4243-1"], "a young one may be another writer's, in flight")
    }

    @Test func aSymbolicLinkIsWrittenThroughAndStaysALink() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try FileManager.default.createDirectory(atPath: dir.path + "/real", withIntermediateDirectories: false)
        let target = dir.path + "/real/state.json"
        let link = dir.path + "/state.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real/state.json")
        let api = SecretsAPI(store: try Store.load(path: link).store)
        #expect(api.send("POST", "\(prefix)/dev/secrets", body: post).status == 201)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real/state.json")
        let saved = try StateFile.decode(Array(try #require(FileManager.default.contents(atPath: target))))
        #expect(saved.projects["my-app"]?.environments["dev"]?.secrets["NEW"] == "fresh")
        #expect(dir.contents().sorted() == ["real", "state.json"])
    }

    @Test func aWriteKeepsTheFilesMode() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        let api = SecretsAPI(store: try Store.load(path: path).store)
        #expect(try mode(path) == 0o600, "created 0600")
        #expect(chmod(path, 0o640) == 0)
        #expect(api.send("POST", "\(prefix)/dev/secrets", body: post).status == 201)
        #expect(try mode(path) == 0o640)
    }

    @Test(.enabled(if: geteuid() == 0, "only root can give a file another owner"))
    func aWriteKeepsTheFilesOwner() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        let api = SecretsAPI(store: try Store.load(path: path).store)
        #expect(chown(path, 4321, 4322) == 0)
        #expect(api.send("POST", "\(prefix)/dev/secrets", body: post).status == 201)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_uid == 4321 && info.st_gid == 4322)
    }

    @Test func aLinkLoopIsAnErrorNamingThePath() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "state.json")
        #expect(throws: FileError(operation: "follow links of", path: path, errno: ELOOP)) {
            try DurableFile.replaceKeeping(path, with: [])
        }
    }

    private func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }
}

/// What no consumer can use is refused at POST.
@Suite struct UnusableValueTests {
    let api = makeAPI()

    func postValue(_ key: String, _ value: String) -> HTTPResponseSummary {
        let body = JSONValue.object(["key": .string(key), "value": .string(value)]).encoded()
        let response = api.send("POST", "\(prefix)/dev/secrets", body: body)
        return HTTPResponseSummary(status: response.status, error: response.json?["error"]?.stringValue)
    }

    struct HTTPResponseSummary: Equatable {
        var status: Int
        var error: String?
    }

    @Test func aValueWithNULIs400NamingTheRule() {
        let answer = postValue("WITH_NUL", "a\u{0}b")
        #expect(answer.status == 400)
        #expect(answer.error?.contains("must not contain NUL") == true)
        #expect(answer.error?.contains("a\u{0}b") == false)
        #expect(api.store.snapshot.projects["my-app"]?.environments["dev"]?.secrets["WITH_NUL"] == nil)
    }

    @Test func aVariableOverTheKernelsLimitIs413() {
        // BIG=<value> plus its NUL: exactly 128 KiB is accepted, one byte more is not.
        let fits = String(repeating: "v", count: 128 * 1024 - "BIG=".count - 1)
        #expect(postValue("BIG", fits).status == 201)
        let answer = postValue("BIG", fits + "v")
        #expect(answer.status == 413)
        #expect(answer.error?.contains("131072 bytes (128 KiB, MAX_ARG_STRLEN)") == true)
        #expect(api.store.snapshot.projects["my-app"]?.environments["dev"]?.secrets["BIG"]?.count == fits.count)
    }
}
