import Foundation
import SoupCore

/// A failure to read or understand an example file; the message names the file and what is wrong.
struct ExampleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The repository the examples live in, found from this source file's own path.
enum ExampleRepository {
    /// The repository root: this file is `Tests/EndToEndTests/Examples/Support/ExampleRepository.swift`.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The absolute path of `relative` (a path from the repository root).
    static func path(_ relative: String) -> String { root + "/" + relative }

    /// The example app every example runs.
    static var exampleApp: String { path("examples/app/app.sh") }

    static func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    static func read(_ relative: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path(relative)) else {
            throw ExampleError("\(relative): cannot read the file")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The permission bits of `relative` (`0o755`, ...).
    static func permissions(_ relative: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path(relative))
        guard let mode = attributes[.posixPermissions] as? Int else { throw ExampleError("\(relative): no file mode") }
        return mode
    }
}

/// YAML examples read through python3 and PyYAML (the toolchain has no YAML parser), as JSON values.
enum ExampleYAML {
    static let converter = "import sys,json,yaml; print(json.dumps(yaml.safe_load(sys.stdin), default=str))"

    /// Parses the YAML file at `relative`. Missing python3 or PyYAML is an error saying so.
    static func load(_ relative: String) throws -> JSONValue {
        let text = try ExampleRepository.read(relative)
        // python3 may come from pyenv or a virtualenv: hand over this process's PATH and HOME.
        let result = try runProcess(
            "/usr/bin/env", ["python3", "-c", converter], environment: ProcessInfo.processInfo.environment,
            stdin: Array(text.utf8), timeout: 60)
        if result.stderrText.contains("No module named 'yaml'") || result.stderrText.contains("No module named yaml") {
            throw ExampleError(
                "PyYAML is missing: python3 cannot import yaml, so \(relative) cannot be checked "
                    + "(install python3-yaml; .ci/run must install it)")
        }
        if result.exitCode == 127 {
            throw ExampleError(
                "python3 is missing, so \(relative) cannot be checked (install python3 and python3-yaml)")
        }
        guard result.exitCode == 0, !result.timedOut else {
            let reason = result.stderrText.split(separator: "\n").suffix(3).joined(separator: " / ")
            throw ExampleError("\(relative) is not valid YAML: \(reason)")
        }
        do {
            return try JSON.parse(result.stdout)
        } catch {
            throw ExampleError("\(relative): python3 printed no JSON (\(error))")
        }
    }
}

extension JSONValue {
    /// A YAML scalar as text: strings as they are, numbers and booleans as YAML wrote them.
    var yamlScalar: String? {
        switch self {
        case .string(let text): return text
        case .number(let text): return text
        case .bool(let value): return value ? "true" : "false"
        default: return nil
        }
    }

    /// An integer scalar (YAML `0400` is octal: PyYAML gives 256).
    var yamlInt: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    /// A map of names to scalar values (an `env:`/`variables:` block), or nil if it is not one.
    /// GitLab's `{value: ..., description: ...}` form gives its `value`.
    var yamlStringMap: [String: String]? {
        guard let object = objectValue else { return nil }
        var result: [String: String] = [:]
        for (key, value) in object {
            guard let text = value.yamlScalar ?? value["value"]?.yamlScalar else { return nil }
            result[key] = text
        }
        return result
    }
}
