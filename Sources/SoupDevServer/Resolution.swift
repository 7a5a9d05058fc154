/// Inheritance and `${NAME}` reference resolution: pure functions over values.
public enum Resolution {
    /// A substitution that would make a resolved value longer than this many UTF-8 bytes is not
    /// made (the reference stays literal), so references that double a value at every level
    /// cannot exhaust memory. 128 KiB is also the longest `NAME=value` string Linux's exec takes.
    public static let maxResolvedLength = 128 * 1024

    /// The secrets an environment sees: its own, then its parent's, and so on; the nearest wins.
    /// Nil when `environment` is not in `project`.
    public static func inherited(_ project: ProjectState, environment: String) -> [String: String]? {
        guard project.environments[environment] != nil else { return nil }
        var merged: [String: String] = [:]
        var current: String? = environment
        var visited: Set<String> = []
        // Parent cycles are refused at load; the visited set keeps this bounded regardless.
        while let name = current, let env = project.environments[name], visited.insert(name).inserted {
            merged.merge(env.secrets) { nearer, _ in nearer }
            current = env.parent
        }
        return merged
    }

    /// Replaces every `${NAME}` in every value by the resolved value of `NAME` from the same map.
    ///
    /// A reference stays literal when `NAME` is not in `values`, when it is part of a reference
    /// cycle (it leads back to the value that contains it, itself included), or when the
    /// substitution would pass `maxLength`. `$NAME` without braces, and `${` without a closing
    /// `}`, are plain text. A substituted value is not scanned again. Runs in time linear in the
    /// input plus the output; never fails, never loops.
    public static func resolve(_ values: [String: String], maxLength: Int = maxResolvedLength) -> [String: String] {
        let keys = values.keys.sorted()
        var indexOf: [String: Int] = [:]
        for (i, key) in keys.enumerated() { indexOf[key] = i }
        let parts = keys.map { parse(Array(values[$0]!.utf8)) }
        let edges = parts.map { segments in
            segments.compactMap { segment -> Int? in
                if case .reference(let name, _) = segment { return indexOf[name] }
                return nil
            }
        }
        let components = stronglyConnectedComponents(edges)
        var component = [Int](repeating: 0, count: keys.count)
        for (c, members) in components.enumerated() { for node in members { component[node] = c } }

        // Components come sinks first: every value a member refers to outside its own
        // component is already resolved when the member is reached.
        var resolved = [[UInt8]](repeating: [], count: keys.count)
        for members in components {
            for node in members {
                var out: [UInt8] = []
                for segment in parts[node] {
                    switch segment {
                    case .text(let bytes):
                        out.append(contentsOf: bytes)
                    case .reference(let name, let literal):
                        if let target = indexOf[name], component[target] != component[node],
                            out.count + resolved[target].count <= maxLength
                        {
                            out.append(contentsOf: resolved[target])
                        } else {
                            out.append(contentsOf: literal)
                        }
                    }
                }
                resolved[node] = out
            }
        }
        var result: [String: String] = [:]
        for (i, key) in keys.enumerated() { result[key] = String(decoding: resolved[i], as: UTF8.self) }
        return result
    }

    /// A piece of a raw value: plain text, or a `${NAME}` reference with its literal bytes.
    enum Segment: Equatable {
        case text([UInt8])
        case reference(name: String, literal: [UInt8])
    }

    /// Splits a value into text and `${NAME}` references. The name is everything between `${`
    /// and the next `}`; a `${` whose name would contain `{` (or that is never closed) is text,
    /// so `${${A}}` is `${` + A + `}`. Whether a name names a key is decided by the caller.
    /// Each byte is looked at a bounded number of times: linear in the value's length.
    static func parse(_ bytes: [UInt8]) -> [Segment] {
        var segments: [Segment] = []
        var text: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "$"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{"),
                let close = closingBrace(in: bytes, from: i + 2)
            {
                if !text.isEmpty { segments.append(.text(text)) }
                text = []
                let name = String(decoding: bytes[(i + 2)..<close], as: UTF8.self)
                segments.append(.reference(name: name, literal: Array(bytes[i...close])))
                i = close + 1
            } else {
                text.append(bytes[i])
                i += 1
            }
        }
        if !text.isEmpty { segments.append(.text(text)) }
        return segments
    }

    /// The index of the `}` that closes a name starting at `start`, nil when a `{` or the end comes first.
    private static func closingBrace(in bytes: [UInt8], from start: Int) -> Int? {
        var j = start
        while j < bytes.count {
            if bytes[j] == UInt8(ascii: "}") { return j }
            if bytes[j] == UInt8(ascii: "{") { return nil }
            j += 1
        }
        return nil
    }
}
