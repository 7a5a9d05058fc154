import Foundation
import SoupCore
import Testing

/// `examples/github-actions.yml` and `examples/gitlab-ci.yml`: parsed (PyYAML); the step (job
/// script line) that calls soup-run runs through `/bin/sh -c` in the repository root, with the
/// job's environment, the token as the CI's secret store provides it (GitHub: `SOUP_TOKEN`;
/// GitLab: a File variable `SOUP_TOKEN_FILE`, a path to a file holding it), soup-run on
/// PATH and the API URL pointed at soup-dev-server. The step's exit status must be the wrapped
/// command's. The install steps are not run (they download a release).
@Suite("examples: CI jobs") struct CIExampleTests {
    /// The shell line that calls soup-run, and the environment the CI gives it.
    struct WrappedStep {
        var line: String
        var environment: [String: String]
        /// Holds the File variable's file while the step runs.
        var files: TemporaryDirectory? = nil
    }

    enum CI: String, CaseIterable, CustomTestStringConvertible {
        case githubActions = "examples/github-actions.yml"
        case gitlabCI = "examples/gitlab-ci.yml"
        var testDescription: String { rawValue }
    }

    /// The first line of `script` whose first word is `soup-run`.
    static func soupRunLine(_ script: String) -> String? {
        script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first {
            $0.hasPrefix("soup-run ")
        }
    }

    /// GitHub Actions: a step whose `run:` calls soup-run; its job's and its own `env:`, with
    /// `${{ secrets.NAME }}` filled in from the secret store (the token: nothing else is secret here).
    static func githubStep(token: String) throws -> WrappedStep {
        let yaml = try ExampleYAML.load(CI.githubActions.rawValue)
        for (_, job) in yaml["jobs"]?.objectValue ?? [:] {
            for step in job["steps"]?.arrayValue ?? [] {
                guard let line = step["run"]?.stringValue.flatMap(soupRunLine) else { continue }
                var environment = job["env"]?.yamlStringMap ?? [:]
                environment.merge(step["env"]?.yamlStringMap ?? [:]) { $1 }
                for (name, value) in environment where value.contains("${{") {
                    let expression = value.trimmingCharacters(in: CharacterSet(charactersIn: "${} "))
                    guard expression.hasPrefix("secrets.") else {
                        throw ExampleError("cannot evaluate \(name): \(value)")
                    }
                    environment[name] = token
                }
                return WrappedStep(line: line, environment: environment)
            }
        }
        throw ExampleError("no step of \(CI.githubActions.rawValue) runs soup-run")
    }

    /// GitLab CI: a job whose `script:` calls soup-run; the global and the job's `variables:`, plus
    /// `SOUP_TOKEN_FILE` as a CI/CD variable of type File from the project's settings: GitLab
    /// writes the value to a file and sets the variable to its path.
    static func gitlabStep(token: String) throws -> WrappedStep {
        let yaml = try ExampleYAML.load(CI.gitlabCI.rawValue)
        let reserved: Set<String> = [
            "stages", "variables", "default", "include", "workflow", "image", "services", "cache",
        ]
        for (name, job) in yaml.objectValue ?? [:] where !reserved.contains(name) && !name.hasPrefix(".") {
            let script =
                job["script"]?.arrayValue?.compactMap(\.stringValue) ?? job["script"]?.stringValue.map { [$0] } ?? []
            guard let line = script.compactMap(soupRunLine).first else { continue }
            var environment = yaml["variables"]?.yamlStringMap ?? [:]
            environment.merge(job["variables"]?.yamlStringMap ?? [:]) { $1 }
            #expect(
                environment["SOUP_TOKEN"] == nil && environment["SOUP_TOKEN_FILE"] == nil,
                "\(name) sets the token in the file, not from the CI/CD settings")
            let files = try TemporaryDirectory(prefix: "soup-gitlab")
            environment["SOUP_TOKEN_FILE"] = try files.write("SOUP_TOKEN_FILE", token, mode: 0o600)
            return WrappedStep(line: line, environment: environment, files: files)
        }
        throw ExampleError("no job of \(CI.gitlabCI.rawValue) runs soup-run")
    }

    @Test(arguments: CI.allCases)
    func theTokenComesFromTheSecretStore(ci: CI) throws {
        let marker = "token-from-the-secret-store"
        let step = try ci == .githubActions ? Self.githubStep(token: marker) : Self.gitlabStep(token: marker)
        if ci == .githubActions {
            #expect(step.environment["SOUP_TOKEN"] == marker)
        } else {
            let path = try #require(step.environment["SOUP_TOKEN_FILE"])
            #expect(try String(contentsOfFile: path, encoding: .utf8) == marker)
        }
        #expect(!(try ExampleRepository.read(ci.rawValue)).contains(DevServer.demoToken), "a token in the file")
    }

    @Test(arguments: CI.allCases, [Int32(0), 3])
    func theStepsExitStatusIsTheCommands(ci: CI, code: Int32) throws {
        let server = try DevServer(state: ExampleAPI.state)
        var step = try ci == .githubActions ? Self.githubStep(token: e2eToken) : Self.gitlabStep(token: e2eToken)
        if code != 0 {
            #expect(step.line.contains("--exit 0"), "the step runs no 'app.sh --exit 0' to vary: \(step.line)")
            step.line = step.line.replacingOccurrences(of: "--exit 0", with: "--exit \(code)")
        }
        let bin = try TemporaryDirectory(prefix: "soup-ci")
        var environment = step.environment
        environment["PATH"] = try ExampleAPI.pathWithSoupRun(in: bin)
        environment["CI"] = "true"
        environment["SOUP_API_URL"] = try ExampleAPI.repoint(
            try #require(environment["SOUP_API_URL"]), to: server.apiURL)
        // The runner starts each step in the checked-out repository.
        let result = try runProcess(
            "/bin/sh", ["-c", "cd \"$1\" && exec /bin/sh -c \"$2\"", "sh", ExampleRepository.root, step.line],
            environment: environment, timeout: 60)
        expectExit(result, code)
        let words = try ExampleWords.split(step.line)
        let target = try ExampleAPI.target(of: words, environment: environment)
        let secrets = try ExampleAPI.secrets(
            api: server.apiURL, project: target.project, environment: target.environment, token: e2eToken)
        expectAppReport(result.stdoutText, secrets: secrets)
    }
}
