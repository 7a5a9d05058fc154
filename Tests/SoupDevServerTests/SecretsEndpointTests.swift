import SoupCore
import SoupHTTP
import Testing

@testable import SoupDevServer

/// The contract's endpoints through `SecretsAPI.handle`: statuses, bodies, inheritance, deletes.
@Suite struct SecretsEndpointTests {
    @Test func getAllResolvesWithInheritance() {
        let response = makeAPI().send("GET", "\(prefix)/dev/secrets")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(
            response.text
                == #"{"data":{"DATABASE_URL":"postgres://app:dev-password@localhost:5432/app","DB_HOST":"localhost","#
                + #""DB_NAME":"app","DB_PASSWORD":"dev-password","DB_PORT":"5432","FEATURE_BETA":"true","LOG_LEVEL":"info"}}"#
        )
    }

    @Test func getAllChildOverridesWhatTheParentSets() {
        let data = makeAPI().send("GET", "\(prefix)/prod/secrets").json?["data"]
        #expect(
            data
                == .stringObject([
                    "DATABASE_URL": "postgres://app:change-me@db.internal:5432/app", "DB_HOST": "db.internal",
                    "DB_NAME": "app", "DB_PASSWORD": "change-me", "DB_PORT": "5432", "LOG_LEVEL": "warn",
                ]))
    }

    @Test func getAllResolveFalseReturnsRawValues() {
        let api = makeAPI()
        let raw = api.send("GET", "\(prefix)/dev/secrets?resolve=false").json?["data"]
        #expect(raw?["DATABASE_URL"] == .string("postgres://app:${DB_PASSWORD}@${DB_HOST}:${DB_PORT}/${DB_NAME}"))
        #expect(raw?["LOG_LEVEL"] == .string("info"))
        let resolved = api.send("GET", "\(prefix)/dev/secrets?resolve=true").json?["data"]
        #expect(resolved?["DATABASE_URL"] == .string("postgres://app:dev-password@localhost:5432/app"))
        // Unknown parameters are ignored; `resolve` is found among them.
        let mixed = api.send("GET", "\(prefix)/dev/secrets?x=1&resolve=false&y").json?["data"]
        #expect(mixed == raw)
    }

    @Test(arguments: [
        ("resolve=maybe", "Query parameter resolve must be true or false"),
        ("resolve=TRUE", "Query parameter resolve must be true or false"),
        ("resolve=", "Query parameter resolve must be true or false"),
        ("resolve", "Query parameter resolve must be true or false"),
        ("resolve=1", "Query parameter resolve must be true or false"),
        ("resolve=true&resolve=false", "Query parameter resolve given more than once"),
        ("resolve=%ZZ", "Malformed percent-encoding in the query string"),
    ])
    func badResolveIs400(query: String, message: String) {
        let api = makeAPI()
        expectError(api.send("GET", "\(prefix)/dev/secrets?\(query)"), 400, message)
        expectError(api.send("GET", "\(prefix)/dev/secrets/LOG_LEVEL?\(query)"), 400, message)
    }

    @Test func getOneReturnsKeyAndResolvedValue() {
        let api = makeAPI()
        let own = api.send("GET", "\(prefix)/dev/secrets/DATABASE_URL")
        #expect(own.status == 200)
        #expect(
            own.text == #"{"data":{"key":"DATABASE_URL","value":"postgres://app:dev-password@localhost:5432/app"}}"#)
        let inherited = api.send("GET", "\(prefix)/dev/secrets/DB_PORT")
        #expect(inherited.text == #"{"data":{"key":"DB_PORT","value":"5432"}}"#)
        let raw = api.send("GET", "\(prefix)/prod/secrets/DATABASE_URL?resolve=false")
        #expect(
            raw.json?["data"]?["value"] == .string("postgres://app:${DB_PASSWORD}@${DB_HOST}:${DB_PORT}/${DB_NAME}"))
    }

    @Test(arguments: ["NOPE", "FEATURE_BETA", "lowercase", "A%2FB"])
    func getOneAbsentIs404(key: String) {
        // FEATURE_BETA is set in dev only, not in prod or its parent.
        expectError(makeAPI().send("GET", "\(prefix)/prod/secrets/\(key)"), 404, "Secret not found")
    }

    @Test func postCreatesAndUpdates() {
        let api = makeAPI()
        let created = api.send("POST", "\(prefix)/dev/secrets", body: #"{"key": "API_KEY", "value": "sk_live_1"}"#)
        #expect(created.status == 201)
        #expect(created.header("Content-Type") == "application/json")
        #expect(created.text == #"{"data":{"key":"API_KEY"}}"#)
        #expect(api.send("GET", "\(prefix)/dev/secrets/API_KEY").json?["data"]?["value"] == .string("sk_live_1"))
        let updated = api.send("POST", "\(prefix)/dev/secrets", body: #"{"key":"API_KEY","value":"sk_live_2"}"#)
        #expect(updated.status == 201)
        #expect(api.send("GET", "\(prefix)/dev/secrets/API_KEY").json?["data"]?["value"] == .string("sk_live_2"))
        // Set in dev only: prod and base do not see it.
        expectError(api.send("GET", "\(prefix)/prod/secrets/API_KEY"), 404, "Secret not found")
    }

    @Test func postInAChildOverridesTheParentAndReferencesFollow() {
        let api = makeAPI()
        #expect(api.send("POST", "\(prefix)/dev/secrets", body: #"{"key":"DB_HOST","value":"dev-db"}"#).status == 201)
        let data = api.send("GET", "\(prefix)/dev/secrets").json?["data"]
        #expect(data?["DB_HOST"] == .string("dev-db"))
        #expect(data?["DATABASE_URL"] == .string("postgres://app:dev-password@dev-db:5432/app"))
        #expect(api.send("GET", "\(prefix)/base/secrets/DB_HOST").json?["data"]?["value"] == .string("localhost"))
    }

    @Test func postAcceptsAnyStringValueAndIgnoresOtherMembers() {
        let api = makeAPI()
        let body = #"{"key":"ODD","value":"line\nbreak \"quoted\" ${NOPE} é","note":1}"#
        #expect(api.send("POST", "\(prefix)/dev/secrets", body: body).status == 201)
        let value = api.send("GET", "\(prefix)/dev/secrets/ODD").json?["data"]?["value"]
        #expect(value == .string("line\nbreak \"quoted\" ${NOPE} é"))
    }

    @Test(arguments: [
        ("", "Invalid JSON body: unexpected end of input at byte 0"),
        ("{", "Invalid JSON body: expected a member name in quotes at byte 1"),
        (#"["KEY","v"]"#, "Request body must be a JSON object with string members key and value"),
        (#"{"value":"v"}"#, "Missing member key in the request body"),
        (#"{"key":"KEY"}"#, "Missing member value in the request body"),
        (#"{"key":5,"value":"v"}"#, "Member key must be a string"),
        (#"{"key":"KEY","value":5}"#, "Member value must be a string"),
        (#"{"key":"KEY","value":null}"#, "Member value must be a string"),
        (#"{"key":"database_url","value":"v"}"#, "Invalid key: \(SecretKey.rule)"),
        (#"{"key":"123_KEY","value":"v"}"#, "Invalid key: \(SecretKey.rule)"),
        (#"{"key":"my-var","value":"v"}"#, "Invalid key: \(SecretKey.rule)"),
        (#"{"key":"","value":"v"}"#, "Invalid key: \(SecretKey.rule)"),
        (#"{"key":"_KEY","value":"v"}"#, "Invalid key: \(SecretKey.rule)"),
        (#"{"key":"A\#(String(repeating: "B", count: 255))","value":"v"}"#, "Invalid key: \(SecretKey.rule)"),
    ])
    func postBadBodyIs400(body: String, message: String) {
        let api = makeAPI()
        expectError(api.send("POST", "\(prefix)/dev/secrets", body: body), 400, message)
        #expect(api.store.snapshot == testState())
    }

    @Test(arguments: ["DATABASE_URL", "API_KEY_V2", "MY_VAR", "A", "A\(String(repeating: "9", count: 254))"])
    func postValidKeysAre201(key: String) {
        let response = makeAPI().send("POST", "\(prefix)/dev/secrets", body: #"{"key":"\#(key)","value":"v"}"#)
        #expect(response.status == 201)
        #expect(response.json?["data"]?["key"] == .string(key))
    }

    @Test func deleteRemovesOnlyFromTheEnvironmentAndTheParentShowsThrough() {
        let api = makeAPI()
        #expect(api.send("GET", "\(prefix)/prod/secrets/DB_HOST").json?["data"]?["value"] == .string("db.internal"))
        let deleted = api.send("DELETE", "\(prefix)/prod/secrets/DB_HOST")
        #expect(deleted.status == 204)
        #expect(deleted.body.isEmpty)
        #expect(api.send("GET", "\(prefix)/prod/secrets/DB_HOST").json?["data"]?["value"] == .string("localhost"))
        let url = api.send("GET", "\(prefix)/prod/secrets/DATABASE_URL").json?["data"]?["value"]
        #expect(url == .string("postgres://app:change-me@localhost:5432/app"))
        #expect(api.send("GET", "\(prefix)/base/secrets/DB_HOST").status == 200)
        // Deleted once; a second delete finds nothing set in prod.
        expectError(api.send("DELETE", "\(prefix)/prod/secrets/DB_HOST"), 404, "Secret not found")
    }

    @Test func deleteOfAnInheritedOrAbsentKeyIs404AndChangesNothing() {
        let api = makeAPI()
        expectError(api.send("DELETE", "\(prefix)/prod/secrets/DB_PORT"), 404, "Secret not found")
        expectError(api.send("DELETE", "\(prefix)/prod/secrets/NOPE"), 404, "Secret not found")
        #expect(api.store.snapshot == testState())
    }

    @Test func deleteOfTheLastDefinitionMakesTheKeyAbsent() {
        let api = makeAPI()
        #expect(api.send("DELETE", "\(prefix)/dev/secrets/FEATURE_BETA").status == 204)
        expectError(api.send("GET", "\(prefix)/dev/secrets/FEATURE_BETA"), 404, "Secret not found")
        #expect(api.send("GET", "\(prefix)/dev/secrets").json?["data"]?["FEATURE_BETA"] == nil)
    }

    @Test func keysListsOwnAndInheritedKeysSorted() {
        let api = makeAPI()
        let response = api.send("GET", "\(prefix)/dev/secrets/keys")
        #expect(response.status == 200)
        #expect(
            response.text
                == #"{"data":["DATABASE_URL","DB_HOST","DB_NAME","DB_PASSWORD","DB_PORT","FEATURE_BETA","LOG_LEVEL"]}"#)
        let base = api.send("GET", "\(prefix)/base/secrets/keys").json
        #expect(base == .object(["data": .array(["DB_HOST", "DB_NAME", "DB_PORT", "LOG_LEVEL"].map { .string($0) })]))
        let empty = makeAPI().send("GET", "/api/v1/projects/other-app/environments/main/secrets/keys", token: "tok-pro")
        #expect(empty.text == #"{"data":[]}"#)
    }

    @Test func percentEncodedSegmentsAreDecoded() {
        var state = testState()
        state.projects["my app/x"] = ProjectState(environments: ["é": EnvironmentState(secrets: ["K": "v"])])
        let api = makeAPI(state)
        let response = api.send("GET", "/api/v1/projects/my%20app%2Fx/environments/%C3%A9/secrets/%4B")
        #expect(response.json?["data"] == .object(["key": .string("K"), "value": .string("v")]))
        // An encoded `keys` is still the key list.
        #expect(api.send("GET", "\(prefix)/dev/secrets/%6Beys").json?["data"]?.arrayValue?.count == 7)
    }
}
