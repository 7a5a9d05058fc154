#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Testing

@testable import SoupRun

/// How soup-run reads its own process: argv recorded before main, the environment from a table of
/// `NAME=value` C strings. Tests build their own tables: changing the real environment would race
/// with other suites reading it.
@Suite struct PlatformEnvironmentTests {
    /// Calls `body` with a NULL-terminated table of C strings holding `entries`' bytes.
    static func withTable<R>(_ entries: [[UInt8]], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R)
        -> R
    {
        let copies = entries.map { bytes -> UnsafeMutablePointer<CChar>? in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (i, b) in bytes.enumerated() { p[i] = CChar(bitPattern: b) }
            p[bytes.count] = 0
            return p
        }
        defer { copies.forEach { $0?.deallocate() } }
        var table = copies + [nil]
        return table.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    static func parse(_ entries: [String]) -> [String: String] {
        withTable(entries.map { Array($0.utf8) }) { Platform.environment(table: $0) }
    }

    @Test func splitsAtTheFirstEqualsSign() {
        #expect(
            Self.parse(["A=1", "URL=postgres://u@h/db?x=1&y=2", "EMPTY=", "EQ==="]) == [
                "A": "1", "URL": "postgres://u@h/db?x=1&y=2", "EMPTY": "", "EQ": "==",
            ])
    }

    /// "=" followed by a combining mark is one Character; the split is on the byte.
    @Test func anEqualsSignBeforeACombiningMarkStillSplits() {
        #expect(Self.parse(["MARK=\u{301}x", "NAME\u{301}=v"]) == ["MARK": "\u{301}x", "NAME\u{301}": "v"])
    }

    @Test func theFirstOfTwoEntriesWithOneNameWinsAsWithGetenv() {
        #expect(Self.parse(["DUP=first", "OTHER=x", "DUP=second"]) == ["DUP": "first", "OTHER": "x"])
    }

    @Test func entriesWithoutAnEqualsSignAreSkipped() {
        #expect(Self.parse(["NOEQUALS", "", "K=v"]) == ["K": "v"])
    }

    @Test func anEmptyTableIsAnEmptyEnvironment() {
        #expect(Self.withTable([]) { Platform.environment(table: $0) }.isEmpty)
    }

    /// As `String(cString:)` does: invalid UTF-8 becomes U+FFFD rather than being dropped.
    @Test func invalidUTF8IsRepaired() {
        let environment = Self.withTable([Array("BAD=".utf8) + [0xFE, 0x41]]) { Platform.environment(table: $0) }
        #expect(environment == ["BAD": "\u{FFFD}A"])
    }

    /// Only entries that do not decode are kept raw, under the name `environment` gives them, and
    /// only the first entry of a name (the one `environment` keeps).
    @Test func undecodableEntriesKeepTheirBytes() {
        let latin1 = Array("LATIN1=caf".utf8) + [0xE9]
        let badName = [0x4E, 0xFF] + Array("=v".utf8)
        let entries = [Array("OK=é".utf8), latin1, badName, Array("DUP=first".utf8), Array("DUP=".utf8) + [0xFE]]
        let raw = Self.withTable(entries) { Platform.undecodableEnvironment(table: $0) }
        #expect(
            raw == [
                "LATIN1": RawEnvironmentEntry(value: "caf\u{FFFD}", bytes: latin1),
                "N\u{FFFD}": RawEnvironmentEntry(value: "v", bytes: badName),
            ])
        #expect(Self.withTable(entries) { Platform.environment(table: $0) }["LATIN1"] == "caf\u{FFFD}")
    }

    @Test func theProcessEnvironmentIsRead() {
        let environment = Platform.environment()
        #expect(!environment.isEmpty)
        if let path = getenv("PATH") { #expect(environment["PATH"] == String(cString: path)) }
    }

    #if os(Linux) && canImport(Glibc)
        /// soup_argv.c's replacement for the runtime's argv lookup (linked in instead of the runtime's
        /// in the static release binary) returns the process's real argv.
        @Test func theRecordedArgvIsThisProcesssArgv() {
            var count: Int32 = -1
            let argv = soupRecordedArgv(&count)
            let recorded = (0..<Int(count)).map { argv[$0].map { String(cString: $0) } }
            #expect(count == CommandLine.argc)
            #expect(recorded == CommandLine.arguments.map { Optional($0) })
            #expect(argv[Int(count)] == nil)
        }
    #endif
}

#if os(Linux) && canImport(Glibc)
    @_silgen_name("_swift_stdlib_getUnsafeArgvArgc")
    private func soupRecordedArgv(_ count: UnsafeMutablePointer<Int32>) -> UnsafeMutablePointer<
        UnsafeMutablePointer<CChar>?
    >
#endif
