import SoupCore
import SoupHTTP
import Testing

@testable import SoupDevServer

/// Authentication, permissions, unknown resources and paths, methods, and the order of the checks.
@Suite struct AccessTests {
    @Test(
        arguments: [
            nil, "", "Bearer", "Bearer ", "Bearer  \t ", "Basic ZGVtby10b2tlbjo=", "Token demo-token",
            "Bearer wrong-token", "Bearer demo-token-x", "Bearerdemo-token", "demo-token", "Bearer demo token",
        ] as [String?])
    func missingOrUnknownTokenIs401(authorization: String?) {
        let headers = authorization.map { [(name: "Authorization", value: $0)] } ?? []
        let response = makeAPI().send("GET", "\(prefix)/dev/secrets", token: nil, headers: headers)
        expectError(response, 401, "Unauthorized")
        #expect(response.header("WWW-Authenticate") == #"Bearer realm="soup""#)
    }

    @Test(arguments: [
        "Bearer demo-token", "bearer demo-token", "BEARER demo-token", "Bearer\tdemo-token",
        "  Bearer   demo-token  ",
    ])
    func bearerSchemeIsCaseInsensitiveAndSpacingTolerant(authorization: String) {
        let response = makeAPI().send(
            "GET", "\(prefix)/dev/secrets", token: nil, headers: [("authorization", authorization)])
        #expect(response.status == 200)
    }

    @Test func unauthorizedBodyNeverEchoesTheToken() {
        let response = makeAPI().send("GET", "\(prefix)/dev/secrets", token: "tok-secret-text")
        #expect(!response.text.contains("tok-secret-text"))
        #expect(!response.headers.contains { $0.value.contains("tok-secret-text") })
    }

