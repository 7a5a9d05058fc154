import SoupTestSupport
import Testing

@testable import SoupDevServer

@Suite struct ResolutionTests {
    @Test(
        arguments: [
            // (values, key, expected)
            (["A": "${B}", "B": "${C}", "C": "x"], "A", "x"),  // nested
            (["A": "pre-${B}-post", "B": "mid"], "A", "pre-mid-post"),
            (["A": "${NOPE}"], "A", "${NOPE}"),  // unknown name
            (["A": "${B}", "B": "${A}"], "A", "${B}"),  // cycle of two
            (["A": "${B}", "B": "${A}"], "B", "${A}"),
            (["A": "${B}", "B": "${C}", "C": "${A}"], "C", "${A}"),  // cycle of three
            (["A": "a${A}"], "A", "a${A}"),  // self-reference
            (["A": "abc${DEF", "DEF": "x"], "A", "abc${DEF"),  // `${` without `}`
            (["A": "$B and $B", "B": "x"], "A", "$B and $B"),  // no braces: plain text
            (["A": "${B}${C}", "B": "b", "C": "c"], "A", "bc"),  // adjacent
            (["A": "${B}${B}", "B": "b"], "A", "bb"),
            (["A": "${}", "B": "b"], "A", "${}"),
            (["A": "$", "B": "b"], "A", "$"),
            (["A": "$${B}", "B": "b"], "A", "$b"),
            (["A": "${${B}}", "B": "b"], "A", "${b}"),  // `{` inside a name: the outer `${` is text
            (["A": "${B }", "B": "b"], "A", "${B }"),  // names are exact
            (["A": "${b}", "B": "b"], "A", "${b}"),
            (["A": "}${B}{", "B": "b"], "A", "}b{"),
            (["A": "x ${B} y ${C} z", "B": "é∂", "C": "${NOPE}"], "A", "x é∂ y ${NOPE} z"),
            // A substituted value is not scanned again: `${D}{E}` becomes the text `${E}`.
            (["A": "${D}{E}", "D": "$", "E": "x"], "A", "${E}"),
            // A value that leads into a cycle gets the cycle's literal text.
            (["A": "${B}", "B": "${C}", "C": "${B}"], "A", "${C}"),
            (["A": "${B}", "B": "${C}", "C": "${B}"], "B", "${C}"),
        ] as [([String: String], String, String)])
    func resolvesOneValue(values: [String: String], key: String, expected: String) {
        #expect(Resolution.resolve(values)[key] == expected)
    }

    @Test func keepsEveryKeyAndPlainValues() {
        let values = ["A": "plain", "B": "", "C": "${A}"]
        #expect(Resolution.resolve(values) == ["A": "plain", "B": "", "C": "plain"])
        #expect(Resolution.resolve([:]) == [:])
    }

    @Test func inheritanceChildWinsAndGrandparentsShowThrough() {
        let project = ProjectState(environments: [
            "root": EnvironmentState(secrets: ["A": "root", "B": "root", "C": "root"]),
            "mid": EnvironmentState(parent: "root", secrets: ["B": "mid"]),
            "leaf": EnvironmentState(parent: "mid", secrets: ["C": "leaf"]),
        ])
        #expect(Resolution.inherited(project, environment: "leaf") == ["A": "root", "B": "mid", "C": "leaf"])
        #expect(Resolution.inherited(project, environment: "root") == ["A": "root", "B": "root", "C": "root"])
        #expect(Resolution.inherited(project, environment: "nope") == nil)
    }

    @Test func inheritanceStopsOnAParentCycle() {
        let project = ProjectState(environments: [
            "a": EnvironmentState(parent: "b", secrets: ["A": "a"]),
            "b": EnvironmentState(parent: "a", secrets: ["A": "b", "B": "b"]),
        ])
        #expect(Resolution.inherited(project, environment: "a") == ["A": "a", "B": "b"])
    }

    @Test func referencesResolveAgainstTheInheritedEnvironment() {
        // prod overrides DB_HOST, which base's value refers to: prod's own DB_HOST is used.
        let project = ProjectState(environments: [
            "base": EnvironmentState(secrets: ["DB_HOST": "localhost", "URL": "pg://${DB_HOST}/${DB_NAME}"]),
            "prod": EnvironmentState(parent: "base", secrets: ["DB_HOST": "db.internal", "DB_NAME": "app"]),
        ])
        let prod = Resolution.resolve(Resolution.inherited(project, environment: "prod")!)
        #expect(prod["URL"] == "pg://db.internal/app")
        let base = Resolution.resolve(Resolution.inherited(project, environment: "base")!)
        #expect(base["URL"] == "pg://localhost/${DB_NAME}")
    }

