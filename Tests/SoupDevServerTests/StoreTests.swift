import Foundation
import SoupCore
import SoupHTTP
import Testing

@testable import SoupDevServer

/// A fresh empty directory under the system temporary directory, removed by `cleanup`.
struct TemporaryDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "soup-dev-server-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
    func contents() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? [] }
}

/// Loading, saving and concurrent updates of the state file.
@Suite struct StoreTests {
    @Test func openCreatesAMissingFileWithTheDemoData() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        let (store, created) = try Store.open(path: path)
        #expect(created)
        #expect(store.snapshot == .demo)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(try StateFile.decode(Array(bytes)) == .demo)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let (reopened, createdAgain) = try Store.open(path: path)
        #expect(!createdAgain)
        #expect(reopened.snapshot == .demo)
    }

    @Test func loadWithoutAPathKeepsTheDemoInMemory() throws {
        let (store, usesDemo, removed) = try Store.load(path: nil)
        #expect(removed.isEmpty)
        #expect(usesDemo)
        #expect(store.path == nil)
        #expect(store.snapshot == .demo)
    }

    @Test func openLoadsAnExistingFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        try StateFileTests.issueExample.write(toFile: path, atomically: false, encoding: .utf8)
        let (store, created) = try Store.open(path: path)
        #expect(!created)
        #expect(store.snapshot.tokens["tok_ci"]?.tier == .free)
    }

    @Test func openRefusesAnInvalidFileNamingPathAndPlace() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        try #"{"tokens":{},"projects":{"my-app":{"environments":{"prod":{"parent":"x"}}}}}"#.write(
            toFile: path, atomically: false, encoding: .utf8)
        #expect {
            _ = try Store.open(path: path)
        } throws: { error in
            (error as? StoreError)?.exitCode == .configuration
                && (error as? StoreError)?.description
                    == #"\#(path): projects.my-app.environments.prod.parent: unknown environment "x""#
        }
    }

    @Test func openReportsAnUnreadablePath() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        // A directory cannot be read as a file; a missing parent directory cannot be created in.
        #expect {
            _ = try Store.open(path: dir.path)
        } throws: { error in
            guard case .unreadable(let failure)? = error as? StoreError else { return false }
            return failure.errno == EISDIR && (error as? StoreError)?.exitCode == .configuration
        }
        #expect {
            _ = try Store.open(path: dir.path + "/missing/state.json")
        } throws: { error in
            guard case .cannotCreate(let failure)? = error as? StoreError else { return false }
            return failure.errno == ENOENT && failure.description.hasPrefix("cannot create \(dir.path)/missing/")
                && (error as? StoreError)?.exitCode == .cannotCreate
        }
    }

    @Test func updatesAreOnDiskAndLeaveNoTemporaryFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        let api = SecretsAPI(store: try Store.open(path: path).store)
        #expect(api.send("POST", "\(prefix)/dev/secrets", body: #"{"key":"NEW","value":"fresh"}"#).status == 201)
        #expect(api.send("DELETE", "\(prefix)/prod/secrets/DB_HOST").status == 204)
        let reloaded = try Store.open(path: path).store.snapshot
        #expect(reloaded.projects["my-app"]?.environments["dev"]?.secrets["NEW"] == "fresh")
        #expect(reloaded.projects["my-app"]?.environments["prod"]?.secrets["DB_HOST"] == nil)
        #expect(dir.contents() == ["state.json"])
    }

    @Test func aFailedSaveChangesNothingAndIs500() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let api = SecretsAPI(store: try Store.open(path: dir.path + "/state.json").store)
        dir.cleanup()  // the directory is gone: the temporary file cannot be created
        let response = api.send("POST", "\(prefix)/dev/secrets", body: #"{"key":"NEW","value":"v"}"#)
        expectError(response, 500, "Could not save the state file")
        #expect(api.store.snapshot == .demo)
        expectError(api.send("GET", "\(prefix)/dev/secrets/NEW"), 404, "Secret not found")
    }

    @Test func anUnchangedStateIsNotWrittenAgain() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try Store.open(path: dir.path + "/state.json").store
        dir.cleanup()
        // Setting a value to what it already is succeeds without touching the (now missing) file.
        try store.update { $0.projects["my-app"]?.environments["base"]?.secrets["DB_PORT"] = "5432" }
        #expect(throws: FileError.self) {
            try store.update { $0.projects["my-app"]?.environments["base"]?.secrets["DB_PORT"] = "1" }
        }
    }

    @Test func concurrentWritersLoseNoUpdate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        let api = SecretsAPI(store: try Store.open(path: path).store)
        let writers = 12
        let perWriter = 20
        let statuses = Locked<[Int]>([])
        let done = DispatchGroup()
        // One OS thread per writer, as the HTTP server runs one thread per connection.
        for w in 0..<writers {
            done.enter()
            Thread.detachNewThread {
                for i in 0..<perWriter {
                    let body = #"{"key":"K_\#(w)_\#(i)","value":"v\#(i)"}"#
                    let status = api.send("POST", "\(prefix)/dev/secrets", body: body).status
                    statuses.withLock { $0.append(status) }
                }
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(statuses.withLock { $0 } == Array(repeating: 201, count: writers * perWriter))
        let expected = Set((0..<writers).flatMap { w in (0..<perWriter).map { "K_\(w)_\($0)" } })
        let demoKeys = Set(DevServerState.demo.projects["my-app"]!.environments["dev"]!.secrets.keys)
        let inMemory = Set(api.store.snapshot.projects["my-app"]!.environments["dev"]!.secrets.keys)
        let onDisk = Set(
            try Store.open(path: path).store.snapshot.projects["my-app"]!.environments["dev"]!.secrets.keys)
        #expect(inMemory == expected.union(demoKeys))
        #expect(onDisk == inMemory)
        #expect(dir.contents() == ["state.json"])
    }

    @Test func concurrentWritersOnThreadsInMemory() {
        let api = makeAPI()
        let threads = 16
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<50 {
                _ = api.send("POST", "\(prefix)/base/secrets", body: #"{"key":"T\#(t)_\#(i)","value":"x"}"#)
            }
        }
        let keys = api.store.snapshot.projects["my-app"]!.environments["base"]!.secrets.keys
        #expect(keys.count == 4 + threads * 50)
    }

    @Test func directoryAndBaseNames() {
        #expect(DurableFile.directoryName(of: "state.json") == ".")
        #expect(DurableFile.directoryName(of: "/state.json") == "/")
        #expect(DurableFile.directoryName(of: "a/b/state.json") == "a/b")
        #expect(DurableFile.baseName(of: "a/b/state.json") == "state.json")
    }
}
