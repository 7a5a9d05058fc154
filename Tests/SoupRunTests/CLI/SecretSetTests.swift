import SoupCore
import SoupTestSupport
import Testing

@testable import SoupRun

/// `SecretSet`: the same secrets as a dictionary, sorted by key bytes, duplicates found after the sort.
@Suite struct SecretSetTests {
    /// A few keys, so that random draws repeat some of them.
    static let keyPool = ["A", "A1", "AB", "B", "B_", "Z9", "K0", "K00", "_X", "DB_URL", "a", "É"]

    static func randomValue(_ random: inout SplitMix64) -> String {
        let pool = ["", "x", "it's", "é", "🎉", "\n", "$", "\\", "\"", "日本", String(repeating: "v", count: 130)]
        return (0..<random.next(below: 4)).map { _ in pool[random.next(below: pool.count)] }.joined()
    }

    @Test func lookupsCountKeysAndDictionary() {
        let set: SecretSet = ["B": "2", "A": "1", "AB": "3", "EMPTY": ""]
        #expect(set.count == 4)
        #expect(!set.isEmpty && SecretSet().isEmpty)
        #expect(set["A"] == "1" && set["AB"] == "3" && set["EMPTY"] == "" && set["C"] == nil && set[""] == nil)
        #expect(set.keys == ["A", "AB", "B", "EMPTY"])
        #expect(set.map(\.key) == set.keys)
        #expect(set.dictionary == ["B": "2", "A": "1", "AB": "3", "EMPTY": ""])
        #expect(set.description == "SecretSet(4 keys: A, AB, B, EMPTY)")
    }

    @Test func longKeysAndValuesKeepEveryByte() {
        // Lengths of one, two and three varint bytes.
        let long = String(repeating: "é", count: 20_000)
        let set = SecretSet([
            "K": long, String(repeating: "K", count: 200): "x", "E": String(repeating: "y", count: 127),
        ])
        #expect(set["K"] == long)
        #expect(set[String(repeating: "K", count: 200)] == "x")
        #expect(set["E"]?.utf8.count == 127)
    }

    @Test func equalityDoesNotDependOnHowTheSetWasBuilt() {
        var forward = SecretSet.Builder(reservingBytes: 0)
        var backward = SecretSet.Builder(reservingBytes: 0)
        let pairs = [("A", "1"), ("B", "2"), ("C", "3")]
        for (key, value) in pairs { forward.append(key: key, value: value) }
        for (key, value) in pairs.reversed() { backward.append(key: key, value: value) }
        #expect(forward.finish().set == backward.finish().set)
        #expect(SecretSet(["A": "1"]) != SecretSet(["A": "2"]))
        #expect(SecretSet(["A": "1"]) != SecretSet(["A": "1", "B": "1"]))
    }

    /// Random appends with repeats against a dictionary (the last value wins) and a scan for the
    /// key whose second appearance comes first.
    @Test(arguments: 0..<40)
    func builderAgainstADictionary(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &* 7919)
        var builder = SecretSet.Builder(reservingBytes: 0)
        var dictionary: [String: String] = [:]
        var seen: Set<String> = []
        var duplicate: String? = nil
        for _ in 0..<random.next(below: 30) {
            let key = Self.keyPool[random.next(below: Self.keyPool.count)]
            let value = Self.randomValue(&random)
            builder.append(key: key, value: value)
            dictionary[key] = value
            if !seen.insert(key).inserted, duplicate == nil { duplicate = key }
        }
        let (set, found) = builder.finish()
        #expect(set.dictionary == dictionary)
        #expect(set == SecretSet(dictionary))
        #expect(found == duplicate)
        #expect(set.keys == ByteOrder.sorted(dictionary.keys))
        for key in Self.keyPool { #expect(set[key] == dictionary[key]) }
    }

    @Test func selectingKeepsTheListedKeysThatExist() {
        let set: SecretSet = ["A": "1", "B": "2", "C": "3"]
        #expect(set.selecting(["C", "A", "A", "NOPE"]) == ["A": "1", "C": "3"])
        #expect(set.selecting([]).isEmpty)
    }

    @Test func onlyOnASetSelectsAndNamesEveryMissingKey() throws {
        let set: SecretSet = ["A": "1", "B": "2", "C": "3"]
        var configuration = Configuration(
            project: "p", environment: "e", mode: .export(.shell), token: .literal(Secret("t")))
        #expect(try EnvironmentMerge.selectedSecrets(set, configuration: configuration) == set)
        configuration.only = ["C", "A"]
        #expect(try EnvironmentMerge.selectedSecrets(set, configuration: configuration) == ["A": "1", "C": "3"])
        configuration.only = ["Z", "A", "Y"]
        #expect(throws: MergeError(.onlyKeysNotFound(["Y", "Z"]))) {
            try EnvironmentMerge.selectedSecrets(set, configuration: configuration)
        }
        // The same error as the dictionary's.
        #expect(throws: MergeError(.onlyKeysNotFound(["Y", "Z"]))) {
            try EnvironmentMerge.selectedSecrets(set.dictionary, configuration: configuration)
        }
    }
}
