import Foundation
import Testing

@testable import SoupRun

/// `Platform.readFile` hands back at most `limit` bytes, so a caller asking for one byte more than it
/// accepts (the token file) can report "too large" in its own words.
@Suite struct PlatformReadFileTests {
    @Test func aLongerFileComesBackCutAtTheLimit() throws {
        let path = NSTemporaryDirectory() + "soup-run-readfile-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlink(path) }
        let size = 70_000
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x61, count: size)))
        #expect(try Platform.readFile(path, limit: 100).count == 100)
        #expect(try Platform.readFile(path, limit: size).count == size)
        #expect(try Platform.readFile(path, limit: size + 1).count == size)
    }

    @Test func theTokenFileOverItsLimitIsReportedAsTooLarge() throws {
        let path = NSTemporaryDirectory() + "soup-run-bigtoken-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlink(path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x61, count: 70_000)))
        let error = try #require(throws: ConfigurationError.self) {
            try TokenLoader.load(.file(path: path)) { try Platform.readFile($0, limit: TokenLoader.maxFileBytes + 1) }
        }
        #expect(error.description.contains("larger than 64 KiB"))
        #expect(error.exitCode == .configuration)
    }
}