    @Test func tokenOutsideItsProjectsIs403() {
        let api = makeAPI()
        expectError(api.send("GET", "\(prefix)/dev/secrets", token: "tok-other"), 403, "Permission denied")
        expectError(api.send("GET", "\(prefix)/dev/secrets/LOG_LEVEL", token: "tok-other"), 403, "Permission denied")
        expectError(api.send("GET", "\(prefix)/dev/secrets/keys", token: "tok-other"), 403, "Permission denied")
        let post = api.send("POST", "\(prefix)/dev/secrets", token: "tok-other", body: #"{"key":"K","value":"v"}"#)
        expectError(post, 403, "Permission denied")
        expectError(api.send("DELETE", "\(prefix)/dev/secrets/LOG_LEVEL", token: "tok-other"), 403, "Permission denied")
        #expect(api.store.snapshot == testState())
        let own = api.send("GET", "/api/v1/projects/other-app/environments/main/secrets", token: "tok-other")
        #expect(own.status == 200)
    }

    @Test func unknownProjectOrEnvironmentIs404() {
        let api = makeAPI()
        for suffix in ["secrets", "secrets/LOG_LEVEL", "secrets/keys"] {
            expectError(api.send("GET", "/api/v1/projects/nope/environments/dev/\(suffix)"), 404, "Project not found")
            expectError(api.send("GET", "\(prefix)/nope/\(suffix)"), 404, "Environment not found")
        }
        let post = api.send("POST", "\(prefix)/nope/secrets", body: #"{"key":"K","value":"v"}"#)
        expectError(post, 404, "Environment not found")
        expectError(api.send("DELETE", "/api/v1/projects/nope/environments/dev/secrets/K"), 404, "Project not found")
        #expect(api.store.snapshot == testState())
    }

    @Test(arguments: [
        "/", "/api", "/api/v1", "/api/v1/", "/api/v1/projects", "/api/v1/projects/my-app",
        "/api/v1/projects/my-app/environments", "/api/v1/projects/my-app/environments/dev",
        "/api/v1/projects/my-app/environments/dev/secrets/", "/api/v1/projects/my-app/environments/dev/secrets/A/B",
        "/api/v1/projects/my-app/environments/dev/secret", "/api/v2/projects/my-app/environments/dev/secrets",
        "/api/v1/projects//environments/dev/secrets", "api/v1/projects/my-app/environments/dev/secrets",
        "*", "/API/V1/projects/my-app/environments/dev/secrets",
    ])
    func unknownPathIs404(path: String) {
        expectError(makeAPI().send("GET", path), 404, "Not found")
        expectError(makeAPI().send("GET", path, token: nil), 404, "Not found")
    }

    @Test func malformedPercentEncodingIs400() {
        expectError(
            makeAPI().send("GET", "/api/v1/projects/my%2-app/environments/dev/secrets"), 400,
            "Malformed percent-encoding in the path")
        expectError(
            makeAPI().send("GET", "/api/v1/projects/%FF/environments/dev/secrets"), 400,
            "Malformed percent-encoding in the path")
    }

    @Test(arguments: [
        ("PUT", "secrets", "GET, HEAD, POST"), ("DELETE", "secrets", "GET, HEAD, POST"),
        ("PATCH", "secrets", "GET, HEAD, POST"), ("OPTIONS", "secrets", "GET, HEAD, POST"),
        ("POST", "secrets/KEY", "GET, HEAD, DELETE"), ("PUT", "secrets/KEY", "GET, HEAD, DELETE"),
        ("POST", "secrets/keys", "GET, HEAD"), ("DELETE", "secrets/keys", "GET, HEAD"),
        ("get", "secrets", "GET, HEAD, POST"),
    ])
    func wrongMethodIs405WithAllow(method: String, suffix: String, allow: String) {
        let api = makeAPI()
        let response = api.send(method, "\(prefix)/dev/\(suffix)", body: #"{"key":"K","value":"v"}"#)
        expectError(response, 405, "Method not allowed")
        #expect(response.header("Allow") == allow)
        #expect(api.store.snapshot == testState())
    }

    @Test(arguments: ["secrets", "secrets/DB_HOST", "secrets/keys", "secrets?resolve=false"])
    func headAnswersAsGet(suffix: String) {
        let api = makeAPI()
        let get = api.send("GET", "\(prefix)/dev/\(suffix)")
        #expect(get.status == 200)
        #expect(api.send("HEAD", "\(prefix)/dev/\(suffix)") == get)
        expectError(api.send("HEAD", "\(prefix)/dev/\(suffix)", token: nil), 401, "Unauthorized")
    }

    @Test func checksRunInTheDocumentedOrder() {
        let clock = ManualClock()
        let api = makeAPI(clock: clock)
        // 401 before 403 and 404.
        expectError(
            api.send("GET", "/api/v1/projects/nope/environments/x/secrets", token: "wrong"), 401, "Unauthorized")
        // 403 before 404: a token does not learn which other projects exist.
        expectError(
            api.send("GET", "/api/v1/projects/nope/environments/x/secrets", token: "tok-other"), 403,
            "Permission denied")
        // 404 before 400 (query and body are read last).
        expectError(api.send("GET", "\(prefix)/nope/secrets?resolve=maybe"), 404, "Environment not found")
        expectError(api.send("POST", "\(prefix)/nope/secrets", body: "{"), 404, "Environment not found")
        // 429 before 403.
        for _ in 0..<100 { _ = api.send("GET", "\(prefix)/dev/secrets", token: "tok-free") }
        let limited = api.send("GET", "/api/v1/projects/other-app/environments/main/secrets", token: "tok-free")
        expectError(limited, 429, "Rate limit exceeded")
        // 405 and unknown paths describe only the API: they come before authentication.
        expectError(api.send("PUT", "\(prefix)/dev/secrets", token: nil), 405, "Method not allowed")
    }

    @Test func everyRefusalIsAJSONErrorObject() {
        let api = makeAPI()
        let responses = [
            api.send("GET", "\(prefix)/dev/secrets", token: nil), api.send("GET", "/nope"),
            api.send("PUT", "\(prefix)/dev/secrets"), api.send("POST", "\(prefix)/dev/secrets", body: "x"),
            api.send("GET", "\(prefix)/dev/secrets/NOPE"), api.send("GET", "\(prefix)/dev/secrets", token: "tok-other"),
        ]
        for response in responses {
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.json?["error"]?.stringValue?.isEmpty == false)
            #expect(response.json?.objectValue?.count == 1)
        }
    }

    @Test func bearerTokenParsing() {
        #expect(SecretsAPI.bearerToken("Bearer abc") == "abc")
        #expect(SecretsAPI.bearerToken("bEaReR   abc  ") == "abc")
        #expect(SecretsAPI.bearerToken("Bearer a b") == "a b")
        #expect(SecretsAPI.bearerToken("Bearer") == nil)
        #expect(SecretsAPI.bearerToken("Bearerabc") == nil)
        #expect(SecretsAPI.bearerToken(nil) == nil)
    }
}
