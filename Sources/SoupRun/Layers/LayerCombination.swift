import SoupCore

/// How the layers' secrets become one `[key: value]`: later layers win, key by key. Pure.
public enum LayerCombination {
    /// One layer's name and secrets, as combined.
    public typealias Part = (name: String, secrets: [String: String])

    /// A key set by more than one layer: the layer whose value is used, and the ones it overrides.
    public struct Override: Sendable, Equatable {
        public var key: String
        public var winner: String
        /// Earlier layers that also set the key, latest first.
        public var overridden: [String]

        public init(key: String, winner: String, overridden: [String]) {
            self.key = key
            self.winner = winner
            self.overridden = overridden
        }

        /// `DB_HOST from --env-file .env (over my-app/prod, --also shared/prod)`: names only.
        public var summary: String { "\(key) from \(winner) (over \(overridden.joined(separator: ", ")))" }
    }

    /// The combined secrets of `layers`, given lowest precedence first, and every key more than
    /// one layer sets (sorted by key).
    public static func combine(_ layers: [Part]) -> (secrets: [String: String], overrides: [Override]) {
        // One layer, the usual run: its secrets as they are, nothing to attribute.
        if layers.count == 1 { return (layers[0].secrets, []) }
        var secrets: [String: String] = [:]
        var setters: [String: [String]] = [:]
        for layer in layers {
            for (key, value) in layer.secrets {
                secrets[key] = value
                setters[key, default: []].append(layer.name)
            }
        }
        let overrides = ByteOrder.sorted(setters.keys.filter { setters[$0]!.count > 1 }).map { key in
            let names = setters[key]!
            return Override(key: key, winner: names.last!, overridden: names.dropLast().reversed())
        }
        return (secrets, overrides)
    }
}
