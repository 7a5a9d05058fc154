import SoupCore
import Testing

@testable import SoupDevServer

/// The state file's shape: decoding, encoding, and errors that name their place.
@Suite struct StateFileTests {
    static let issueExample = """
        {
          "tokens": {
            "tok_admin": { "projects": ["*"] },
            "tok_ci":    { "projects": ["my-app"], "tier": "free" }
          },
          "projects": {
            "my-app": { "environments": {
              "base": { "parent": null,   "secrets": { "LOG_LEVEL": "info", "DB_HOST": "localhost" } },
              "prod": { "parent": "base", "secrets": { "DB_HOST": "db.internal",
                                                       "DATABASE_URL": "postgres://${DB_HOST}:5432/app" } }
            } }
          }
        }
        """

    @Test func decodesTheIssueExample() throws {
        let state = try StateFile.decode(Array(Self.issueExample.utf8))
        #expect(
            state.tokens == [
                "tok_admin": TokenGrant(projects: ["*"]), "tok_ci": TokenGrant(projects: ["my-app"], tier: .free),
            ])
        #expect(
            state.projects == [
                "my-app": ProjectState(environments: [
                    "base": EnvironmentState(secrets: ["LOG_LEVEL": "info", "DB_HOST": "localhost"]),
                    "prod": EnvironmentState(
                        parent: "base",
                        secrets: ["DB_HOST": "db.internal", "DATABASE_URL": "postgres://${DB_HOST}:5432/app"]),
                ])
            ])
    }

    @Test func roundTripsThroughEncode() throws {
        for state in [
            DevServerState.demo, try StateFile.decode(Array(Self.issueExample.utf8)), DevServerState(), testState(),
        ] {
            let bytes = StateFile.encode(state)
            #expect(try StateFile.decode(bytes) == state)
            #expect(StateFile.encode(try StateFile.decode(bytes)) == bytes)
        }
    }

    @Test func encodesInTheIssuesShape() {
        var state = DevServerState()
        state.tokens["t"] = TokenGrant(projects: ["a", "*"])
        state.tokens["u"] = TokenGrant(projects: [], tier: .enterprise)
        state.projects["p"] = ProjectState(environments: [
            "e": EnvironmentState(secrets: ["K": "v"]), "f": EnvironmentState(parent: "e"),
        ])
        let expected = """
            {
              "projects": {
                "p": {
                  "environments": {
                    "e": {
                      "parent": null,
                      "secrets": {
                        "K": "v"
                      }
                    },
                    "f": {
                      "parent": "e",
                      "secrets": {}
                    }
                  }
                }
              },
              "tokens": {
                "t": {
                  "projects": [
                    "a",
                    "*"
                  ]
                },
                "u": {
                  "projects": [],
                  "tier": "enterprise"
                }
              }
            }

            """
        #expect(String(decoding: StateFile.encode(state), as: UTF8.self) == expected)
    }

    @Test func parentAndSecretsAreOptional() throws {
        let state = try StateFile.decode(Array(#"{"tokens":{},"projects":{"p":{"environments":{"e":{}}}}}"#.utf8))
        #expect(state.projects["p"]?.environments["e"] == EnvironmentState())
    }

    /// (document, the error's full text). Every case names its place.
    static let invalid: [(String, String)] = [
        ("{\n  \"tokens\": {},\n  oops\n}", "line 3, column 3: invalid JSON: expected a member name in quotes"),
        ("", "line 1, column 1: invalid JSON: unexpected end of input"),
        (#"{"tokens":{},"tokens":{},"projects":{}}"#, "line 1, column 14: invalid JSON: duplicate member name"),
        ("[]", "state file: expected an object, found an array"),
        (#"{"projects":{}}"#, #"state file: missing member "tokens""#),
        (#"{"tokens":{}}"#, #"state file: missing member "projects""#),
        (#"{"tokens":{},"projects":{},"extra":1}"#, #"state file: unknown member "extra""#),
        (#"{"tokens":[],"projects":{}}"#, "tokens: expected an object, found an array"),
        (#"{"tokens":{"t":{}},"projects":{}}"#, #"tokens.<token 1 of 1>: missing member "projects""#),
        (
            #"{"tokens":{"t":{"projects":"p"}},"projects":{}}"#,
            "tokens.<token 1 of 1>.projects: expected an array of project names, found a string"
        ),
        (
            #"{"tokens":{"a":{"projects":[]},"t":{"projects":["p",3]}},"projects":{}}"#,
            "tokens.<token 2 of 2>.projects[1]: expected a string, found a number"
        ),
        (
            #"{"tokens":{"t":{"projects":[],"tier":"gold"}},"projects":{}}"#,
            #"tokens.<token 1 of 1>.tier: unknown tier "gold" (one of self-hosted, free, pro, enterprise)"#
        ),
        (
            #"{"tokens":{"t":{"projects":[],"tier":1}},"projects":{}}"#,
            "tokens.<token 1 of 1>.tier: expected a string, found a number"
        ),
        (
            #"{"tokens":{"t":{"projects":[],"tiers":"free"}},"projects":{}}"#,
            #"tokens.<token 1 of 1>: unknown member "tiers""#
        ),
        (#"{"tokens":{"t":{"projects":[""]}},"projects":{}}"#, "tokens.<token 1 of 1>.projects[0]: empty project name"),
        (
            #"{"tokens":{"":{"projects":[]}},"projects":{}}"#,
            "tokens.<token 1 of 1>: a token must be printable ASCII without spaces, not empty"
        ),
        (
            #"{"tokens":{"a b":{"projects":[]}},"projects":{}}"#,
            "tokens.<token 1 of 1>: a token must be printable ASCII without spaces, not empty"
        ),
        (#"{"tokens":{},"projects":{"my-app":{}}}"#, #"projects.my-app: missing member "environments""#),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":[]}}}"#,
            "projects.my-app.environments: expected an object, found an array"
        ),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":{"prod":{"parent":"x"}}}}}"#,
            #"projects.my-app.environments.prod.parent: unknown environment "x""#
        ),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":{"prod":{"parent":3}}}}}"#,
            "projects.my-app.environments.prod.parent: expected a string or null, found a number"
        ),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":{"a":{"parent":"b"},"b":{"parent":"a"}}}}}"#,
            "projects.my-app.environments.a.parent: parent cycle a -> b -> a"
        ),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":{"a":{"parent":"a"}}}}}"#,
            "projects.my-app.environments.a.parent: parent cycle a -> a"
        ),
        (
            #"{"tokens":{},"projects":{"p":{"environments":{"a":{"parent":"b"},"b":{"parent":"c"},"c":{"parent":"b"}}}}}"#,
            "projects.p.environments.b.parent: parent cycle b -> c -> b"
        ),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":{"base":{"secrets":{"db_host":"x"}}}}}}"#,
            "projects.my-app.environments.base.secrets.db_host: invalid key (\(SecretKey.rule))"
        ),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":{"base":{"secrets":{"my.key":"x"}}}}}}"#,
            #"projects.my-app.environments.base.secrets."my.key": invalid key (\#(SecretKey.rule))"#
        ),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":{"base":{"secrets":{"DB_PORT":5432}}}}}}"#,
            "projects.my-app.environments.base.secrets.DB_PORT: expected a string, found a number"
        ),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":{"base":{"secrets":[]}}}}}"#,
            "projects.my-app.environments.base.secrets: expected an object, found an array"
        ),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":{"a.b":{"parent":"x"}}}}}"#,
            #"projects.my-app.environments."a.b".parent: unknown environment "x""#
        ),
        (
            #"{"tokens":{},"projects":{"my-app":{"environments":{"e":{"secret":{}}}}}}"#,
            #"projects.my-app.environments.e: unknown member "secret""#
        ),
        (#"{"tokens":{},"projects":{"":{"environments":{}}}}"#, "projects: empty project name"),
        (
            #"{"tokens":{},"projects":{"p":{"environments":{"":{}}}}}"#,
            "projects.p.environments: empty environment name"
        ),
    ]

    @Test(arguments: invalid)
    func refusesABrokenShapeNamingThePlace(document: String, message: String) {
        #expect {
            _ = try StateFile.decode(Array(document.utf8))
        } throws: { error in
            guard let error = error as? StateFileError else { return false }
            // JSON syntax errors also carry the byte offset; the place comes first either way.
            return error.description == message || error.description.hasPrefix(message + " at byte")
        }
    }

    @Test func errorsNeverContainTokensOrValues() {
        let documents = [
            #"{"tokens":{"tok-very-secret":{"projects":[],"tier":"x"}},"projects":{}}"#,
            #"{"tokens":{"tok-very-secret":{"projects":[1]}},"projects":{}}"#,
            #"{"tokens":{},"projects":{"p":{"environments":{"e":{"secrets":{"bad":"value-very-secret"}}}}}}"#,
            #"{"tokens":{},"projects":{"p":{"environments":{"e":{"secrets":{"K":"value-very-secret",}}}}}}"#,
        ]
        for document in documents {
            do {
                _ = try StateFile.decode(Array(document.utf8))
                Issue.record("accepted an invalid document")
            } catch {
                #expect(!error.description.contains("very-secret"))
            }
        }
    }
}
