import Foundation
import Testing

/// The curl examples of the API contract, verbatim, against a running soup-dev-server: only the
/// base URL is substituted (and `$TOKEN` set); `-sS -i` is added so the test can read the status.
@Suite(.serialized) struct CurlExamplesTests {
    static let documentedBase = "https://api.soup.dev/api/v1"

    /// The examples from the contract's "Examples from the service's documentation", in order.
    static let examples = [
        #"""
        curl -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
          -d '{"key": "API_KEY", "value": "sk_live_..."}' \
          https://api.soup.dev/api/v1/projects/proj_123/environments/env_456/secrets
        """#,
        #"""
        curl -H "Authorization: Bearer $TOKEN" \
          "https://api.soup.dev/api/v1/projects/proj_123/environments/env_456/secrets?resolve=false"
        """#,
        #"""
        curl -X DELETE -H "Authorization: Bearer $TOKEN" \
          https://api.soup.dev/api/v1/projects/proj_123/environments/env_456/secrets/OLD_KEY
        """#,
    ]

    /// The contract's project and environment, with a parent, a reference and a key to delete.
    static let state = """
        {"tokens": {"tok_docs": {"projects": ["proj_123"]}},
         "projects": {"proj_123": {"environments": {
           "env_base": {"parent": null, "secrets": {"LOG_LEVEL": "info"}},
           "env_456": {"parent": "env_base", "secrets": {
             "OLD_KEY": "old", "DATABASE_URL": "postgres://${DB_HOST}:5432/mydb", "DB_HOST": "localhost"}}}}}}
        """

    @Test func documentedExamplesGiveTheDocumentedResponses() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path + "/state.json"
        try Self.state.write(toFile: path, atomically: false, encoding: .utf8)
        let server = try ServerProcess(["--port", "0", "--data", path], stderrPath: dir.path + "/stderr")
        defer { server.stop() }
        try server.waitUntilReady()
        func run(_ example: String) throws -> CurlResult {
            let command = example.replacingOccurrences(of: Self.documentedBase, with: server.baseURL)
                .replacingOccurrences(of: "curl ", with: "curl -sS -i --max-time 30 ")
            return try curlShell(command, environment: ["TOKEN": "tok_docs"])
        }

        let set = try run(Self.examples[0])
        #expect(set.status == 201)
        #expect(set.headers["content-type"] == "application/json")
        #expect(set.body == #"{"data":{"key":"API_KEY"}}"#)

        let raw = try run(Self.examples[1])
        #expect(raw.status == 200)
        #expect(
            raw.body
                == #"{"data":{"API_KEY":"sk_live_...","DATABASE_URL":"postgres://${DB_HOST}:5432/mydb","#
                + #""DB_HOST":"localhost","LOG_LEVEL":"info","OLD_KEY":"old"}}"#)

        let deleted = try run(Self.examples[2])
        #expect(deleted.status == 204)
        #expect(deleted.body.isEmpty)
        #expect(try run(Self.examples[2]).body == #"{"error":"Secret not found"}"#)
        #expect(server.signal(SIGTERM) == 0)
    }

    @Test func everyEndpointOverCurl() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let server = try ServerProcess(["--port", "0"], stderrPath: dir.path + "/stderr")
        defer { server.stop() }
        try server.waitUntilReady()
        let auth = ["-H", "Authorization: Bearer demo-token"]
        let env = server.baseURL + "/projects/my-app/environments/prod/secrets"

        let all = try curl(auth + [env])
        #expect(all.status == 200)
        #expect(
            all.body
                == #"{"data":{"DATABASE_URL":"postgres://app:change-me@db.internal:5432/app","DB_HOST":"db.internal","#
                + #""DB_NAME":"app","DB_PASSWORD":"change-me","DB_PORT":"5432","LOG_LEVEL":"warn"}}"#)
        let etag = try #require(all.headers["etag"])
        let notModified = try curl(auth + ["-H", "If-None-Match: \(etag)", env])
        #expect(notModified.status == 304)
        #expect(notModified.headers["etag"] == etag)
        #expect(notModified.body.isEmpty)

        let one = try curl(auth + [env + "/DB_PORT"])
        #expect(one.body == #"{"data":{"key":"DB_PORT","value":"5432"}}"#)
        let keys = try curl(auth + [env + "/keys"])
        #expect(keys.body == #"{"data":["DATABASE_URL","DB_HOST","DB_NAME","DB_PASSWORD","DB_PORT","LOG_LEVEL"]}"#)

        let unauthorized = try curl([env])
        #expect(unauthorized.status == 401)
        #expect(unauthorized.body == #"{"error":"Unauthorized"}"#)
        let missing = try curl(auth + [server.baseURL + "/projects/nope/environments/prod/secrets"])
        #expect(missing.status == 404)
        #expect(missing.body == #"{"error":"Project not found"}"#)
        let wrongMethod = try curl(auth + ["-X", "DELETE", env])
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET, HEAD, POST")
        let head = try curl(auth + ["-I", env])
        #expect(head.status == 200)
        #expect(head.headers["etag"] == etag)
        #expect(head.headers["content-length"] == String(all.body.utf8.count))
        #expect(head.body.isEmpty)
        let badKey = try curl(auth + ["-d", #"{"key":"my-var","value":"v"}"#, env])
        #expect(badKey.status == 400)
        #expect(badKey.body.hasPrefix(#"{"error":"Invalid key: keys start with a letter"#))
        #expect(server.signal(SIGTERM) == 0)
    }
}
