import SoupCore
import Testing

@testable import SoupRun

/// The exec budget counted while a response is read: the same sum as `ExecLimits.check` over
/// the merged environment, and an early stop once the secrets cannot fit.
@Suite struct ExecBudgetTests {
    static let inherited = [
        "PATH": "/usr/bin:/bin", "HOME": "/root", "SHARED": "inherited-shared", "SOUP_TOKEN": "t", "KEEP": "1",
    ]
    static let secrets = ["SHARED": "s", "NEW": "a-longer-secret-value", "PATH": "/opt/bin", "ONLY_SECRET": "x"]
    static let command = ["node", "server.js", "--port", "8080"]

    static func configuration(
        only: [String]? = nil, preserve: Configuration.Preserve = .none, pristine: Bool = false, keepToken: Bool = false
    ) -> Configuration {
        var c = Configuration(
            project: "p", environment: "e", mode: .run(command: command), token: .literal(Secret("t")))
        c.only = only
        c.preserve = preserve
        c.pristine = pristine
        c.keepToken = keepToken
        return c
    }

    /// What `ExecLimits.check` counts for the command and the merged environment, less the
    /// path's NUL (the budget leaves the path out: it is resolved after the fetch).
    static func checked(_ c: Configuration) throws -> Int {
        let merged = try EnvironmentMerge.merge(inherited: inherited, secrets: secrets, configuration: c)
        let problem = ExecLimits.check(
            path: "", argv: command, environment: merged.environment, argMax: 0, pageSize: nil)
        guard case .totalTooLarge(let bytes, _, _)? = problem else { throw CheckFailed() }
        return bytes - 1
    }
    struct CheckFailed: Error {}

    static func metered(_ c: Configuration) -> Int {
        var meter = ExecBudget.Meter(
            ExecBudget(command: command, inherited: inherited, configuration: c, limit: 1 << 30))
        for (key, value) in secrets { #expect(meter.add(key: key, value: value) == nil) }
        return meter.total
    }

    @Test(arguments: [
        configuration(),
        configuration(keepToken: true),
        configuration(preserve: .all),
        configuration(preserve: .keys(["SHARED", "NOT_INHERITED"])),
        configuration(pristine: true),
        configuration(preserve: .keys(["PATH"]), pristine: true),
        configuration(only: ["NEW", "SHARED"]),
        configuration(only: ["PATH"], preserve: .all, pristine: true),
    ])
    func theMeterCountsWhatTheExecCheckCountsForTheMergedEnvironment(configuration: Configuration) throws {
        #expect(Self.metered(configuration) == (try Self.checked(configuration)))
    }

    @Test func withLaterLayersOnlyKeysCountSinceALaterLayerMayShortenAValue() {
        var c = Self.configuration()
        c.also = [Configuration.EnvironmentName(project: "p", environment: "shared")]
        let budget = ExecBudget(command: ["x"], inherited: [:], configuration: c, limit: 1 << 30, pointerSize: 8)
        var meter = ExecBudget.Meter(budget)
        #expect(meter.add(key: "KEY", value: String(repeating: "v", count: 1000)) == nil)
        #expect(meter.total == budget.base + "KEY=".utf8.count + 1 + 8)
    }

    @Test func theMeterNamesTheFirstTotalOverTheLimitAndTheLargestSecretsSoFar() {
        let budget = ExecBudget(
            command: ["x"], inherited: [:], configuration: Self.configuration(), limit: 100, pointerSize: 8)
        #expect(budget.base == 2 + 8)
        var meter = ExecBudget.Meter(budget)
        // Each K<n>=vv takes 6 bytes and a pointer: 10 + 14 * 6 = 94, the seventh goes over.
        for n in 1...6 { #expect(meter.add(key: "K\(n)", value: "vv") == nil) }
        let problem = meter.add(key: "K7", value: "vvvv")
        let expected = ExecSizeProblem.secretsDoNotFit(
            bytes: 110, limit: 100,
            secrets: ExecSizeProblem.Share(
                count: 7, bytes: 6 * 14 + 16,
                largest: [
                    .init(name: "K7", bytes: 8), .init(name: "K1", bytes: 6), .init(name: "K2", bytes: 6),
                    .init(name: "K3", bytes: 6), .init(name: "K4", bytes: 6),
                ]))
        #expect(problem == expected)
        #expect(problem?.description.contains("after 7 of them") == true)
        #expect(problem?.description.contains("vvvv") == false)
    }

    /// A body of tiny keys far over the limit, broken at its very end: a reader that stops at the
    /// limit never reaches the break, one that reads it all reports it.
    static func tinyKeys(_ count: Int, brokenEnd: Bool) -> [UInt8] {
        var text = #"{"data": {"#
        for n in 0..<count { text += (n == 0 ? "" : ",") + #""K\#(n)":"""# }
        return Array((text + (brokenEnd ? "}" : "}}")).utf8)
    }

    @Test func aResponseWhoseSecretsCannotFitIsRefusedWhileItIsRead() throws {
        let budget = ExecBudget(command: ["x"], inherited: [:], configuration: Self.configuration(), limit: 64 * 1024)
        let body = Self.tinyKeys(100_000, brokenEnd: true)
        #expect(throws: InvalidDataError.self) { try SecretsDocument.parse(body) }  // read to the end: bad JSON
        do {
            _ = try SecretsDocument.parse(body, budget: budget)
            Issue.record("a response over the budget was accepted")
        } catch {
            guard case .tooLargeForExec(.secretsDoNotFit(let bytes, let limit, let share)) = error.reason else {
                Issue.record("not the exec limit: \(error)")
                return
            }
            #expect(bytes > limit && limit == 64 * 1024)
            #expect(share.count < 10_000, "stopped at the limit, not after 100,000 keys")
            #expect(error.exitCode == .cannotExecute)
        }
    }

    @Test func aResponseThatFitsIsReadWhole() throws {
        let budget = ExecBudget(command: ["x"], inherited: [:], configuration: Self.configuration(), limit: 1 << 20)
        let secrets = try SecretsDocument.parse(Self.tinyKeys(1000, brokenEnd: false), budget: budget)
        #expect(secrets.count == 1000 && secrets["K999"] == "")
    }

    @Test func anInvalidKeyReadBeforeTheLimitIsStillTheError() throws {
        let budget = ExecBudget(command: ["x"], inherited: [:], configuration: Self.configuration(), limit: 1024)
        var text = #"{"data": {"bad-key": "v""#
        for n in 0..<1000 { text += #","K\#(n)":"""# }
        #expect(throws: InvalidDataError(.invalidKey("bad-key"))) {
            try SecretsDocument.parse(Array((text + "}}").utf8), budget: budget)
        }
    }
}
