import Foundation
import SoupCore
import Testing

/// `.github/workflows/release.yml` publishes what the CI examples install: the release binary
/// and its sha256 as assets of a tagged release. The workflow's checksum step is run on the
/// built binary, and the examples' own check (`sha256sum -c`) must accept it and refuse a
/// changed binary. The upload itself needs GitHub, so it is checked by its arguments.
@Suite("release workflow and the CI examples' install") struct ReleaseWorkflowTests {
    static let workflow = ".github/workflows/release.yml"
    static let asset = "soup-run-linux-x86_64"

    /// The shell scripts of the workflow's steps, in order, across its jobs.
    static func steps() throws -> [String] {
        let yaml = try ExampleYAML.load(workflow)
        let jobs = yaml["jobs"]?.objectValue ?? [:]
        return ["build", "publish"].flatMap { jobs[$0]?["steps"]?.arrayValue ?? [] }.compactMap {
            $0["run"]?.stringValue
        }
    }

    static func version() throws -> String {
        let result = try runProcess(Binaries.soupRun, ["--version"], environment: [:])
        return try #require(result.stdoutText.split(separator: " ").last.map { $0.trimmingCharacters(in: .newlines) })
    }

    @Test func aVersionTagBuildsWithReleaseShAndAttachesTheBinaryAndItsChecksum() throws {
        let yaml = try ExampleYAML.load(Self.workflow)
        // PyYAML reads the key `on` as the boolean true.
        let trigger = yaml["on"] ?? yaml["true"]
        #expect(trigger?["push"]?["tags"]?.arrayValue?.compactMap(\.stringValue) == ["v*"])
        let steps = try Self.steps()
        #expect(steps.contains { $0.contains("bash scripts/release.sh") }, "the release build: \(steps)")
        let publish = try #require(steps.first { $0.contains("gh release create") }, "no release step")
        let attached = publish.split(whereSeparator: \.isWhitespace).filter { $0.hasPrefix("assets/") }
        #expect(attached == ["assets/\(Self.asset)", "assets/\(Self.asset).sha256"], "\(publish)")
        #expect(steps.contains { $0.contains("--version") && $0.contains("GITHUB_REF_NAME") }, "tag = version check")
    }

    /// The build runs in the Swift image of the toolchain that runs these tests (what CI uses).
    @Test func theBuildImageIsTheToolchainCIUses() throws {
        let yaml = try ExampleYAML.load(Self.workflow)
        let image = try #require(yaml["jobs"]?["build"]?["container"]?.stringValue, "no build container")
        let result = try runProcess(
            "/usr/bin/env", ["swift", "--version"], environment: ProcessInfo.processInfo.environment, timeout: 60)
        let words = result.stdoutText.split(whereSeparator: \.isWhitespace)
        let version = try #require(
            words.firstIndex(of: "version").map { String(words[$0 + 1]) }, "\(result.stdoutText)")
        #expect(image == "swift:\(version)-bookworm", "the workflow builds with \(image), the tests run on \(version)")
    }

    /// The workflow's checksum step on the built binary; the examples' `sha256sum -c` line accepts
    /// it, and refuses the binary once a byte changes.
    @Test(arguments: CIExampleTests.CI.allCases)
    func theExamplesChecksumCheckAcceptsTheWorkflowsAssetsAndRefusesAChangedBinary(ci: CIExampleTests.CI) throws {
        let steps = try Self.steps()
        let checksum = try #require(steps.first { $0.contains("sha256sum") && $0.contains("assets") })
        let work = try TemporaryDirectory(prefix: "soup-release")
        try FileManager.default.createDirectory(atPath: work.path + "/dist", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Binaries.soupRun, toPath: work.path + "/dist/soup-run")
        let made = try runProcess("/bin/sh", ["-c", "cd \"$1\" && " + checksum, "sh", work.path], environment: [:])
        #expect(made.exitCode == 0, "\(made.stderrText)")

        let check = try #require(
            try Self.installLines(ci).first { $0.hasPrefix("sha256sum -c") }, "\(ci.rawValue) checks no sha256")
        let assets = work.path + "/assets"
        let accepted = try runProcess("/bin/sh", ["-c", "cd \"$1\" && " + check, "sh", assets], environment: [:])
        #expect(accepted.exitCode == 0, "\(accepted.stdoutText) \(accepted.stderrText)")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: assets + "/" + Self.asset))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        let refused = try runProcess("/bin/sh", ["-c", "cd \"$1\" && " + check, "sh", assets], environment: [:])
        #expect(refused.exitCode != 0, "a changed binary passed the check")
    }

    /// Both CI examples download the two assets from `<releases>/v<version>/` for the version
    /// this build has, and check the sha256 before installing.
    @Test(arguments: CIExampleTests.CI.allCases)
    func theExamplesInstallThisVersionFromTheReleaseURLs(ci: CIExampleTests.CI) throws {
        let lines = try Self.installLines(ci)
        let variables = try Self.variables(ci)
        #expect(variables["SOUP_RUN_VERSION"] == (try Self.version()), "\(ci.rawValue) installs another version")
        let releases = try #require(variables["SOUP_RUN_RELEASES"], "no SOUP_RUN_RELEASES")
        #expect(releases.hasPrefix("https://github.com/") && releases.hasSuffix("/releases/download"), "\(releases)")
        for name in [Self.asset, Self.asset + ".sha256"] {
            #expect(
                lines.contains { $0.contains(#""$SOUP_RUN_RELEASES/v$SOUP_RUN_VERSION/\#(name)""#) },
                "\(ci.rawValue) does not download \(name)")
        }
        let check = try #require(lines.firstIndex { $0 == "sha256sum -c \(Self.asset).sha256" }, "no check")
        let install = try #require(lines.firstIndex { $0.contains("install -m 0755 \(Self.asset)") }, "no install")
        #expect(check < install, "installed before the checksum is checked")
    }

    /// The install step's shell lines.
    static func installLines(_ ci: CIExampleTests.CI) throws -> [String] {
        let yaml = try ExampleYAML.load(ci.rawValue)
        let script: [String]
        switch ci {
        case .githubActions:
            let steps = yaml["jobs"]?["test"]?["steps"]?.arrayValue ?? []
            script =
                steps.first { $0["name"]?.stringValue == "Install soup-run" }?["run"]?.stringValue.map { [$0] } ?? []
        case .gitlabCI:
            script = yaml["integration-tests"]?["before_script"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return script.flatMap { $0.split(separator: "\n") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The variables the install step sees.
    static func variables(_ ci: CIExampleTests.CI) throws -> [String: String] {
        let yaml = try ExampleYAML.load(ci.rawValue)
        switch ci {
        case .githubActions: return yaml["jobs"]?["test"]?["env"]?.yamlStringMap ?? [:]
        case .gitlabCI: return yaml["integration-tests"]?["variables"]?.yamlStringMap ?? [:]
        }
    }
}
