import Foundation
import Testing

/// `examples/Dockerfile`, checked without a Docker engine (none runs on the build machines, and
/// no image registry is reachable, so the images are never built). How the file is checked:
/// - its build: every `COPY` source exists in the build context (the repository root, as in
///   `docker build -f examples/Dockerfile .` and the compose file's `context: ..`); every
///   `--from=` stage is defined; the build stage runs `scripts/release.sh` (present and
///   executable; `COPY` keeps the mode), and the files it copies in form a Swift package that
///   loads (`swift package describe` in a directory holding only those files);
/// - its runtime stage (the last one, which `docker build` builds by default): its exact
///   `ENTRYPOINT` + `CMD`, with `soup-run` found on the image's PATH among the files the stage
///   copies in, run with exactly the image's `ENV` plus `SOUP_TOKEN_FILE` (as `docker run -e`
///   gives it) against soup-dev-server, also as PID 1 of a new PID namespace where the machine
///   allows one; then SIGTERM to soup-run, as `docker stop` sends it.
@Suite("examples/Dockerfile") struct DockerfileExampleTests {
    @Test func everyCopySourceExistsAndEveryFromStageIsDefined() throws {
        let model = try DockerfileModel.parse(try ExampleRepository.read(ExampleImage.dockerfile))
        let names = Set(model.stages.compactMap(\.name))
        var copies = 0
        for stage in model.stages {
            for copy in try model.copies(in: stage) {
                copies += 1
                if let from = copy.from {
                    #expect(names.contains(from), "COPY --from=\(from): no such stage (stages: \(names.sorted()))")
                } else {
                    for source in copy.sources {
                        #expect(ExampleRepository.exists(source), "COPY \(source): not in the build context")
                    }
                }
            }
        }
        #expect(copies > 0)
    }

