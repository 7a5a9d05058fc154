import Foundation
import SoupDevServer
import Testing

/// `scripts/demo.sh`, the README's first command, run as a newcomer runs it, except for its first
/// step: `swift build` would wait for ever on the lock `swift test` holds on `.build`, so
/// `DEMO_BIN` hands it the binaries under test instead. It must succeed, show the app's secrets by
/// name and size, show `--watch` restarting the app with the changed value, and print no value.
@Suite("scripts/demo.sh") struct DemoScriptTests {
    @Test func theDemoRunsShowsARestartAndNoValue() throws {
        // The caller's environment, without anything that would steer soup-run.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SOUP_") }
        environment["DEMO_BIN"] = Binaries.directory
        let result = try runProcess(
            "/usr/bin/env", ["bash", ExampleRepository.path("scripts/demo.sh")], environment: environment, timeout: 60)
        #expect(!result.timedOut, "the demo did not finish within 60 s")
        #expect(result.termination == .exited(0), "demo: \(result.termination); stderr: \(result.stderrText)")
        #expect(result.stdoutText.contains("== done"))

        // The one-shot run, then the watched app before and after FEATURE_BETA changed.
        let reports = AppReport.all(in: result.stdoutText)
        #expect(reports.count == 3, "\(reports)")
        #expect(watchCount(of: "]: ready\n", in: result.stdoutText) == 2, "no restart shown")
        if reports.count == 3 {
            #expect(
                reports[1].sizes["FEATURE_BETA"] != nil
                    && reports[1].sizes["FEATURE_BETA"] != reports[2].sizes["FEATURE_BETA"])
            #expect(reports.allSatisfy { !$0.sawToken })
        }

        // Values long enough not to turn up by chance (short ones like "app" or "true" would).
        #expect(!result.stdoutText.contains(DevServer.demoToken), "the demo printed the token")
        var values: Set<String> = ["false-for-now"]
        for project in DevServerState.demo.projects.values {
            for environment in project.environments.values {
                values.formUnion(environment.secrets.values.filter { $0.count >= 8 && !$0.contains("${") })
            }
        }
        for value in values {
            #expect(
                !result.stdoutText.contains(value) && !result.stderrText.contains(value),
                "the demo printed a secret value")
        }
    }
}
