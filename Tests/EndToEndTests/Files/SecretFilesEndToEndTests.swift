import Foundation
import SoupCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--file`, `--mount`, `--template` without `--watch`, end to end: the built soup-run against
/// soup-dev-server, the command a `/bin/sh` script that copies what it was given.
@Suite("soup-run --file, --mount, --template: end to end", .serialized)
struct SecretFilesEndToEndTests {
    @Test func aFileHoldsTheExactBytesAndItsVariableTheAbsolutePath() throws {
        let server = try FilesFixture.server()
        let out = try TemporaryDirectory(prefix: "soup-files-out")
        let runtime = try TemporaryDirectory(prefix: "soup-files-runtime")
        let script = #"""
            for k in BINARY SA_JSON; do eval "p=\$$k"; echo "$k=$p"; cp "$p" "$OUT/$k.copy"; done
            echo "DIR_MODE=$(stat -c %a "$(dirname "$BINARY")")"
            """#
        let result = try soupRun(
            [
                "--file", "BINARY", "--file", "SA_JSON=\(FilesFixture.path(out))/sa.json", "my-app", "prod", "--",
                "/bin/sh", "-c", script,
            ],
            api: server.apiURL,
            environment: ["OUT": FilesFixture.path(out), "XDG_RUNTIME_DIR": FilesFixture.path(runtime)])
        expectExit(result, 0)
        let binaryPath = try #require(FilesFixture.value(of: "BINARY", in: result.stdoutText))
        #expect(
            binaryPath.hasPrefix(FilesFixture.path(runtime) + "/soup-run."), "a private directory in XDG_RUNTIME_DIR")
        #expect(binaryPath.hasSuffix("/BINARY"))
        #expect(FilesFixture.value(of: "SA_JSON", in: result.stdoutText) == FilesFixture.path(out) + "/sa.json")
        #expect(FilesFixture.value(of: "DIR_MODE", in: result.stdoutText) == "700")
        #expect(FilesFixture.contents(FilesFixture.path(out) + "/BINARY.copy") == Array(FilesFixture.binary.utf8))
        #expect(
            FilesFixture.contents(FilesFixture.path(out) + "/SA_JSON.copy") == Array(FilesFixture.serviceAccount.utf8))
        // Gone once the command ended: the files and the private directory.
        #expect(!FilesFixture.exists(FilesFixture.path(out) + "/sa.json"))
        #expect(FilesFixture.entries(FilesFixture.path(runtime)) == [])
        #expect(result.stderrText.isEmpty, "nothing to say when the command ends, as after exec")
    }

    @Test func filesAreMode0600AndAStaleFileIsReplaced() throws {
        let server = try FilesFixture.server()
        let out = try TemporaryDirectory(prefix: "soup-files-out")
        let stale = try out.write("greeting", "stale content from a crashed run", mode: 0o644)
        let result = try soupRun(
            [
                "--file", "GREETING=\(stale)", "my-app", "prod", "--", "/bin/sh", "-c",
                #"stat -c %a "$GREETING"; cat "$GREETING""#,
            ],
            api: server.apiURL)
        expectExit(result, 0)
        #expect(result.stdoutText == "600\nhello")
        #expect(!FilesFixture.exists(stale), "removed at the end, like every file soup-run wrote")
    }

    @Test func mountWritesEverySecretToOneFileAndNoneToTheEnvironment() throws {
        let server = try FilesFixture.server()
        let out = try TemporaryDirectory(prefix: "soup-files-out")
        for (name, format) in [("secrets.json", "json"), ("secrets.env", "dotenv")] {
            let mount = FilesFixture.path(out) + "/" + name
            let result = try soupRun(
                [
                    "--mount", mount, "my-app", "prod", "--", "/bin/sh", "-c",
                    #"cat "$SOUP_SECRETS_FILE"; echo ===; env"#,
                ],
                api: server.apiURL)
            expectExit(result, 0)
            let export = try soupRun(["my-app", "prod", "--export", "--format", format], api: server.apiURL)
            expectExit(export, 0)
            let parts = result.stdoutText.components(separatedBy: "===\n")
            #expect(parts.first == export.stdoutText, "the --export writer, format from the extension")
            let environment = parts.last ?? ""
            #expect(FilesFixture.value(of: "SOUP_SECRETS_FILE", in: environment) == mount)
            for key in ["GREETING", "DB_PASSWORD", "DATABASE_URL", "LOG_LEVEL"] {
                #expect(FilesFixture.value(of: key, in: environment) == nil, "\(key) is not in the environment")
            }
            #expect(!FilesFixture.exists(mount))
        }
    }

    @Test func aTemplateIsRenderedWithFiltersAndItsErrorsStopBeforeTheCommand() throws {
        let server = try FilesFixture.server()
        let out = try TemporaryDirectory(prefix: "soup-files-out")
        let source = try out.write(
            "app.tmpl",
            "greeting={{ GREETING | json }}\nb64={{ GREETING|base64 }}\nsh={{ GREETING | shell }}\n{{{{ x }}\n")
        let destination = FilesFixture.path(out) + "/app.conf"
        let result = try soupRun(
            ["--template", "\(source):\(destination)", "my-app", "prod", "--", "/bin/cat", destination],
            api: server.apiURL)
        expectExit(result, 0)
        #expect(result.stdoutText == "greeting=\"hello\"\nb64=aGVsbG8=\nsh='hello'\n{{ x }}\n")
        #expect(!FilesFixture.exists(destination))

        let bad = try out.write("bad.tmpl", "ok\n\nx={{ NOT_A_SECRET }}\n")
        let failed = try soupRun(
            ["--template", "\(bad):\(destination)", "my-app", "prod", "--", "/bin/echo", "ran"], api: server.apiURL)
        expectExit(failed, 66)
        expectOneErrorLine(failed, containing: "template \(bad) line 3: NOT_A_SECRET is not among the secrets")
        #expect(failed.stdoutText.isEmpty, "the command never ran")

        let syntax = try out.write("syntax.tmpl", "x={{ GREETING | yaml }}")
        let invalid = try soupRun(
            ["--template", "\(syntax):\(destination)", "my-app", "prod", "--", "/bin/echo", "ran"], api: server.apiURL)
        expectExit(invalid, 65)
        expectOneErrorLine(invalid, containing: "line 1: unknown filter 'yaml' for GREETING")
        #expect(!FilesFixture.exists(destination))
    }

    @Test func aDestinationThatCannotBeWrittenIs73NamingIt() throws {
        let server = try FilesFixture.server()
        let out = try TemporaryDirectory(prefix: "soup-files-out")
        let runtime = try TemporaryDirectory(prefix: "soup-files-runtime")
        let cases = [
            (FilesFixture.path(out), "cannot write \(FilesFixture.path(out)): it is a directory"),
            (
                FilesFixture.path(out) + "/missing/key",
                "cannot write \(FilesFixture.path(out))/missing/key: "
                    + "the directory \(FilesFixture.path(out))/missing does not exist"
            ),
        ]
        for (path, message) in cases {
            let result = try soupRun(
                ["--file", "BINARY", "--file", "GREETING=\(path)", "my-app", "prod", "--", "/bin/echo", "ran"],
                api: server.apiURL, environment: ["XDG_RUNTIME_DIR": FilesFixture.path(runtime)])
            expectExit(result, 73)
            expectOneErrorLine(result, containing: message)
            #expect(result.stdoutText.isEmpty)
            #expect(
                FilesFixture.entries(FilesFixture.path(runtime)) == [], "what was written before the failure is removed"
            )
        }
        let missing = try soupRun(["--file", "NOPE", "my-app", "prod", "--", "/bin/echo", "ran"], api: server.apiURL)
        expectExit(missing, 66)
        expectOneErrorLine(missing, containing: "--file NOPE: this environment has no secret NOPE")
    }

    /// A child that prints its file's path, then waits; TERM ends it with 0.
    static let waitingChild = #"trap 'echo got TERM; exit 0' TERM; echo "ready $GREETING"; while :; do sleep 0.1; done"#

    @Test func filesAreRemovedWhenSoupRunIsStoppedWithSigterm() throws {
        let server = try FilesFixture.server()
        let out = try TemporaryDirectory(prefix: "soup-files-out")
        let path = FilesFixture.path(out) + "/greeting"
        let run = try ChildProcess(
            Binaries.soupRun,
            ["--file", "GREETING=\(path)", "my-app", "prod", "--", "/bin/sh", "-c", Self.waitingChild],
            environment: ["SOUP_API_URL": server.apiURL, "SOUP_TOKEN": e2eToken, "PATH": "/usr/bin:/bin"])
        #expect(run.waitForOutput("ready \(path)", in: .stdout, timeout: 30), "stderr: \(run.stderrText)")
        #expect(FilesFixture.contents(path) == Array("hello".utf8))
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        expectExit(result, 0)
        #expect(result.stdoutText.contains("got TERM"), "the signal reached the command")
        #expect(!FilesFixture.exists(path))
    }

    #if os(Linux)
        @Test(.enabled(if: unshareWorks, "unshare --pid --fork --mount-proc is not permitted here (needs root)"))
        func filesAreRemovedWhenSoupRunIsPid1AndStopped() throws {
            let server = try FilesFixture.server()
            let out = try TemporaryDirectory(prefix: "soup-files-out")
            let path = FilesFixture.path(out) + "/greeting"
            let container = try ChildProcess(
                "/usr/bin/unshare",
                [
                    "--pid", "--fork", "--mount-proc", Binaries.soupRun, "--api-url", server.apiURL, "--file",
                    "GREETING=\(path)", "my-app", "prod", "--", "/bin/sh", "-c",
                    "echo parent=$PPID; " + Self.waitingChild,
                ],
                environment: ["PATH": "/usr/bin:/bin", "SOUP_TOKEN": e2eToken])
            #expect(
                container.waitForOutput("ready \(path)", in: .stdout, timeout: 60), "stderr: \(container.stderrText)")
            #expect(container.stdoutText.contains("parent=1\n"), "soup-run is PID 1")
            #expect(FilesFixture.exists(path))
            let children = try String(
                contentsOfFile: "/proc/\(container.pid)/task/\(container.pid)/children", encoding: .utf8)
            let init1 = try #require(Int32(children.split(separator: " ").first ?? ""))
            kill(init1, SIGTERM)
            let result = container.wait(timeout: 60)
            #expect(result.termination == .exited(0), "stderr: \(result.stderrText)")
            #expect(!FilesFixture.exists(path))
        }
    #endif
}
