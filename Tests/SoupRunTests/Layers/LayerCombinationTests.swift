import SoupRun
import Testing

/// Precedence, later wins, key by key: `--also` in order, the operands, `--env-file` in order.
@Suite struct LayerCombinationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let layers: [LayerCombination.Part]
        let expected: SecretSet
        let overrides: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no layers", layers: [], expected: [:], overrides: []),
        Case(name: "one layer", layers: [("app", ["A": "1"])], expected: ["A": "1"], overrides: []),
        Case(
            name: "disjoint keys add up", layers: [("also", ["A": "1"]), ("app", ["B": "2"])],
            expected: ["A": "1", "B": "2"], overrides: []),
        Case(
            name: "the operands win over --also", layers: [("--also s/p", ["A": "also"]), ("app/p", ["A": "app"])],
            expected: ["A": "app"], overrides: ["A from app/p (over --also s/p)"]),
        Case(
            name: "--also in order", layers: [("--also 1/p", ["A": "1"]), ("--also 2/p", ["A": "2"]), ("app/p", [:])],
            expected: ["A": "2"], overrides: ["A from --also 2/p (over --also 1/p)"]),
        Case(
            name: "env files win over environments",
            layers: [("--also s/p", ["A": "s"]), ("app/p", ["A": "app"]), ("--env-file .env", ["A": "file"])],
            expected: ["A": "file"], overrides: ["A from --env-file .env (over app/p, --also s/p)"]),
        Case(
            name: "env files in order",
            layers: [("app/p", [:]), ("--env-file a", ["A": "a", "B": "a"]), ("--env-file b", ["A": "b"])],
            expected: ["A": "b", "B": "a"], overrides: ["A from --env-file b (over --env-file a)"]),
        Case(
            name: "an equal value still counts as set by both", layers: [("x", ["A": "1"]), ("y", ["A": "1"])],
            expected: ["A": "1"], overrides: ["A from y (over x)"]),
        Case(
            name: "an empty value overrides", layers: [("x", ["A": "1"]), ("y", ["A": ""])],
            expected: ["A": ""], overrides: ["A from y (over x)"]),
        Case(
            name: "overrides sorted by key",
            layers: [("x", ["B": "1", "A": "1", "C": "1"]), ("y", ["B": "2", "A": "2"])],
            expected: ["A": "2", "B": "2", "C": "1"], overrides: ["A from y (over x)", "B from y (over x)"]),
    ]

    @Test(arguments: cases)
    func precedence(_ c: Case) {
        let combined = LayerCombination.combine(c.layers)
        #expect(combined.secrets == c.expected)
        #expect(combined.overrides.map(\.summary) == c.overrides)
    }
}
