import Foundation
import SoupCore
import Testing

@testable import SoupRun

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--fallback` with the built binary: a copy written by a good start, used when the API is down,
/// deleted when it refuses, refused when too old, and never holding a value in clear.
@Suite("soup-run --fallback", .serialized)
struct FallbackEndToEndTests {
    static let printA = ["/bin/sh", "-c", "printf '%s|%s' \"${A-unset}\" \"${B-unset}\""]

    /// Whether this process may make a mount namespace with a read-only bind mount (root, unshare).
    static let readOnlyMountWorks: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
            let dir = try? TemporaryDirectory(prefix: "soup-ro-probe")
        else { return false }
        let probe = try? runProcess(
            "/usr/bin/unshare",
            ["--mount", "/bin/sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && ! touch \"$0/x\" 2>/dev/null", dir.path],
            environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"], timeout: 30)
        return probe?.exitCode == 0
    }()

    @Test func aStoppedServerStartsFromTheCopyWithOneWarning() throws {
        let server = try DevServer(state: DevServer.testState)
        try server.setSecret("A", "alpha-1")
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/soup.fb"
        let first = try soupRun(["--fallback", copy, "my-app", "prod", "--"] + Self.printA, api: server.apiURL)
        expectExit(first, 0)
        #expect(first.stdoutText == "alpha-1|unset")
        #expect(first.stderrText.isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: copy)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        // An unchanged start writes nothing: the same file (inode), unmodified.
        expectExit(try soupRun(["--fallback", copy, "my-app", "prod", "--", "true"], api: server.apiURL), 0)
        let again = try FileManager.default.attributesOfItem(atPath: copy)
        #expect(again[.systemFileNumber] as? Int == attributes[.systemFileNumber] as? Int)
        #expect(again[.modificationDate] as? Date == attributes[.modificationDate] as? Date)
        // A change is written (a new file renamed over the old one).
        try server.setSecret("B", "beta-2")
        expectExit(try soupRun(["--fallback", copy, "my-app", "prod", "--", "true"], api: server.apiURL), 0)
        #expect(
            try FileManager.default.attributesOfItem(atPath: copy)[.systemFileNumber] as? Int
                != attributes[.systemFileNumber] as? Int)
        let api = server.apiURL
        server.stop()

        let down = try soupRun(["--retries", "0", "--fallback", copy, "my-app", "prod", "--"] + Self.printA, api: api)
        expectExit(down, 0)
        #expect(down.stdoutText == "alpha-1|beta-2")
        let lines = down.stderrText.split(separator: "\n")
        #expect(lines.count == 1, "\(down.stderrText)")
        #expect(lines.first?.hasPrefix("soup-run: warning: using the fallback copy from 20") == true)
        #expect(
            down.stderrText.contains(" UTC (") && down.stderrText.contains(" s old): API unavailable (cannot reach"))
        #expect(!down.stderrText.contains("alpha-1"))
    }

    @Test(arguments: [
        WatchScriptedAPI.Answer.status(500, body: #"{"error":"database down"}"#, headers: []),
        .status(429, body: #"{"error":"slow down"}"#, headers: [("Retry-After", "0")]),
        .status(200, body: #"{"data": {"A": "#, headers: []),
        .status(502, body: "<html>bad gateway</html>", headers: [("Content-Type", "text/html")]),
    ])
    func anUnavailableAPIUsesTheCopy(answer: WatchScriptedAPI.Answer) throws {
        let api = try WatchScriptedAPI(.secrets(["A": "from-copy", "B": "b"]))
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/soup.fb"
        expectExit(try soupRun(["--fallback", copy, "my-app", "prod", "--", "true"], api: api.apiURL), 0)
        api.set(answer)
        let result = try soupRun(
            ["--retries", "1", "--fallback", copy, "my-app", "prod", "--"] + Self.printA, api: api.apiURL)
        expectExit(result, 0)
        #expect(result.stdoutText == "from-copy|b")
        #expect(result.stderrText.contains("warning: using the fallback copy from "))
        #expect(!result.stderrText.contains("error:"))
    }

    @Test(arguments: [(401, Int32(77)), (403, 77), (404, 66)])
    func aRefusalDeletesTheCopy(status: Int, code: Int32) throws {
        let api = try WatchScriptedAPI(.secrets(["A": "a"]))
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/soup.fb"
        expectExit(try soupRun(["--fallback", copy, "my-app", "prod", "--", "true"], api: api.apiURL), 0)
        #expect(FileManager.default.fileExists(atPath: copy))
        api.set(.status(status, body: #"{"error":"Environment not found"}"#, headers: []))
        let refused = try soupRun(["--fallback", copy, "my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(refused, code)
        #expect(refused.stderrText.contains("warning: deleted the fallback copy \(copy): the API refused this request"))
        #expect(!FileManager.default.fileExists(atPath: copy))
        // The revoked token's secrets do not come back, even offline.
        let offline = try soupRun(["--offline", "--fallback", copy, "my-app", "prod", "--", "true"], api: api.apiURL)
        expectExit(offline, 69)
        expectOneErrorLine(offline, containing: "there is none yet")
    }

    @Test func aReadOnlyCopyIsUsedButNeverDeleted() throws {
        let api = try WatchScriptedAPI(.secrets(["A": "a"]))
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/soup.fb"
        expectExit(try soupRun(["--fallback", copy, "my-app", "prod", "--", "true"], api: api.apiURL), 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        api.set(.secrets(["A": "changed"]))
        let changed = try soupRun(
            ["--fallback-readonly", "--fallback", copy, "my-app", "prod", "--"] + Self.printA, api: api.apiURL)
        expectExit(changed, 0)
        #expect(changed.stdoutText == "changed|unset")
        api.set(.status(401, body: "{}", headers: []))
        expectExit(
            try soupRun(["--fallback-readonly", "--fallback", copy, "my-app", "prod", "--", "true"], api: api.apiURL),
            77)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
    }

    /// A copy written three days ago (by the library, with the same token and request).
    @Test func aCopyOlderThanTheMaximumAgeIsRefused() throws {
        let port = try closedPort()
        let apiURL = "http://127.0.0.1:\(port)/api/v1"
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/soup.fb"
        let binding = FallbackBinding(apiURL: apiURL, project: "my-app", environment: "prod", resolve: true)
        let written = UInt64(Date().timeIntervalSince1970) - 3 * 86400 - 60
        let bytes = try FallbackEnvelope.seal(
            ["A": "old"], binding: binding, token: Secret(e2eToken), writtenAt: written)
        try DurableFile.replace(copy, with: bytes)

        let refused = try soupRun(
            ["--retries", "0", "--fallback", copy, "--fallback-max-age", "72h", "my-app", "prod", "--", "true"],
            api: apiURL)
        expectExit(refused, 69)
        expectOneErrorLine(refused, containing: "cannot reach the API at http://127.0.0.1:\(port)")
        #expect(refused.stderrText.contains("it is 3 d old, older than --fallback-max-age (3 d)"))

        let used = try soupRun(
            ["--retries", "0", "--fallback", copy, "--fallback-max-age", "4d", "my-app", "prod", "--"] + Self.printA,
            api: apiURL)
        expectExit(used, 0)
        #expect(used.stdoutText == "old|unset")
        #expect(used.stderrText.contains("(3 d old): API unavailable"))
    }

    @Test func aCopyForAnotherTokenOrEnvironmentIsRefused() throws {
        let api = try WatchScriptedAPI(.secrets(["A": "a"]))
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/soup.fb"
        expectExit(try soupRun(["--fallback", copy, "my-app", "prod", "--", "true"], api: api.apiURL), 0)
        for (arguments, token) in [
            (["my-app", "prod"], "e2e-another-token"), (["my-app", "staging"], e2eToken),
            (["--no-resolve", "my-app", "prod"], e2eToken),
        ] {
            let result = try soupRun(
                ["--offline", "--fallback", copy] + arguments + ["--", "true"], api: api.apiURL, token: token)
            expectExit(result, 69, token: token)
            expectOneErrorLine(result, containing: "does not open with this token for this API URL")
        }
    }

    @Test func aDirectoryThatDoesNotExistOnlyWarns() throws {
        let api = try WatchScriptedAPI(.secrets(["A": "a"]))
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/missing/soup.fb"
        let result = try soupRun(["--fallback", copy, "my-app", "prod", "--"] + Self.printA, api: api.apiURL)
        expectExit(result, 0)
        #expect(result.stdoutText == "a|unset")
        #expect(result.stderrText.split(separator: "\n").count == 1)
        #expect(result.stderrText.hasPrefix("soup-run: warning: cannot write the fallback copy \(copy) (cannot create"))
        #expect(result.stderrText.contains("No such file or directory"))
    }

    @Test(.enabled(if: readOnlyMountWorks, "needs root and unshare --mount for a read-only bind mount"))
    func aReadOnlyDirectoryOnlyWarns() throws {
        let api = try WatchScriptedAPI(.secrets(["A": "a"]))
        let dir = try TemporaryDirectory()
        let script = #"mount --bind -o ro "$0" "$0" && exec "$1" --fallback "$0/soup.fb" my-app prod -- /bin/true"#
        let result = try runProcess(
            "/usr/bin/unshare", ["--mount", "/bin/sh", "-c", script, dir.path, Binaries.soupRun],
            environment: ["SOUP_API_URL": api.apiURL, "SOUP_TOKEN": e2eToken, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
        expectExit(result, 0)
        #expect(result.stderrText.split(separator: "\n").count == 1)
        #expect(result.stderrText.contains("warning: cannot write the fallback copy \(dir.path)/soup.fb ("))
        #expect(result.stderrText.contains("Read-only file system"))
    }

    @Test func offlineNeverOpensAConnectionAndFiltersWorkFromTheCopy() throws {
        let api = try WatchScriptedAPI(.secrets(["A": "a1", "B": "b1", "C": "c1"]))
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/soup.fb"
        expectExit(
            try soupRun(["--only", "A", "--fallback", copy, "my-app", "prod", "--", "true"], api: api.apiURL), 0)
        #expect(api.requests == 1)

        // The copy holds the whole answer, so another --only works from it.
        let export = try soupRun(
            ["--offline", "--fallback", copy, "--export", "--format", "dotenv", "--only", "B,C", "my-app", "prod"],
            api: api.apiURL)
        expectExit(export, 0)
        #expect(export.stdoutText == "B=\"b1\"\nC=\"c1\"\n" || export.stdoutText == "B=b1\nC=c1\n")
        #expect(
            export.stderrText.contains("warning: using the fallback copy from ")
                && export.stderrText.contains(": --offline"))
        let pristine = try soupRun(
            [
                "--offline", "--fallback", copy, "--pristine", "--preserve-env=KEEP", "my-app", "prod", "--",
                "/usr/bin/env",
            ],
            api: api.apiURL, environment: ["KEEP": "k", "DROP": "d"])
        expectExit(pristine, 0)
        #expect(Set(pristine.stdoutText.split(separator: "\n")) == ["A=a1", "B=b1", "C=c1", "KEEP=k"])
        #expect(api.requests == 1, "--offline sent no request")
    }

    @Test func theFileHoldsNeitherTheTokenNorAnyValue() throws {
        let server = try DevServer(state: DevServer.testState)
        for (key, value) in DevServerRunTests.nasty where !value.isEmpty { try server.setSecret(key, value) }
        let dir = try TemporaryDirectory()
        let copy = dir.path + "/soup.fb"
        expectExit(try soupRun(["--fallback", copy, "my-app", "prod", "--", "true"], api: server.apiURL), 0)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy)))
        // Every value as the command gets it (references resolved), from the copy itself.
        let export = try soupRun(
            ["--offline", "--fallback", copy, "--export", "--format", "json", "my-app", "prod"], api: server.apiURL)
        expectExit(export, 0)
        let object = try JSONSerialization.jsonObject(with: Data(export.stdout)) as? [String: String]
        let values = Array((object ?? [:]).values)
        #expect(values.count >= 6 && values.contains(DevServerRunTests.nasty["UNICODE"]!))
        for needle in [e2eToken] + values.filter({ $0.utf8.count >= 4 }) {
            #expect(!bytes.contains(subsequence: Array(needle.utf8)), "a value or the token is in the file in clear")
        }
    }
}
