import Foundation
import Testing

/// `--fallback` in the static release binary in an empty root: libcrypto is linked in (no
/// `openssl.cnf`, no modules), the copy is written, and a start from it works with the API down.
@Suite("static soup-run --fallback in an empty root", .serialized)
struct EmptyRootFallbackTests {
    @Test(EmptyRootTests.runnable, arguments: EmptyRootTests.withAndWithoutProc)
    func theCopyIsWrittenThenUsedWhenTheAPIIsDown(proc: Bool) throws {
        let server = try DevServer()
        let root = try EmptyRoot()
        let api = EmptyRootTests.byName(server)
        let arguments = ["--retries", "0", "--api-url", api, "--fallback", "/soup.fb", "my-app", "prod", "--", "/app"]
        let first = try root.run(arguments + EmptyRootTests.keys, environment: EmptyRootTests.environment(), proc: proc)
        EmptyRootTests.expectRan(first, "online, /proc \(proc ? "mounted" : "absent")")
        // Only the plain-http warning (soup.test is not loopback by name): no write failure.
        #expect(!first.stderrText.contains("fallback"), "\(first.stderrText)")
        #expect(FileManager.default.fileExists(atPath: root.path + "/soup.fb"))
        server.stop()

        let down = try root.run(arguments + EmptyRootTests.keys, environment: EmptyRootTests.environment(), proc: proc)
        EmptyRootTests.expectRan(down, "API down, /proc \(proc ? "mounted" : "absent")")
        #expect(down.stderrText.contains("warning: using the fallback copy from "), "\(down.stderrText)")
    }
}
