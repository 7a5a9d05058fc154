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
/// the `Environment=` lines (`%d`, the credentials directory, a temporary directory holding the
/// `LoadCredential=` token; the API URL pointed at soup-dev-server); then the unit's `KillSignal`
/// to soup-run alone, as `KillMode=mixed` does.
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
        // What a restart cannot fix: 64 usage, 77 token refused, 78 configuration (soup-run's codes).
        let prevented = Set(
            unit.values("RestartPreventExitStatus", in: "Service").flatMap { $0.split(separator: " ") }.map(String.init)
        )
        #expect(prevented.isSuperset(of: ["64", "77", "78"]), "RestartPreventExitStatus=\(prevented.sorted())")
    }

    /// No root: a dynamic user, and the token handed over as a credential (`%d/NAME`).
    @Test func itRunsAsADynamicUserWithTheTokenAsACredential() throws {
        let unit = try Self.unit()
        #expect(unit.value("DynamicUser", in: "Service") == "yes")
        #expect(unit.value("User", in: "Service") == nil, "a fixed User= next to DynamicUser")
        let credential = try Self.credential(unit)
        #expect(credential.source.hasPrefix("/"), "LoadCredential= reads an absolute path: \(credential.source)")
        #expect(try unit.environment()["SOUP_TOKEN_FILE"] == "%d/\(credential.name)")
    }

    /// `LoadCredential=NAME:PATH`.
    static func credential(_ unit: SystemdUnitFile) throws -> (name: String, source: String) {
        let line = try #require(unit.value("LoadCredential", in: "Service"), "no LoadCredential=")
        let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
        try #require(parts.count == 2, "LoadCredential=\(line)")
        return (parts[0], parts[1])
    }

    /// A refused token ends soup-run with 77, a code the unit does not restart on.
    @Test func aRefusedTokenEndsWithACodeTheUnitDoesNotRestartOn() throws {
        let server = try DevServer(state: ExampleAPI.state)
        let unit = try Self.unit()
        let (argv, environment, credentials) = try Self.service(unit, server: server, token: "not-the-token")
        let result = try runProcess(argv[0], Array(argv.dropFirst()), environment: environment, timeout: 60)
        withExtendedLifetime(credentials) {}
        expectExit(result, 77, token: "not-the-token")
        #expect(unit.values("RestartPreventExitStatus", in: "Service").joined(separator: " ").contains("77"))
    }

    /// `ExecStart=` ready to run here, and its environment as systemd would give it (credentials
    /// in a temporary directory standing for `%d`).
    static func service(_ unit: SystemdUnitFile, server: DevServer, token: String) throws -> (
        [String], [String: String], TemporaryDirectory
    ) {
        var argv = try unit.execStart()
        #expect(argv.first?.hasPrefix("/") == true && argv.first?.hasSuffix("/soup-run") == true, "ExecStart=\(argv)")
        argv[0] = Binaries.soupRun
        let command = try #require(argv.firstIndex(of: "--").map { $0 + 1 }, "no -- before the app's command")
        try #require(command < argv.count)
        argv[command] = ExampleRepository.exampleApp  // the app this unit runs; the example app stands in for it

        let credentials = try TemporaryDirectory(prefix: "soup-systemd")
        _ = try credentials.write(try credential(unit).name, token + "\n", mode: 0o400)
        var environment = try unit.environment().mapValues {
            $0.replacingOccurrences(of: "%d", with: credentials.path)
        }
        environment["PATH"] = environment["PATH"] ?? systemdPath
        environment["CREDENTIALS_DIRECTORY"] = credentials.path
        environment["SOUP_API_URL"] = try ExampleAPI.repoint(
            try #require(environment["SOUP_API_URL"]), to: server.apiURL)
        #expect(environment["SOUP_TOKEN"] == nil, "the token comes from a file")
        return (argv, environment, credentials)
    }

    @Test func execStartRunsTheAppWithItsSecretsAndStopsOnKillSignal() throws {
        let server = try DevServer(state: ExampleAPI.state)
        let unit = try Self.unit()
        let (argv, environment, credentials) = try Self.service(unit, server: server, token: e2eToken)

        let target = try ExampleAPI.target(of: argv, environment: environment)
        let secrets = try ExampleAPI.secrets(
            api: server.apiURL, project: target.project, environment: target.environment, token: e2eToken)
        #expect(try Self.signal(unit.value("KillSignal", in: "Service") ?? "SIGTERM") == SIGTERM)
        try expectServesSecretsAndStops(
            argv, environment: environment, secrets: secrets, token: e2eToken,
            stopBound: try ExampleDuration.seconds(try #require(unit.value("TimeoutStopSec", in: "Service"))))
        withExtendedLifetime(credentials) {}
    }
}
