import Foundation
import SoupCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `examples/docker-compose.yml`, checked without a Docker engine: parsed (PyYAML), its wiring
/// checked against the Dockerfile stages it builds, then both services' command lines run here:
/// the server service's `ENTRYPOINT` (loopback, a free port, a temporary data file), and the app
/// service's `ENTRYPOINT` + `CMD` with its image's and its own environment, the API URL pointed
/// at that server and the token file being the secret file Compose would bind-mount.
@Suite("examples/docker-compose.yml") struct ComposeExampleTests {
    static let file = "examples/docker-compose.yml"

    /// The parts of a Compose service the example uses.
    struct Service {
        var name: String
        var image: ExampleImage
        var environment: [String: String]
        var yaml: JSONValue

        /// The command line Compose starts: `entrypoint:`/`command:` if given, else the image's.
        var argv: [String] {
            get throws {
                try image.hostCommand(
                    arguments: try Self.words(yaml["command"]), entrypoint: try Self.words(yaml["entrypoint"]))
            }
        }

        static func words(_ value: JSONValue?) throws -> [String]? {
            guard let value else { return nil }
            if let text = value.stringValue { return try ExampleWords.split(text) }
            return value.arrayValue?.compactMap(\.stringValue)
        }
    }

    /// The services that build a stage of examples/Dockerfile, by name.
    static func services() throws -> (yaml: JSONValue, services: [String: Service]) {
        let yaml = try ExampleYAML.load(file)
        let entries = try #require(yaml["services"]?.objectValue, "\(file) has no services")
        var services: [String: Service] = [:]
        for (name, service) in entries {
            let build = try #require(service["build"], "service \(name) builds no image")
            let context = URL(
                fileURLWithPath: ExampleRepository.path("examples/" + (build["context"]?.stringValue ?? ".")))
            #expect(
                context.standardizedFileURL.path
                    == URL(fileURLWithPath: ExampleRepository.root).standardizedFileURL.path,
                "service \(name): the build context is not the repository root")
            #expect(
                build["dockerfile"]?.stringValue == ExampleImage.dockerfile, "service \(name) builds another Dockerfile"
            )
            let image = try ExampleImage(stage: build["target"]?.stringValue)
            var environment = image.environment
            if let list = service["environment"]?.arrayValue {
                for item in list.compactMap(\.stringValue) {
                    let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                    environment[parts[0]] = parts.count == 2 ? parts[1] : ""
                }
            } else if let map = service["environment"]?.yamlStringMap {
                environment.merge(map) { $1 }
            }
            services[name] = Service(name: name, image: image, environment: environment, yaml: service)
        }
        return (yaml, services)
    }

    /// The service that runs soup-run, and the one its SOUP_API_URL names.
    static func appAndServer() throws -> (app: Service, server: Service, url: URLComponents) {
        let all = try services().services
        let app = try #require(all.values.first { $0.image.entrypoint.first == "soup-run" }, "no service runs soup-run")
        let url = try #require(
            URLComponents(string: app.environment["SOUP_API_URL"] ?? ""), "the app has no SOUP_API_URL")
        let server = try #require(
            all[url.host ?? ""], "SOUP_API_URL names host \(url.host ?? "none"), which is no service")
        return (app, server, url)
    }

    @Test func theAppReachesTheServerServiceByNameOnThePortItListensOn() throws {
        let (app, server, url) = try Self.appAndServer()
        #expect(server.image.entrypoint.first == "soup-dev-server")
        let entrypoint = server.image.entrypoint
        let port = try #require(
            entrypoint.firstIndex(of: "--port").map { entrypoint[$0 + 1] }, "the server's ENTRYPOINT sets no --port")
        #expect(
            url.port.map(String.init) == port,
            "SOUP_API_URL port \(url.port.map(String.init) ?? "none"), server listens on \(port)")
        #expect(url.path == "/api/v1")
        let host = try #require(entrypoint.firstIndex(of: "--host").map { entrypoint[$0 + 1] })
        #expect(host == "0.0.0.0", "the server listens on \(host): other containers cannot reach it")
        let published = server.yaml["ports"]?.arrayValue?.compactMap(\.yamlScalar) ?? []
        #expect(published.allSatisfy { $0.split(separator: ":").last.map(String.init) == port }, "ports \(published)")
        let dependsOn =
            app.yaml["depends_on"]?.arrayValue?.compactMap(\.stringValue)
            ?? app.yaml["depends_on"]?.objectValue.map { Array($0.keys) }
        #expect(dependsOn?.contains(server.name) == true, "the app does not depend on \(server.name)")
    }

    @Test func theTokenFileIsTheNamedSecretWhereComposeMountsIt() throws {
        let (yaml, _) = try Self.services()
        let (app, _, _) = try Self.appAndServer()
        let names = app.yaml["secrets"]?.arrayValue?.compactMap { $0.stringValue ?? $0["source"]?.stringValue } ?? []
        let name = try #require(names.first, "the app service uses no secret")
        #expect(app.environment["SOUP_TOKEN_FILE"] == "/run/secrets/\(name)")
        let file = try #require(yaml["secrets"]?[name]?["file"]?.stringValue, "secret \(name) has no file")
        let relative = "examples/" + file.replacingOccurrences(of: "./", with: "")
        #expect(try ExampleRepository.read(relative).trimmingCharacters(in: .newlines) == DevServer.demoToken)
        // Compose bind-mounts the file as it is, and the image's user does not own it.
        #expect(
            try ExampleRepository.permissions(relative) & 0o004 != 0, "\(relative) is not readable by the image's user")
        #expect(app.environment["SOUP_TOKEN"] == nil, "a token in the compose file")
    }

    @Test func theStopGracePeriodExceedsSoupRunsStopTimeout() throws {
        let (app, _, _) = try Self.appAndServer()
        // Compose's default is 10 s.
        let grace = try app.yaml["stop_grace_period"]?.yamlScalar.map(ExampleDuration.seconds) ?? 10
        let stopTimeout = try ExampleAPI.stopTimeout(in: app.image.entrypoint + app.image.command)
        #expect(grace > stopTimeout, "stop_grace_period \(grace) s, soup-run's --stop-timeout \(stopTimeout) s")
    }

    @Test func theAppServiceGetsItsSecretsFromTheServerServiceAndStopsOnSigterm() throws {
        let (yaml, _) = try Self.services()
        let (app, server, _) = try Self.appAndServer()
        let data = try TemporaryDirectory(prefix: "soup-compose-data")
        // The server's own command line; only where it listens and keeps its data change here.
        var serverArgv = try server.argv
        for (flag, value) in [("--host", "127.0.0.1"), ("--port", "0"), ("--data", data.path + "/state.json")] {
            if let index = serverArgv.firstIndex(of: flag) { serverArgv[index + 1] = value }
        }
        let serverProcess = try ChildProcess(
            serverArgv[0], Array(serverArgv.dropFirst()), environment: server.environment)
        defer {
            serverProcess.signal(SIGTERM)
            _ = serverProcess.wait(timeout: 10)
        }
        #expect(serverProcess.waitForOutput("/api/v1", in: .stdout, timeout: 30), "stderr: \(serverProcess.stderrText)")
        let apiURL = try #require(DevServer.readyURL(in: serverProcess.stdoutText))

        var environment = app.environment
        environment["SOUP_API_URL"] = try ExampleAPI.repoint(try #require(environment["SOUP_API_URL"]), to: apiURL)
        // Compose mounts the secret's file at SOUP_TOKEN_FILE.
        let secretName = try #require(app.yaml["secrets"]?.arrayValue?.first?.stringValue)
        let secretFile = try #require(yaml["secrets"]?[secretName]?["file"]?.stringValue)
        // Compose bind-mounts the file with its host mode; git checks it out 0644, which soup-run
        // warns about, so the test uses a copy made private as a user would (chmod 600).
        let copies = try TemporaryDirectory(prefix: "soup-compose")
        let tokenText = try String(
            contentsOfFile: ExampleRepository.path("examples/" + secretFile.replacingOccurrences(of: "./", with: "")),
            encoding: .utf8)
        environment["SOUP_TOKEN_FILE"] = try copies.write("soup_token", tokenText, mode: 0o600)
        let argv = try app.argv
        let target = try ExampleAPI.target(of: app.image.entrypoint + app.image.command, environment: environment)
        let secrets = try ExampleAPI.secrets(
            api: apiURL, project: target.project, environment: target.environment, token: DevServer.demoToken)
        try expectServesSecretsAndStops(
            argv, environment: environment, secrets: secrets, token: DevServer.demoToken,
            stopBound: try ExampleAPI.stopTimeout(in: argv))
    }
}
