import SoupCore

/// The type checks of the state file, member by member, each naming its place.
extension StateFile {
    static func grant(_ value: JSONValue, at place: [String]) throws(StateFileError) -> TokenGrant {
        let members = try object(value, at: place, allowed: ["projects", "tier"], required: ["projects"])
        guard case .array(let items) = members["projects"]! else {
            throw wrongType(members["projects"]!, expected: "an array of project names", at: place + ["projects"])
        }
        var projects: [String] = []
        for (i, item) in items.enumerated() {
            guard let name = item.stringValue else {
                throw wrongType(item, expected: "a string", at: place + [raw("projects[\(i)]")])
            }
            projects.append(name)
        }
        var tier = Tier.selfHosted
        if let tierValue = members["tier"] {
            guard let text = tierValue.stringValue else {
                throw wrongType(tierValue, expected: "a string", at: place + ["tier"])
            }
            guard let known = Tier(rawValue: text) else {
                let names = Tier.allCases.map(\.rawValue).joined(separator: ", ")
                throw StateFileError(
                    place: describe(place + ["tier"]), problem: "unknown tier \(JSON.quote(text)) (one of \(names))")
            }
            tier = known
        }
        return TokenGrant(projects: projects, tier: tier)
    }

    static func project(_ value: JSONValue, at place: [String]) throws(StateFileError) -> ProjectState {
        let members = try object(value, at: place, allowed: ["environments"], required: ["environments"])
        let environments = try object(members["environments"]!, at: place + ["environments"])
        var project = ProjectState()
        for name in sortedNames(environments) {
            project.environments[name] = try environment(environments[name]!, at: place + ["environments", name])
        }
        return project
    }

    static func environment(_ value: JSONValue, at place: [String]) throws(StateFileError) -> EnvironmentState {
        let members = try object(value, at: place, allowed: ["parent", "secrets"])
        var env = EnvironmentState()
        switch members["parent"] {
        case nil, .null?: env.parent = nil
        case .string(let parent)?: env.parent = parent
        case let other?: throw wrongType(other, expected: "a string or null", at: place + ["parent"])
        }
        if let secretsValue = members["secrets"] {
            let secrets = try object(secretsValue, at: place + ["secrets"])
            for key in sortedNames(secrets) {
                // The message names the key and the kind of value, never the value.
                guard let text = secrets[key]!.stringValue else {
                    throw wrongType(secrets[key]!, expected: "a string", at: place + ["secrets", key])
                }
                env.secrets[key] = text
            }
        }
        return env
    }

    /// The members of an object, after checking the allowed and required names.
    static func object(
        _ value: JSONValue, at place: [String], allowed: Set<String>? = nil, required: [String] = []
    ) throws(StateFileError) -> [String: JSONValue] {
        guard let members = value.objectValue else { throw wrongType(value, expected: "an object", at: place) }
        if let allowed {
            for name in sortedNames(members) where !allowed.contains(name) {
                throw StateFileError(place: describe(place), problem: "unknown member \(JSON.quote(name))")
            }
        }
        for name in required where members[name] == nil {
            throw StateFileError(place: describe(place), problem: "missing member \(JSON.quote(name))")
        }
        return members
    }

    static func wrongType(_ value: JSONValue, expected: String, at place: [String]) -> StateFileError {
        StateFileError(place: describe(place), problem: "expected \(expected), found \(value.kindDescription)")
    }

    /// A place as dotted names; a name that is not plain (`a-z A-Z 0-9 _ -`) is JSON-quoted.
    static func describe(_ place: [String]) -> String {
        if place.isEmpty { return "state file" }
        return place.map { name in
            let plain =
                !name.isEmpty
                && name.utf8.allSatisfy {
                    ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                        || $0 == 0x5F || $0 == 0x2D
                }
            if plain { return name }
            if name.hasPrefix(rawMark) { return String(name.dropFirst()) }
            return JSON.quote(name)
        }.joined(separator: ".")
    }

    /// Marks a place component written as it should read (a token placeholder, an array index).
    static func raw(_ text: String) -> String { rawMark + text }
    private static let rawMark = "\u{0}"

    /// The names of a dictionary in byte order, so the first error reported is always the same one.
    static func sortedNames<V>(_ dictionary: [String: V]) -> [String] {
        ByteOrder.sorted(dictionary.keys)
    }

    /// The chain `start -> ... -> start` when following parents from `start` comes back to it.
    static func parentCycle(from start: String, in environments: [String: EnvironmentState]) -> [String]? {
        var chain = [start]
        var current = start
        // At most one step per environment: a longer walk must have repeated one.
        for _ in 0...environments.count {
            guard let parent = environments[current]?.parent else { return nil }
            chain.append(parent)
            if parent == start { return chain }
            if chain.dropLast().contains(parent) { return nil }  // a cycle that `start` only leads into
            current = parent
        }
        return nil
    }

    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var column = 1
        for b in bytes.prefix(offset) {
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
