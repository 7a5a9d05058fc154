import SoupRun
import Testing

/// The merge rules: --only, --preserve-env, --pristine, token stripping, warnings.
@Suite struct EnvironmentMergeTests {
    static let inherited = [
        "PATH": "/usr/bin:/bin", "HOME": "/home/u", "SHARED": "inherited-shared", "ONLY_INHERITED": "i",
        "SOUP_TOKEN": "tok-SECRET-7f3a", "SOUP_TOKEN_FILE": "/run/secrets/soup",
    ]
    static let secrets = ["SHARED": "secret-shared", "NEW": "secret-new", "PATH": "/opt/evil/bin", "A": "secret-a"]

    static func configuration(
        only: [String]? = nil, preserve: Configuration.Preserve = .none, pristine: Bool = false, keepToken: Bool = false
    ) -> Configuration {
        var c = Configuration(project: "p", environment: "e", mode: .run(command: ["x"]), token: .literal(Secret("t")))
        c.only = only
        c.preserve = preserve
        c.pristine = pristine
        c.keepToken = keepToken
        return c
    }

    static func merge(_ c: Configuration) throws -> MergeResult {
        try EnvironmentMerge.merge(inherited: inherited, secrets: secrets, configuration: c)
    }

    @Test func defaultsSecretsWinAndTokenIsStripped() throws {
        let result = try Self.merge(Self.configuration())
        #expect(
            result.environment == [
                "PATH": "/opt/evil/bin", "HOME": "/home/u", "SHARED": "secret-shared", "ONLY_INHERITED": "i",
                "NEW": "secret-new", "A": "secret-a",
            ])
        #expect(result.warnings == ["the secret PATH overrides the inherited PATH"])
    }

    @Test func explicitCombinations() throws {
        #expect(try Self.merge(Self.configuration(pristine: true)).environment == Self.secrets)
        #expect(try Self.merge(Self.configuration(only: ["A"], pristine: true)).environment == ["A": "secret-a"])
        #expect(
            try Self.merge(Self.configuration(preserve: .all)).environment == [
                "PATH": "/usr/bin:/bin", "HOME": "/home/u", "SHARED": "inherited-shared", "ONLY_INHERITED": "i",
                "NEW": "secret-new", "A": "secret-a",
            ])
        // --pristine keeps the listed inherited variables, secret or not.
        #expect(
            try Self.merge(Self.configuration(preserve: .keys(["PATH", "HOME"]), pristine: true)).environment == [
                "PATH": "/usr/bin:/bin", "HOME": "/home/u", "SHARED": "secret-shared", "NEW": "secret-new",
                "A": "secret-a",
            ])
        #expect(try Self.merge(Self.configuration(keepToken: true)).environment["SOUP_TOKEN"] == "tok-SECRET-7f3a")
        #expect(
            try Self.merge(Self.configuration(keepToken: true)).environment["SOUP_TOKEN_FILE"] == "/run/secrets/soup")
        #expect(try Self.merge(Self.configuration(pristine: true, keepToken: true)).environment["SOUP_TOKEN"] == nil)
        // A stripped token is not "inherited": --preserve-env cannot bring it back.
        #expect(try Self.merge(Self.configuration(preserve: .all)).environment["SOUP_TOKEN"] == nil)
    }

    static func isPreserved(_ key: String, _ preserve: Configuration.Preserve) -> Bool {
        switch preserve {
        case .none: return false
        case .all: return true
        case .keys(let keys): return keys.contains(key)
        }
    }

    static let onlyChoices: [[String]?] = [nil, ["A", "SHARED"]]
    static let preserveChoices: [Configuration.Preserve] = [
        .none, .all, .keys(["SHARED", "NEW"]), .keys(["HOME", "SOUP_TOKEN"]),
    ]

    /// Every combination of the four settings, against the rules stated one by one.
    @Test(arguments: onlyChoices, preserveChoices)
    func everyCombinationFollowsTheRules(only: [String]?, preserve: Configuration.Preserve) throws {
        for pristine in [false, true] {
            for keepToken in [false, true] {
                let c = Self.configuration(only: only, preserve: preserve, pristine: pristine, keepToken: keepToken)
                let env = try Self.merge(c).environment
                let selected = only.map { Set($0) } ?? Set(Self.secrets.keys)
                var base = Self.inherited
                if !keepToken {
                    base["SOUP_TOKEN"] = nil
                    base["SOUP_TOKEN_FILE"] = nil
                }
                let kept = pristine ? Set(base.keys.filter { Self.isPreserved($0, preserve) }) : Set(base.keys)
                let expectedKeys = selected.union(kept)
                #expect(Set(env.keys) == expectedKeys, "\(c)")
                for key in selected {
                    let preserved = Self.isPreserved(key, preserve)
                    let expected = preserved ? (base[key] ?? Self.secrets[key]) : Self.secrets[key]
                    #expect(env[key] == expected, "\(key) with \(c)")
                }
                for key in kept where !selected.contains(key) { #expect(env[key] == base[key]) }
                #expect((env["SOUP_TOKEN"] != nil) == (keepToken && kept.contains("SOUP_TOKEN")))
            }
        }
    }

    @Test func onlyListingMissingKeysFailsWithNotFound() throws {
        let error = try #require(throws: MergeError.self) {
            try Self.merge(Self.configuration(only: ["ZZZ", "A", "MISSING"]))
        }
        #expect(error.exitCode == .notFound)
        #expect(error.reason == .onlyKeysNotFound(["MISSING", "ZZZ"]))
        #expect(error.description == "--only lists keys this environment does not have: MISSING, ZZZ")
        let one = try #require(throws: MergeError.self) { try Self.merge(Self.configuration(only: ["X"])) }
        #expect(one.description == "--only lists X, which this environment does not have")
    }

    @Test func selectedSecretsForExport() throws {
        #expect(try EnvironmentMerge.selectedSecrets(Self.secrets, configuration: Self.configuration()) == Self.secrets)
        #expect(
            try EnvironmentMerge.selectedSecrets(Self.secrets, configuration: Self.configuration(only: ["NEW"]))
                == ["NEW": "secret-new"])
        #expect(throws: MergeError.self) {
            try EnvironmentMerge.selectedSecrets(Self.secrets, configuration: Self.configuration(only: ["NOPE"]))
        }
    }

    /// Secrets of the token variables' names are the user's data: injected, not stripped.
    @Test func secretsNamedLikeTheTokenAreInjected() throws {
        let result = try EnvironmentMerge.merge(
            inherited: ["SOUP_TOKEN": "api-token"], secrets: ["SOUP_TOKEN": "app-value"],
            configuration: Self.configuration())
        #expect(result.environment == ["SOUP_TOKEN": "app-value"])
    }

    @Test func warningsAreExactSortedAndHoldNoValues() throws {
        let inherited = ["PATH": "/bin", "HOME": "/home/u", "NODE_OPTIONS": "--same", "LD_LIBRARY_PATH": "/lib"]
        let secrets = [
            "PATH": "val-path", "HOME": "val-home", "LD_PRELOAD": "val-preload", "NODE_OPTIONS": "--same",
            "LD_LIBRARY_PATH": "val-ld", "OTHER": "val-other",
        ]
        let result = try EnvironmentMerge.merge(
            inherited: inherited, secrets: secrets, configuration: Self.configuration())
        #expect(
            result.warnings == [
                "the secret HOME overrides the inherited HOME",
                "the secret LD_LIBRARY_PATH overrides the inherited LD_LIBRARY_PATH",
                "the secret LD_PRELOAD sets LD_PRELOAD, which was not set before",
                "the secret PATH overrides the inherited PATH",
            ])
        for warning in result.warnings {
            for value in Array(secrets.values) + Array(inherited.values) { #expect(!warning.contains(value)) }
        }
        // Preserved keys keep the inherited value, so nothing is overridden.
        let preserved = try EnvironmentMerge.merge(
            inherited: inherited, secrets: secrets, configuration: Self.configuration(preserve: .all))
        #expect(preserved.warnings == ["the secret LD_PRELOAD sets LD_PRELOAD, which was not set before"])
        let quietPath = try EnvironmentMerge.merge(
            inherited: inherited, secrets: secrets, configuration: Self.configuration(only: ["OTHER"]))
        #expect(quietPath.warnings.isEmpty)
        #expect(
            EnvironmentMerge.sensitiveVariables == ["HOME", "LD_LIBRARY_PATH", "LD_PRELOAD", "NODE_OPTIONS", "PATH"])
    }

    @Test func mergeIsDeterministic() throws {
        let first = try Self.merge(Self.configuration(preserve: .keys(["PATH"])))
        for _ in 0..<20 { #expect(try Self.merge(Self.configuration(preserve: .keys(["PATH"]))) == first) }
    }
}