    @Test func demoEnvironmentsResolve() {
        let project = DevServerState.demo.projects["my-app"]!
        let dev = Resolution.resolve(Resolution.inherited(project, environment: "dev")!)
        #expect(dev["DATABASE_URL"] == "postgres://app:dev-password@localhost:5432/app")
        let prod = Resolution.resolve(Resolution.inherited(project, environment: "prod")!)
        #expect(prod["DATABASE_URL"] == "postgres://app:change-me@db.internal:5432/app")
        #expect(prod["LOG_LEVEL"] == "warn")
    }

    @Test func aLongChainResolvesWithoutDeepRecursion() {
        var values: [String: String] = ["K0": "end"]
        for i in 1...20_000 { values["K\(i)"] = "${K\(i - 1)}" }
        #expect(Resolution.resolve(values)["K20000"] == "end")
    }

    @Test func doublingReferencesStopAtTheLengthLimit() {
        var values: [String: String] = ["L0": "xxxxxxxx"]
        for i in 1...64 { values["L\(i)"] = "${L\(i - 1)}${L\(i - 1)}" }
        let resolved = Resolution.resolve(values, maxLength: 1024)
        #expect(resolved["L7"] == String(repeating: "x", count: 1024))
        // One level up, the second copy no longer fits and stays literal.
        #expect(resolved["L8"] == String(repeating: "x", count: 1024) + "${L7}")
        for (_, value) in resolved { #expect(value.utf8.count <= 1024 + "${L63}".utf8.count) }
    }

    @Test func parseSplitsTextAndReferences() {
        let segments = Resolution.parse(Array("a${B}c${".utf8))
        #expect(
            segments == [
                .text(Array("a".utf8)), .reference(name: "B", literal: Array("${B}".utf8)), .text(Array("c${".utf8)),
            ])
    }

    @Test func componentsComeSinksFirst() {
        // 0 -> 1 -> 2 -> 1, 3 alone, 4 -> 4
        let components = Resolution.stronglyConnectedComponents([[1], [2], [1], [], [4]])
        #expect(components.map { Set($0) } == [[1, 2], [0], [3], [4]])
    }

    /// Compares with a direct transcription of the rule on random reference graphs: a
    /// reference to NAME is replaced when NAME exists and does not lead back to the key.
    @Test func agreesWithTheRuleOnRandomGraphs() {
        var rng = SplitMix64(seed: 7)
        let names = ["A", "B", "C", "D", "E", "F"]
        for _ in 0..<500 {
            var values: [String: String] = [:]
            for name in names where rng.next() % 4 != 0 {
                var value = ""
                for _ in 0..<(rng.next() % 4) {
                    let pick = Int(rng.next() % 8)
                    value += pick < names.count ? "${\(names[pick])}" : (pick == 6 ? "-" : "${X}")
                }
                values[name] = value
            }
            #expect(Resolution.resolve(values) == referenceResolve(values))
        }
    }

    private func referenceResolve(_ values: [String: String]) -> [String: String] {
        func references(_ key: String) -> [String] {
            Resolution.parse(Array(values[key]!.utf8)).compactMap {
                if case .reference(let name, _) = $0, values[name] != nil { return name }
                return nil
            }
        }
        func reaches(_ from: String, _ to: String) -> Bool {
            var seen: Set<String> = []
            var todo = [from]
            while let next = todo.popLast() {
                if next == to { return true }
                if seen.insert(next).inserted { todo += references(next) }
            }
            return false
        }
        func resolved(_ key: String) -> String {
            Resolution.parse(Array(values[key]!.utf8)).map { segment -> String in
                switch segment {
                case .text(let bytes): return String(decoding: bytes, as: UTF8.self)
                case .reference(let name, let literal):
                    if values[name] != nil, !reaches(name, key) { return resolved(name) }
                    return String(decoding: literal, as: UTF8.self)
                }
            }.joined()
        }
        var out: [String: String] = [:]
        for key in values.keys { out[key] = resolved(key) }
        return out
    }
}
