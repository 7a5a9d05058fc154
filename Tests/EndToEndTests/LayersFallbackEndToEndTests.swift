import Foundation
import SoupCore
import Testing

@testable import SoupRun

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--fallback` with layers, the built binary against soup-dev-server: the copy holds what the
/// API environments returned and never an env file's value; the env files are applied on top
/// of the copy when it is used, as they are read then.
@Suite("soup-run --fallback with --also and --env-file", .serialized)
struct LayersFallbackEndToEndTests {
    static let keys = ["DB_HOST", "LOG_LEVEL", "SHARED_ONLY", "LOCAL"]
    static let printKeys = [
        "/bin/sh", "-c", "printf '%s|' " + keys.map { "\"${\($0)-unset}\"" }.joined(separator: " "),
    ]

    @Test func theCopyHoldsTheAPILayersOnlyAndEnvFilesGoOnTopOfIt() throws {
        let server = try DevServer(state: LayersEndToEndTests.state)
        let directory = try TemporaryDirectory(prefix: "soup-layers-fb")
        let copy = directory.path + "/soup.fb"
        let envFile = try directory.write(".env", "LOG_LEVEL=local-only-value\nLOCAL=file-one\n")
        let layers = ["--also", "shared/prod", "--fallback", copy, "--env-file-optional", envFile]

        let first = try soupRun(layers + ["my-app", "prod", "--"] + Self.printKeys, api: server.apiURL)
        expectExit(first, 0)
        #expect(first.stdoutText == "db.internal|local-only-value|s|file-one|")

        // The copy opens for the API environments' binding and holds exactly their combination.
        let bytes = try #require(try DurableFile.read(copy))
        #expect(!bytes.contains(subsequence: Array("local-only-value".utf8)), "nothing in clear")
        let binding = FallbackBinding(
            apiURL: server.apiURL, project: "my-app", environment: "prod", resolve: true,
            layers: ["--also shared/prod", "my-app/prod"])
        let opened = try FallbackEnvelope.open(bytes, binding: binding, token: Secret(e2eToken))
        #expect(opened.secrets["LOG_LEVEL"] == "warn", "the API's value, not the file's")
        #expect(opened.secrets["LOCAL"] == nil && opened.secrets["SHARED_ONLY"] == "s")
        #expect(!opened.secrets.values.contains { $0.contains("local-only") || $0.contains("file-one") })

        // From the copy, an edited file is read as it is now: its new value wins.
        _ = try directory.write(".env", "LOCAL=file-two\n")
        let offline = try soupRun(
            ["--offline"] + layers + ["my-app", "prod", "--"] + Self.printKeys, api: server.apiURL)
        expectExit(offline, 0)
        #expect(offline.stdoutText == "db.internal|warn|s|file-two|")
        #expect(offline.stderrText.contains("warning: using the fallback copy from "))

        // The file removed (optional): its values are gone; the copy's stay.
        unlink(envFile)
        let without = try soupRun(
            ["--offline"] + layers + ["my-app", "prod", "--"] + Self.printKeys, api: server.apiURL)
        expectExit(without, 0)
        #expect(without.stdoutText == "db.internal|warn|s|unset|")

        // The API down: the same, after the start-up's retries.
        server.stop()
        _ = try directory.write(".env", "LOCAL=file-three\n")
        let down = try soupRun(
            ["--retries", "0"] + layers + ["my-app", "prod", "--"] + Self.printKeys, api: server.apiURL)
        expectExit(down, 0)
        #expect(down.stdoutText == "db.internal|warn|s|file-three|")
        #expect(!down.stderrText.contains("file-three") && !down.stderrText.contains("db.internal"))
    }
}
