import SoupCore

/// Why a state file was refused: the place in the document (`projects.my-app.environments.prod.parent`)
/// and the problem. Tokens are never printed: a token's place is `tokens.<token N of M>`, counted in
/// byte order of the token texts. Secret values are never printed either.
public struct StateFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var place: String
    public var problem: String

    public init(place: String, problem: String) {
        self.place = place
        self.problem = problem
    }

    public var description: String { "\(place): \(problem)" }
}

/// The state file's JSON shape, read and written:
///
/// ```json
/// { "tokens":   { "<token>": { "projects": ["*"], "tier": "free" } },
///   "projects": { "my-app": { "environments": {
///       "base": { "parent": null,   "secrets": { "LOG_LEVEL": "info" } },
///       "prod": { "parent": "base", "secrets": { "DB_HOST": "db.internal" } } } } } }
/// ```
/// `tier` is optional (default `self-hosted`), as are `parent` (default null) and `secrets`
/// (default empty). Unknown members are refused, so a misspelt name is reported, not ignored.
public enum StateFile {
    /// Parses and validates a state file's bytes.
    public static func decode(_ bytes: [UInt8]) throws(StateFileError) -> DevServerState {
        let document: JSONValue
        do {
            document = try JSON.parse(bytes)
        } catch {
            let (line, column) = lineAndColumn(of: error.offset, in: bytes)
            throw StateFileError(place: "line \(line), column \(column)", problem: "invalid JSON: \(error.reason)")
        }
        let top = try object(document, at: [], allowed: ["tokens", "projects"], required: ["tokens", "projects"])
        var state = DevServerState()
        let tokens = try object(top["tokens"]!, at: ["tokens"])
        let tokenNames = sortedNames(tokens)
        for (i, token) in tokenNames.enumerated() {
            let place = ["tokens", raw("<token \(i + 1) of \(tokenNames.count)>")]
            state.tokens[token] = try grant(tokens[token]!, at: place)
        }
        let projects = try object(top["projects"]!, at: ["projects"])
        for name in sortedNames(projects) {
            state.projects[name] = try project(projects[name]!, at: ["projects", name])
        }
        try validate(state)
        return state
    }

    /// The state as the file's pretty-printed JSON text (members sorted, trailing newline).
    public static func encode(_ state: DevServerState) -> [UInt8] {
        var tokens: [String: JSONValue] = [:]
        for (token, grant) in state.tokens {
            var members: [String: JSONValue] = ["projects": .array(grant.projects.map { .string($0) })]
            if grant.tier != .selfHosted { members["tier"] = .string(grant.tier.rawValue) }
            tokens[token] = .object(members)
        }
        var projects: [String: JSONValue] = [:]
        for (name, project) in state.projects {
            var environments: [String: JSONValue] = [:]
            for (envName, env) in project.environments {
                environments[envName] = .object([
                    "parent": env.parent.map { .string($0) } ?? .null,
                    "secrets": .stringObject(env.secrets),
                ])
            }
            projects[name] = .object(["environments": .object(environments)])
        }
        let document = JSONValue.object(["tokens": .object(tokens), "projects": .object(projects)])
        return Array(document.encodedPretty().utf8)
    }

    /// Checks what types alone cannot: token texts, names, keys, parents and parent cycles.
    public static func validate(_ state: DevServerState) throws(StateFileError) {
        let tokenNames = sortedNames(state.tokens)
        for (i, token) in tokenNames.enumerated() {
            let place = "tokens.<token \(i + 1) of \(tokenNames.count)>"
            guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
                throw StateFileError(place: place, problem: "a token must be printable ASCII without spaces, not empty")
            }
            for (j, project) in state.tokens[token]!.projects.enumerated() where project.isEmpty {
                throw StateFileError(place: "\(place).projects[\(j)]", problem: "empty project name")
            }
        }
        for projectName in sortedNames(state.projects) {
            if projectName.isEmpty { throw StateFileError(place: "projects", problem: "empty project name") }
            let environments = state.projects[projectName]!.environments
            for envName in sortedNames(environments) {
                let place = ["projects", projectName, "environments", envName]
                if envName.isEmpty {
                    throw StateFileError(place: describe(Array(place.dropLast())), problem: "empty environment name")
                }
                let env = environments[envName]!
                if let parent = env.parent, environments[parent] == nil {
                    throw StateFileError(
                        place: describe(place + ["parent"]), problem: "unknown environment \(JSON.quote(parent))")
                }
                for key in sortedNames(env.secrets) where !SecretKey.isValid(key) {
                    throw StateFileError(
                        place: describe(place + ["secrets", key]), problem: "invalid key (\(SecretKey.rule))")
                }
            }
            for envName in sortedNames(environments) {
                if let cycle = parentCycle(from: envName, in: environments) {
                    throw StateFileError(
                        place: describe(["projects", projectName, "environments", envName, "parent"]),
                        problem: "parent cycle \(cycle.joined(separator: " -> "))")
                }
            }
        }
    }
}
