import Foundation
import SoupCore
import SoupDevServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Secrets and helpers for the `--file`, `--mount` and `--template` end-to-end tests.
enum FilesFixture {
    /// A value with control characters, CR LF, escape sequences, quotes and non-ASCII: what a
    /// binary-ish secret looks like once it has been through JSON (soup-run refuses NUL).
    static let binary = "\u{1}\u{7}\t\r\n\u{1B}[31m\u{7F} é 🍲 \u{FEFF}\\ '\"$x\n\n"
    /// A service-account file: newlines in the JSON and escaped ones in its strings.
    static let serviceAccount = """
        {
          "type": "service_account",
          "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n",
          "client_email": "ci@example.iam.gserviceaccount.com"
        }

        """

    /// soup-dev-server with the test data plus `BINARY`, `SA_JSON` and `GREETING` in my-app/prod.
    static func server() throws -> DevServer {
        var state = DevServer.testState
        state.projects["my-app"]?.environments["prod"]?.secrets.merge(
            ["BINARY": binary, "SA_JSON": serviceAccount, "GREETING": "hello"]
        ) { $1 }
        return try DevServer(state: state)
    }

    /// The directory's path as soup-run writes it into variables and messages: absolute, without
    /// the `//` that `NSTemporaryDirectory()`'s trailing slash leaves in it.
    static func path(_ directory: TemporaryDirectory) -> String {
        directory.path.replacingOccurrences(of: "//", with: "/")
    }

    /// The bytes of the file at `path`, or nil when it does not exist.
    static func contents(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// The permission bits of `path` (e.g. 0o600).
    static func mode(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode & 0o777)
    }

    /// The entries of a directory (empty when it is missing).
    static func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// The value of `NAME=value` in a line of `text`.
    static func value(of name: String, in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "=") {
            return String(line.dropFirst(name.count + 1))
        }
        return nil
    }

    /// Whether python3 can be run (the reload and rewrite tests' children are small Python programs).
    static let python3Available: Bool = {
        (try? runProcess("/usr/bin/env", ["python3", "-c", "pass"], environment: ["PATH": "/usr/bin:/bin"]))?
            .termination == .exited(0)
    }()

    /// Fetches `url` with curl; the body, or nil when curl failed.
    static func get(_ url: String) -> String? {
        guard
            let result = try? runProcess(
                "/usr/bin/env", ["curl", "-sS", "--max-time", "10", url], environment: ["PATH": "/usr/bin:/bin"],
                timeout: 30),
            result.termination == .exited(0)
        else { return nil }
        return result.stdoutText
    }
}
