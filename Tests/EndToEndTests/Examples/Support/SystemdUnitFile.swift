import Foundation

/// A systemd unit file, read the way systemd reads the parts the example uses: sections,
/// `Key=value` lines (the same key may repeat), `#`/`;` comments and `\` continuation lines.
struct SystemdUnitFile {
    /// Every `Key=value` line, by section name, in file order.
    var sections: [String: [(key: String, value: String)]]

    static func parse(_ text: String) throws -> SystemdUnitFile {
        var sections: [String: [(key: String, value: String)]] = [:]
        var current: String?
        var pending = ""
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = pending + raw.trimmingCharacters(in: .whitespaces)
            pending = ""
            if line.hasSuffix("\\") {
                line.removeLast()
                pending = line + " "
                continue
            }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw ExampleError("unit line \(index + 1): bad section header") }
                current = String(line.dropFirst().dropLast())
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else {
                throw ExampleError("unit line \(index + 1): expected Key=value inside a section")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: []].append((key, value))
        }
        return SystemdUnitFile(sections: sections)
    }

    /// Every value of `key` in `section`, in order.
    func values(_ key: String, in section: String) -> [String] {
        (sections[section] ?? []).filter { $0.key == key }.map(\.value)
    }

    /// The value that counts for a single-valued key: the last one.
    func value(_ key: String, in section: String) -> String? { values(key, in: section).last }

    /// `Environment=` lines: each holds space-separated assignments, each optionally quoted.
    func environment(in section: String = "Service") throws -> [String: String] {
        var result: [String: String] = [:]
        for line in values("Environment", in: section) {
            for word in try ExampleWords.split(line) {
                guard let equals = word.firstIndex(of: "=") else {
                    throw ExampleError("Environment=: '\(word)' is no assignment")
                }
                result[String(word[..<equals])] = String(word[word.index(after: equals)...])
            }
        }
        return result
    }

    /// `ExecStart=` as argv: the prefixes that change how systemd treats failures (`-@:+!|`) are dropped.
    func execStart(in section: String = "Service") throws -> [String] {
        let lines = values("ExecStart", in: section).filter { !$0.isEmpty }
        guard lines.count == 1, var line = lines.first else {
            throw ExampleError("the unit needs exactly one ExecStart= (a simple service), found \(lines.count)")
        }
        while let first = line.first, "-@:+!|".contains(first) { line.removeFirst() }
        return try ExampleWords.split(line)
    }
}
