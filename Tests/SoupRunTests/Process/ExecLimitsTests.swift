import Testing
@testable import SoupRun

@Suite("ExecLimits")
struct ExecLimitsTests {
    static let page = 4096
    /// A `KEY=value` string of exactly `bytes` bytes including its NUL.
    static func value(forKey key: String, totalBytes bytes: Int) -> String {
        String(repeating: "v", count: bytes - key.utf8.count - 2)
    }

    @Test func smallCommandFits() {
        #expect(
            ExecLimits.check(argv: ["node", "server.js"], environment: ["A": "1"], argMax: 131072, pageSize: 4096)
                == nil)
    }

    @Test func oneStringAtExactly32PagesFitsOneByteMoreDoesNot() {
        let limit = 32 * Self.page
        let exact = ["BIG": Self.value(forKey: "BIG", totalBytes: limit)]
        #expect(ExecLimits.check(argv: ["x"], environment: exact, argMax: 6 << 20, pageSize: Self.page) == nil)
        let over = ["BIG": Self.value(forKey: "BIG", totalBytes: limit + 1)]
        #expect(
            ExecLimits.check(argv: ["x"], environment: over, argMax: 6 << 20, pageSize: Self.page)
                == .variableTooLong([.init(name: "BIG", bytes: limit + 1)], limit: limit))
    }

    @Test func perStringLimitFollowsThePageSize() {
        let env = ["BIG": Self.value(forKey: "BIG", totalBytes: 200_000)]
        #expect(ExecLimits.check(argv: ["x"], environment: env, argMax: 6 << 20, pageSize: 4096) != nil)
        #expect(ExecLimits.check(argv: ["x"], environment: env, argMax: 6 << 20, pageSize: 16384) == nil)
        #expect(ExecLimits.check(argv: ["x"], environment: env, argMax: 6 << 20, pageSize: nil) == nil)
    }

    @Test func everyOversizedVariableIsNamedLargestFirst() {
        let env = [
            "B": Self.value(forKey: "B", totalBytes: 140_000),
            "A": Self.value(forKey: "A", totalBytes: 150_000),
            "OK": "small",
        ]
        #expect(
            ExecLimits.check(argv: ["x"], environment: env, argMax: 6 << 20, pageSize: 4096)
                == .variableTooLong(
                    [.init(name: "A", bytes: 150_000), .init(name: "B", bytes: 140_000)], limit: 131072))
    }

    @Test func oversizedArgumentIsNamedByIndex() {
        let arg = String(repeating: "a", count: 131072)
        #expect(
            ExecLimits.check(argv: ["echo", "hi", arg], environment: [:], argMax: 6 << 20, pageSize: 4096)
                == .argumentTooLong(index: 2, bytes: 131073, limit: 131072))
    }

    /// strings (path, argv, env with NULs) + pointers (argc + envc) against ARG_MAX, to the byte.
    @Test func totalCountsStringsAndPointersExactly() {
        let argv = ["ab", "c"]  // 3 + 2
        let env = ["K": "vv", "LONG": "xyz"]  // "K=vv\0" 5 + "LONG=xyz\0" 9
        let path = "/bin/ab"  // 8
        let total = 3 + 2 + 5 + 9 + 8 + (2 + 2) * 8
        #expect(
            ExecLimits.check(path: path, argv: argv, environment: env, argMax: total, pageSize: 4096, pointerSize: 8)
                == nil)
        #expect(
            ExecLimits.check(
                path: path, argv: argv, environment: env, argMax: total - 1, pageSize: 4096, pointerSize: 8)
                == .totalTooLarge(
                    bytes: total, limit: total - 1,
                    largest: [.init(name: "LONG", bytes: 9), .init(name: "K", bytes: 5)]))
    }

    @Test func emptyArgvStillCountsOnePointer() {
        // The kernel reserves max(argc, 1) pointers.
        #expect(
            ExecLimits.check(path: "", argv: [], environment: [:], argMax: 1 + 8, pageSize: nil, pointerSize: 8) == nil)
        #expect(
            ExecLimits.check(path: "", argv: [], environment: [:], argMax: 1 + 7, pageSize: nil, pointerSize: 8) != nil)
    }

    /// The names a "total too large" problem lists for `env` (the limit is far below any of them).
    static func largestNames(_ env: [String: String]) -> [String]? {
        guard
            case .totalTooLarge(_, _, let largest)? = ExecLimits.check(
                argv: ["x"], environment: env, argMax: 1000, pageSize: 4096)
        else { return nil }
        return largest.map(\.name)
    }

    @Test func tooLargeNamesAtMostFiveLargestVariablesWithTiesByName() {
        var env: [String: String] = [:]
        for (index, key) in ["A", "B", "C", "D", "E", "F", "G"].enumerated() {
            env[key] = String(repeating: "v", count: 10_000 + (index < 2 ? 0 : index))
        }
        #expect(Self.largestNames(env) == ["G", "F", "E", "D", "C"])
    }

    /// Equal sizes inside the five named: ordered by name bytes ("B" < "B1" < "a").
    @Test func tiesAmongTheLargestAreOrderedByName() {
        // "B=yy", "B1=y" and "a=xx" are 5 bytes each with the NUL; "S=" is 3.
        let env = ["a": "xx", "B": "yy", "B1": "y", "S": "", "HUGE": String(repeating: "h", count: 9000)]
        #expect(Self.largestNames(env) == ["HUGE", "B", "B1", "a", "S"])
    }

    @Test func messagesNameKeysAndSizesNeverValues() {
        let secret = "s3cr3t-" + String(repeating: "q", count: 140_000)
        let env = ["API_CERT": secret]
        let perString = ExecLimits.check(argv: ["x"], environment: env, argMax: 6 << 20, pageSize: 4096)
        let total = ExecLimits.check(argv: ["x"], environment: env, argMax: 100_000, pageSize: nil)
        for problem in [perString, total] {
            let text = ExecError.tooLarge(try! #require(problem)).description
            #expect(text.contains("API_CERT"))
            #expect(text.contains("136.7 KiB"))
            #expect(!text.contains("s3cr3t"))
        }
        #expect(ExecError.tooLarge(try! #require(perString)).exitCode == .cannotExecute)
    }

    @Test(arguments: [
        (0, "0 bytes"), (1023, "1023 bytes"), (1024, "1 KiB"), (1536, "1.5 KiB"),
        (131072, "128 KiB"), (1048576, "1 MiB"), (2_621_440, "2.5 MiB"), (6 << 20, "6 MiB"),
    ])
    func byteCounts(bytes: Int, text: String) {
        #expect(ByteCount.format(bytes) == text)
    }
}