    @Test func theBuildStageRunsTheReleaseScript() throws {
        let image = try ExampleImage(stage: "app")
        let from = try #require(try image.model.copies(in: image.stage).compactMap(\.from).first)
        let build = try image.model.stage(from)
        let runs = try build.arguments(of: "RUN").map(ExampleWords.split)
        #expect(runs.contains { $0.first == "scripts/release.sh" }, "the \(from) stage runs \(runs)")
        #expect(
            try ExampleRepository.permissions("scripts/release.sh") & 0o111 == 0o111,
            "scripts/release.sh is not executable")
        // What COPY --from=build takes must be what release.sh builds.
        let script = try ExampleRepository.read("scripts/release.sh")
        for name in ["soup-run", "soup-dev-server"] {
            #expect(script.contains("--product \(name)"), "release.sh does not build \(name)")
        }
    }

    /// SwiftPM refuses a package whose declared targets have no sources, so the build stage must
    /// copy in everything Package.swift names.
    @Test func whatTheBuildStageCopiesIsALoadablePackage() throws {
        let model = try DockerfileModel.parse(try ExampleRepository.read(ExampleImage.dockerfile))
        let build = try #require(
            model.stages.first { $0.arguments(of: "RUN").contains { $0.hasPrefix("scripts/release.sh") } })
        let context = try TemporaryDirectory(prefix: "soup-docker-context")
        for copy in try model.copies(in: build) where copy.from == nil {
            for source in copy.sources {
                let result = try runProcess(
                    "/bin/cp", ["-R", ExampleRepository.path(source), context.path + "/" + source], environment: [:],
                    timeout: 60)
                #expect(result.exitCode == 0, "cp \(source): \(result.stderrText)")
            }
        }
        let describe = try runProcess(
            "/usr/bin/env", ["swift", "package", "--package-path", context.path, "describe"],
            environment: ProcessInfo.processInfo.environment, timeout: 120)
        #expect(describe.exitCode == 0, "swift package describe in the build stage's files: \(describe.stderrText)")
    }

    @Test func theRuntimeStageIsSoupRunWatchAsEntrypointWithTheProjectInItsEnvironment() throws {
        let image = try ExampleImage()
        #expect(image.stage.name == "app")
        #expect(image.entrypoint == ["soup-run", "--watch", "--"])
        #expect(image.command.first == "/app/app.sh")
        #expect(image.environment["SOUP_PROJECT"] != nil && image.environment["SOUP_ENVIRONMENT"] != nil)
        #expect(image.environment["SOUP_API_URL"] != nil)
        #expect(
            image.environment["SOUP_TOKEN"] == nil && image.environment["SOUP_TOKEN_FILE"] == nil,
            "no token in the image")
        // Only soup-run and a CA bundle come from the build stage; the rest is the example app.
        #expect(Set(image.files.values) == [Binaries.soupRun, ExampleImage.caBundle, ExampleRepository.exampleApp])
        // The image runs as a user that does not own the copied app: it must be readable and executable by others.
        #expect(try image.user() != nil)
        #expect(try ExampleRepository.permissions("examples/app/app.sh") & 0o005 == 0o005)
    }

    /// The static binary runs in any image: a `FROM scratch` stage holds only it and a CA bundle,
    /// and no stage installs a library for soup-run or soup-dev-server (neither links one).
    @Test func theSoupRunStageIsScratchWithTheStaticBinaryAndNoStageInstallsLibraries() throws {
        let image = try ExampleImage(stage: "soup-run")
        #expect(image.stage.base == "scratch")
        #expect(image.files == ["/soup-run": Binaries.soupRun, ExampleImage.caBundle: ExampleImage.caBundle])
        #expect(image.entrypoint == ["/soup-run"])
        for stage in image.model.stages where stage.name != "build" {
            for run in stage.arguments(of: "RUN") {
                #expect(
                    !run.contains("apt-get install") && !run.contains("apk add"), "stage \(stage.name ?? ""): \(run)")
            }
        }
    }

    /// CI builds and tests with one Swift version: the image's build stage uses the same one.
    @Test func theBuildImageIsTheSwiftVersionCIUses() throws {
        let image = try ExampleImage(stage: "app")
        let build = try image.model.stage("build")
        let version = try runProcess(
            "/usr/bin/env", ["swift", "--version"], environment: ProcessInfo.processInfo.environment, timeout: 60)
        let words = (version.stdoutText + version.stderrText).split(whereSeparator: \.isWhitespace)
        let number = try #require(words.firstIndex(of: "version").map { words[$0 + 1] }, "\(version.stdoutText)")
        #expect(build.base == "swift:\(number)-bookworm")
    }

    @Test func theEntrypointRunsTheAppWithItsSecretsAndStopsOnSigterm() throws {
        try runTheImage(asPID1: false)
    }

    @Test(
        .enabled(
            if: ExampleContainer.pid1Supported, "unshare --pid --fork --mount-proc is not permitted here (needs root)"))
    func asPID1TheEntrypointRunsTheAppAndStopsOnSigterm() throws {
        try runTheImage(asPID1: true)
    }

    /// `docker run -e SOUP_TOKEN_FILE=... IMAGE` with the API URL pointed at the test's server.
    private func runTheImage(asPID1: Bool) throws {
        let server = try DevServer(state: ExampleAPI.state)
        let image = try ExampleImage()
        let directory = try TemporaryDirectory(prefix: "soup-docker-run")
        var environment = image.environment
        environment["SOUP_API_URL"] = try ExampleAPI.repoint(
            try #require(environment["SOUP_API_URL"]), to: server.apiURL)
        environment["SOUP_TOKEN_FILE"] = try directory.write("soup_token", e2eToken + "\n", mode: 0o400)
        let argv = try image.hostCommand()
        let target = try ExampleAPI.target(of: image.entrypoint + image.command, environment: environment)
        let secrets = try ExampleAPI.secrets(
            api: server.apiURL, project: target.project, environment: target.environment, token: e2eToken)
        try expectServesSecretsAndStops(
            argv, environment: environment, secrets: secrets, token: e2eToken, asPID1: asPID1,
            stopBound: try ExampleAPI.stopTimeout(in: image.entrypoint))
    }
}
