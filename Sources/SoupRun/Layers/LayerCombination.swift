import SoupCore

/// How the layers' secrets become one set of secrets: later layers win, key by key. Pure.
public enum LayerCombination {
    /// One layer's name and secrets, as combined.
    public typealias Part = (name: String, secrets: SecretSet)

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
    public static func combine(_ layers: [Part]) -> (secrets: SecretSet, overrides: [Override]) {
        // One layer, the usual run: its secrets as they are, nothing to attribute.
        if layers.count == 1 { return (layers[0].secrets, []) }
        var builder = SecretSet.Builder(
            reservingBytes: layers.reduce(0) { $0 + $1.secrets.byteCount },
            records: layers.reduce(0) { $0 + $1.secrets.count })
        for layer in layers {
            layer.secrets.forEachBytes { key, value in builder.append(key: key, value: value) }
        }
        // Of a key appended more than once, the last value: the latest layer's.
        let secrets = builder.finish().set
        var overrides: [Override] = []
        secrets.forEachBytes { key, _ in
            let names = layers.filter { $0.secrets.index(of: key) != nil }.map(\.name)
            guard names.count > 1 else { return }
            overrides.append(
                Override(
                    key: String(decoding: key, as: UTF8.self), winner: names.last!,
                    overridden: names.dropLast().reversed()))
        }
        return (secrets, overrides)
    }
}
