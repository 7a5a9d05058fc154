import SoupTestSupport
import Testing

@testable import SoupCore

@Suite("Byte order")
struct ByteOrderTests {
    @Test(
        "orders by UTF-8 bytes, a proper prefix first",
        arguments: [
            ("A", "A1", true), ("A1", "A", false), ("A", "A", false), ("", "A", true), ("B", "a", true),
            ("Z", "_", true), ("_", "a", true), ("é", "z", false), ("e\u{301}", "é", true),
            ("BENCH_SECRET_001", "BENCH_SECRET_002", true), ("a long key past fifteen bytes", "a long key", false),
        ])
    func precedes(a: String, b: String, expected: Bool) {
        #expect(ByteOrder.precedes(a, b) == expected)
    }

    /// "e\u{301}" and "é" are equal Strings (canonically equivalent), but their bytes differ, and
    /// byte order tells them apart, so a sort is the same on every platform.
    @Test("random strings: the same answer as comparing byte arrays")
    func agreesWithByteArrays() {
        var generator = SplitMix64(seed: 404)
        for _ in 0..<20_000 {
            let a = generator.randomString(maxLength: 24)
            let b =
                generator.next(below: 4) == 0
                ? a + generator.randomString(maxLength: 3) : generator.randomString(maxLength: 24)
            #expect(ByteOrder.precedes(a, b) == Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)), "\(a) / \(b)")
        }
    }

    @Test("sorted returns every string, in byte order")
    func sorted() {
        var generator = SplitMix64(seed: 405)
        let strings = (0..<500).map { _ in generator.randomString(maxLength: 20) }
        let result = ByteOrder.sorted(strings)
        #expect(
            result.map { Array($0.utf8) } == strings.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
    }
}
