import Testing
@testable import SoupRun

@Suite struct ResponseInterpreterTests {
    static let token = "tok_secret_value"

    func interpret(_ response: TransportResponse, sentETag: Bool = false) throws(FetchError)
        -> ResponseInterpreter.Outcome
    {
        try ResponseInterpreter.interpret(
            response, sentETag: sentETag, token: Self.token, project: "p", environment: "e",
            apiURL: "http://h:1/api/v1")
    }

    func body(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func okYieldsTheSecretsAndTheETag() throws {
        let outcome = try interpret(
            TransportResponse(status: 200, etag: "\"v1\"", body: body(#"{"data":{"A":"1","B_2":"x\ny"}}"#)))
        #expect(outcome == .secrets(["A": "1", "B_2": "x\ny"], etag: "\"v1\""))
    }

    @Test func notModifiedOnlyWhenAnETagWasSent() throws {
        #expect(try interpret(TransportResponse(status: 304), sentETag: true) == .notModified)
        #expect(throws: FetchError.unexpectedStatus(304)) { try interpret(TransportResponse(status: 304)) }
    }

    @Test(arguments: [301, 302, 303, 307, 308])
    func redirectsNeedALocation(status: Int) throws {
        #expect(try interpret(TransportResponse(status: status, location: "/x")) == .redirect(location: "/x"))
        #expect(throws: FetchError.unexpectedStatus(status)) { try interpret(TransportResponse(status: status)) }
    }

    @Test(arguments: [
        (401, FetchError.permission(status: 401, serverMessage: "Invalid token")),
        (403, .forbidden(serverMessage: "Invalid token", project: "p", environment: "e")),
        (404, .noAPI(url: "http://h:1/api/v1", serverMessage: "Invalid token")),
        (400, .rejected(status: 400, serverMessage: "Invalid token")),
        (422, .rejected(status: 422, serverMessage: "Invalid token")),
        (500, .serverError(status: 500, serverMessage: "Invalid token", retryAfter: nil)),
        (429, .rateLimited(retryAfter: nil)),
        (100, .unexpectedStatus(100)),
        (204, .unexpectedStatus(204)),
        (300, .unexpectedStatus(300)),
    ])
    func errorStatuses(status: Int, expected: FetchError) {
        #expect(throws: expected) {
            try interpret(TransportResponse(status: status, body: body(#"{"error":"Invalid token"}"#)))
        }
    }

    /// A 404 is the API's "not found" only when its `{"error"}` names a project or environment;
    /// a route the server lacks (a base URL without /api/v1) or a proxy's page means no API there.
    @Test(arguments: [
        (
            #"{"error":"Environment not found"}"#,
            FetchError.notFound(serverMessage: "Environment not found", project: "p", environment: "e")
        ),
        (
            #"{"error":"Project not found"}"#,
            .notFound(serverMessage: "Project not found", project: "p", environment: "e")
        ),
        (
            #"{"error":"Secret not found"}"#,
            .notFound(serverMessage: "Secret not found", project: "p", environment: "e")
        ),
        (#"{"error":"Not found"}"#, .noAPI(url: "http://h:1/api/v1", serverMessage: "Not found")),
        ("<html><body>404 Not Found</body></html>", .noAPI(url: "http://h:1/api/v1", serverMessage: nil)),
        ("", .noAPI(url: "http://h:1/api/v1", serverMessage: nil)),
    ])
    func notFoundIsTheAPIsOnlyWhenItNamesWhat(body: String, expected: FetchError) {
        #expect(throws: expected) { try interpret(TransportResponse(status: 404, body: self.body(body))) }
    }

    @Test func retryAfterIsReadFrom429And503() {
        #expect(throws: FetchError.rateLimited(retryAfter: 2)) {
            try interpret(TransportResponse(status: 429, retryAfter: "2"))
        }
        #expect(throws: FetchError.serverError(status: 503, serverMessage: nil, retryAfter: 1)) {
            try interpret(TransportResponse(status: 503, retryAfter: "1"))
        }
    }

    @Test func htmlErrorBodiesAreReportedByStatusAlone() {
        let html = body("<html><body><h1>502 Bad Gateway</h1></body></html>")
        #expect(throws: FetchError.serverError(status: 502, serverMessage: nil, retryAfter: nil)) {
            try interpret(TransportResponse(status: 502, contentType: "text/html", body: html))
        }
    }

    @Test func serverMessagesAreCleanedAndNeverEchoTheToken() {
        #expect(
            ResponseInterpreter.serverMessage(body(#"{"error":"bad\u001b[31m\nthing"}"#), token: Self.token)
                == "bad[31mthing")
        #expect(
            ResponseInterpreter.serverMessage(
                body(#"{"error":"token tok_secret_value is invalid"}"#), token: Self.token) == nil)
        #expect(ResponseInterpreter.serverMessage(body(#"{"error":42}"#), token: Self.token) == nil)
        #expect(ResponseInterpreter.serverMessage(body(#"{"error":""}"#), token: Self.token) == nil)
        let long = String(repeating: "x", count: 500)
        #expect(ResponseInterpreter.serverMessage(body("{\"error\":\"\(long)\"}"), token: Self.token)?.count == 201)
    }

    /// The token must not get through by hiding in characters the cleaning removes, nor in part.
    @Test(arguments: [
        #"you sent tok_secret\u0007_value"#,  // a control character inside the token
        #"you sent tok_se\u200bcret_value"#,  // an invisible (format) character inside it
        #"you sent tok_\u009bsecret_value"#,  // a C1 control
        "token tok_secr rejected",  // a cut-off echo: 8 characters of it
        "expired: ...et_value",  // its tail
    ])
    func serverMessagesNeverEchoTheTokenInAnyDisguise(message: String) {
        #expect(ResponseInterpreter.serverMessage(body("{\"error\":\"\(message)\"}"), token: Self.token) == nil)
    }

    @Test func messagesThatShareFewCharactersWithTheTokenAreKept() {
        #expect(
            ResponseInterpreter.serverMessage(body(#"{"error":"Environment not found"}"#), token: Self.token)
                == "Environment not found")
        #expect(ResponseInterpreter.echoesToken("tok_", token: Self.token) == false)
        #expect(ResponseInterpreter.echoesToken("abc", token: "abc"))
        #expect(ResponseInterpreter.echoesToken("anything", token: "") == false)
    }

    @Test(arguments: [
        "not json", "[]", #"{"data":[]}"#, #"{"data":{"lower":"v"}}"#, #"{"data":{"A":1}}"#,
        #"{"data":{"A":"a\u0000b"}}"#,
        #"{"nodata":{}}"#,
    ])
    func invalidBodiesAreInvalidData(text: String) {
        do {
            _ = try interpret(TransportResponse(status: 200, body: body(text)))
            Issue.record("accepted an invalid body")
        } catch {
            #expect(error.exitCode == .invalidData)
        }
    }
}
