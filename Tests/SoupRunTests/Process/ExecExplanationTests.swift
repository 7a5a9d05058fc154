import Testing

@testable import SoupRun

/// Exec failures told with what soup-run knows about the secrets.
@Suite struct ExecExplanationTests {
    static let inherited = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/user", "TERM": "xterm"]

    /// 50,000 small secrets over ARG_MAX: the message gives their number and total size against
    /// the limit and names the largest secrets, not PATH or other inherited variables.
    @Test func manySmallSecretsAreMeasuredAsSecrets() throws {
        var secrets: [String: String] = [:]
        for i in 0..<50_000 { secrets["KEY_\(i)"] = "v\(i % 10)" }
        secrets["BIGGEST_ONE"] = String(repeating: "x", count: 300)
        let environment = Self.inherited.merging(secrets) { $1 }
        // Checked outside #require, which would print the 50,000 entries on a failure.
        let checked = ExecLimits.check(argv: ["app"], environment: environment, argMax: 1 << 19, pageSize: 4096)
        let problem = try #require(checked)
        let explained = ExplainedExecError(
            .tooLarge(problem), command: ["app"], secrets: secrets, environment: environment)
        let share = ExecLimits.share(of: secrets)
        #expect(share.count == 50_001)
        #expect(explained.exitCode == .cannotExecute)
        #expect(explained.description.contains("over the ARG_MAX in force of 512 KiB"), "\(explained)")
        #expect(
            explained.description.contains("the 50001 secrets take \(ByteCount.format(share.bytes)) of it"),
            "\(explained)")
        #expect(explained.description.contains("largest: BIGGEST_ONE (313 bytes), KEY_"), "\(explained)")
        #expect(!explained.description.contains("PATH") && !explained.description.contains("HOME"), "\(explained)")
        #expect(!explained.description.contains("xxx"), "a value in the message")
    }

    /// A kernel E2BIG the check did not predict is told against the secrets as well.
    @Test func aKernelRefusalIsMeasuredAsSecrets() {
        let secrets = ["A": "1", "B": "22"]
        let explained = ExplainedExecError(
            .tooLarge(.refusedByKernel(bytes: 5000, largest: [])), command: ["app"], secrets: secrets,
            environment: secrets)
        #expect(explained.description.contains("refused by the kernel (E2BIG); the 2 secrets take"), "\(explained)")
    }

    /// One string over the per-string limit is already named: nothing to add.
    @Test func aSingleTooLongVariableIsLeftAsIs() {
        let error = ExecError.tooLarge(.variableTooLong([.init(name: "A", bytes: 200_000)], limit: 131_072))
        let explained = ExplainedExecError(error, command: ["app"], secrets: ["A": "x"], environment: ["A": "x"])
        #expect(explained.error == error && explained.hint == nil)
    }

    @Test func aSecretPATHThatLosesTheCommandSuggestsPreserveEnv() {
        let error = ExecError.notFound(command: "node", searched: .path(directories: 1))
        let secrets = ["PATH": "/opt/app/bin"]
        let replaced = ExplainedExecError(
            error, command: ["node"], secrets: secrets, environment: Self.inherited.merging(secrets) { $1 })
        #expect(
            replaced.description.hasSuffix("; a secret sets PATH, replacing yours: keep yours with --preserve-env=PATH")
        )
        #expect(replaced.exitCode == .commandNotFound)
        // PATH kept by --preserve-env=PATH, or no PATH secret: no hint.
        #expect(ExplainedExecError(error, command: ["node"], secrets: secrets, environment: Self.inherited).hint == nil)
        #expect(ExplainedExecError(error, command: ["node"], secrets: [:], environment: Self.inherited).hint == nil)
    }

    @Test func aCommandWordWithASpaceHintsAtQuoting() {
        let error = ExecError.notFound(command: "node server.js", searched: .path(directories: 3))
        let explained = ExplainedExecError(
            error, command: ["node server.js"], secrets: ["A": "1"], environment: Self.inherited)
        #expect(explained.description.contains("the command word 'node server.js' contains a space"), "\(explained)")
        #expect(explained.description.contains("separate words"))
        let plain = ExecError.notFound(command: "nodee", searched: .path(directories: 3))
        #expect(ExplainedExecError(plain, command: ["nodee"], secrets: [:], environment: Self.inherited).hint == nil)
    }
}
