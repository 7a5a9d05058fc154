import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `examples/soup-run.service`: its stop and restart settings must fit soup-run's own stop
/// behaviour, and its `ExecStart=` runs (soup-run's installed path replaced by the built binary,
/// the app's by the example app) with exactly what systemd gives a service: its default PATH and
/// the `Environment=` lines (the token file path replaced by a temporary file, the API URL pointed
/// at soup-dev-server); then the unit's `KillSignal` to soup-run alone, as `KillMode=mixed` does.
@Suite("examples/soup-run.service") struct SystemdExampleTests {
    static let file = "examples/soup-run.service"
    /// The PATH systemd gives services (on a merged-/usr system).
    static let systemdPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"

    static func unit() throws -> SystemdUnitFile { try SystemdUnitFile.parse(try ExampleRepository.read(file)) }

    /// The signal a `KillSignal=` value names (`SIGTERM`, `TERM` or a number).
    static func signal(_ name: String) throws -> Int32 {
        let table: [String: Int32] = [
            "TERM": SIGTERM, "INT": SIGINT, "HUP": SIGHUP, "QUIT": SIGQUIT, "USR1": SIGUSR1, "USR2": SIGUSR2,
        ]
        let bare = name.hasPrefix("SIG") ? String(name.dropFirst(3)) : name
        guard let signal = table[bare] ?? Int32(bare) else {
            throw ExampleError("KillSignal=\(name) is no signal this test knows")
        }
        return signal
    }

    @Test func itsStopAndRestartSettingsFitSoupRunsStopBehaviour() throws {
        let unit = try Self.unit()
        let killMode = unit.value("KillMode", in: "Service") ?? "control-group"
        // mixed: SIGTERM to soup-run only (it forwards the stop to the app's process group), SIGKILL
        // to what is left after TimeoutStopSec; control-group would signal the app directly as well.
        #expect(["mixed", "control-group"].contains(killMode), "KillMode=\(killMode)")
        let killSignal = try Self.signal(unit.value("KillSignal", in: "Service") ?? "SIGTERM")
        #expect(killSignal == SIGTERM || killSignal == SIGINT, "soup-run stops the app on TERM or INT")
        let timeoutStop = try ExampleDuration.seconds(
            try #require(unit.value("TimeoutStopSec", in: "Service"), "no TimeoutStopSec"))
        let stopTimeout = try ExampleAPI.stopTimeout(in: try unit.execStart())
        #expect(
            timeoutStop > stopTimeout, "TimeoutStopSec \(timeoutStop) s, soup-run's --stop-timeout \(stopTimeout) s")
        // soup-run exits non-zero when it cannot fetch at start: restart then, but not in a tight loop.
        let restart = unit.value("Restart", in: "Service") ?? "no"
        #expect(["on-failure", "always"].contains(restart), "Restart=\(restart)")
        let pause = try ExampleDuration.seconds(unit.value("RestartSec", in: "Service") ?? "0.1")
        #expect(pause >= 1, "RestartSec \(pause) s hammers a down API")
        #expect(try unit.execStart().contains("--watch"))
    }

    @Test func execStartRunsTheAppWithItsSecretsAndStopsOnKillSignal() throws {
        let server = try DevServer(state: ExampleAPI.state)
        let unit = try Self.unit()
        var argv = try unit.execStart()
        #expect(argv.first?.hasPrefix("/") == true && argv.first?.hasSuffix("/soup-run") == true, "ExecStart=\(argv)")
        argv[0] = Binaries.soupRun
        let command = try #require(argv.firstIndex(of: "--").map { $0 + 1 }, "no -- before the app's command")
        try #require(command < argv.count)
        argv[command] = ExampleRepository.exampleApp  // the app this unit runs; the example app stands in for it

        let directory = try TemporaryDirectory(prefix: "soup-systemd")
        var environment = try unit.environment()
        environment["PATH"] = environment["PATH"] ?? Self.systemdPath
        environment["SOUP_API_URL"] = try ExampleAPI.repoint(
            try #require(environment["SOUP_API_URL"]), to: server.apiURL)
        #expect(
            environment["SOUP_TOKEN_FILE"] != nil && environment["SOUP_TOKEN"] == nil, "the token comes from a file")
        environment["SOUP_TOKEN_FILE"] = try directory.write("token", e2eToken + "\n", mode: 0o400)

        let target = try ExampleAPI.target(of: argv, environment: environment)
        let secrets = try ExampleAPI.secrets(
            api: server.apiURL, project: target.project, environment: target.environment, token: e2eToken)
        #expect(try Self.signal(unit.value("KillSignal", in: "Service") ?? "SIGTERM") == SIGTERM)
        try expectServesSecretsAndStops(
            argv, environment: environment, secrets: secrets, token: e2eToken,
            stopBound: try ExampleDuration.seconds(try #require(unit.value("TimeoutStopSec", in: "Service"))))
    }
}
