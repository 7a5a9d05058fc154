import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `examples/app/app.sh` through the built soup-run: its exit status passes through, `--serve`
/// stays up until TERM/INT, and it names secrets and their sizes but never prints a value.
@Suite("examples/app/app.sh") struct ExampleAppTests {
    /// Distinctive values for every key the app looks for: multi-byte, spaces, a newline, a quote.
    static let values: [String: String] = [
        "LOG_LEVEL": "log-level-\u{1F372}-7d1e",
        "DB_HOST": "db-host with spaces 5c2a",
        "DB_PORT": "db-port\nsecond line 0b9f",
        "DB_NAME": "db-name-'quoted'-e41d",
        "DB_PASSWORD": "db-password-héllo-日本語-99a0",
        "DATABASE_URL": "database-url-$(id)-`id`-3f6b",
        "FEATURE_BETA": "",
    ]

    @Test func knowsTheKeysOfTheDemoData() {
        #expect(AppReport.knownKeys == Set(Self.values.keys), "app.sh's APP_KEYS default changed")
    }

    @Test(arguments: [Int32(0), 3, 42])
    func itsExitStatusPassesThroughSoupRun(code: Int32) throws {
        let server = try DevServer(state: ExampleAPI.state)
        let result = try soupRun(
            ["my-app", "prod", "--", ExampleRepository.exampleApp, "--exit", "\(code)"], api: server.apiURL)
        expectExit(result, code)
        let secrets = try ExampleAPI.secrets(
            api: server.apiURL, project: "my-app", environment: "prod", token: e2eToken)
        expectAppReport(result.stdoutText, secrets: secrets)
        #expect(result.stderrText.isEmpty)
    }

    /// The stop signal for the whole process group, as a terminal's Ctrl-C or soup-run's stop sends it.
    @Test(arguments: [SIGTERM, SIGINT])
    func serveSaysReadyAndStopsOnTermOrInt(signal: Int32) throws {
        let server = try DevServer(state: ExampleAPI.state)
        let app = try ChildProcess(
            Binaries.soupRun, ["my-app", "prod", "--", ExampleRepository.exampleApp, "--serve"],
            environment: ["SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken, "PATH": "/usr/bin:/bin"])
        #expect(app.waitForOutput("]: ready\n", in: .stdout, timeout: 30), "stderr: \(app.stderrText)")
        app.signalGroup(signal)
        let result = app.wait(timeout: 30)
        #expect(result.termination == .exited(0))
        #expect(result.stdoutText.hasSuffix("]: stopping\n"))
        #expect(result.stderrText.isEmpty, "stderr: \(result.stderrText)")
        // Its background sleep is gone too: nothing is left in the process group.
        let deadline = Date().addingTimeInterval(10)
        while kill(-app.pid, 0) == 0 && Date() < deadline {
            usleep(20_000)  // polling for the group to empty; bounded by the deadline
        }
        #expect(
            kill(-app.pid, 0) == -1 && errno == ESRCH,
            "processes of the app outlived it: \(Self.members(ofGroup: app.pid))")
    }

    /// "pid state name" of each process in process group `group` (Linux; empty elsewhere).
    static func members(ofGroup group: pid_t) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid -> String? in
            guard Int32(pid) != nil, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (comm) ": state ppid pgrp ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[2]) == group else { return nil }
            return "\(pid) \(fields[0]) \(stat[..<close].split(separator: "(", maxSplits: 1).last ?? "")"
        }
    }

    @Test func itNeverPrintsAValueOnlyNamesAndByteSizes() throws {
        let server = try DevServer(state: ExampleAPI.state)
        for (key, value) in Self.values { try server.setSecret(key, value, environment: "dev") }
        let result = try soupRun(["my-app", "dev", "--", ExampleRepository.exampleApp], api: server.apiURL)
        expectExit(result, 0)
        for (key, value) in Self.values where !value.isEmpty {
            #expect(
                !result.stdoutText.contains(value) && !result.stderrText.contains(value),
                "the value of \(key) was printed")
        }
        expectAppReport(result.stdoutText, secrets: Self.values)
    }

    /// Under `--watch` a restart stops the app with its process group; the app's stderr stays clean.
    @Test func aRestartUnderWatchShowsTheNewSizeAndNoNoise() throws {
        let server = try DevServer(state: ExampleAPI.state)
        let run = try startWatch(apiURL: server.apiURL, command: [ExampleRepository.exampleApp, "--serve"])
        #expect(run.waitForOutput("]: ready\n", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
        try server.setSecret("FEATURE_BETA", "false-for-now")
        #expect(
            watchWaitUntil(run, timeout: 30) { watchCount(of: "]: ready\n", in: run.stdoutText) == 2 }, "no restart")
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.termination == .exited(0))
        let reports = AppReport.all(in: result.stdoutText)
        #expect(reports.count == 2)
        #expect(reports.last?.sizes["FEATURE_BETA"] == "false-for-now".utf8.count)
        let noise = result.stderrText.split(separator: "\n").filter { !$0.hasPrefix("soup-run: ") }
        #expect(noise.isEmpty, "stderr lines not from soup-run: \(noise)")
    }
}
