import Foundation
import SoupCore

/// A Dockerfile read the way `docker build` reads the parts the examples use: stages (`FROM`
/// with `AS` names and global `ARG` defaults), `\` continuation lines, comment lines, and the
/// instructions of each stage. Exec-form arrays are parsed as JSON, as Docker does.
struct DockerfileModel {
    struct Instruction: Equatable {
        var keyword: String
        var arguments: String
        var line: Int
    }

    /// `COPY [--from=STAGE] SOURCE... DESTINATION`.
    struct Copy: Equatable {
        var from: String?
        var sources: [String]
        var destination: String
    }

    struct Stage {
        var name: String?
        var base: String
        var instructions: [Instruction]

        func arguments(of keyword: String) -> [String] {
            instructions.filter { $0.keyword == keyword }.map(\.arguments)
        }
    }

    var stages: [Stage]

    static func parse(_ text: String) throws -> DockerfileModel {
        var stages: [Stage] = []
        var globalArgs: [String: String] = [:]
        for instruction in try logicalLines(text) {
            let keyword = instruction.keyword
            if keyword == "FROM" {
                var words = try ExampleWords.split(instruction.arguments).filter { !$0.hasPrefix("--") }
                guard !words.isEmpty else {
                    throw ExampleError("Dockerfile line \(instruction.line): FROM without an image")
                }
                for (name, value) in globalArgs {
                    words[0] = words[0].replacingOccurrences(of: "${\(name)}", with: value)
                }
                let name = words.count >= 3 && words[1].lowercased() == "as" ? words[2] : nil
                stages.append(Stage(name: name, base: words[0], instructions: []))
            } else if stages.isEmpty {
                guard keyword == "ARG" else {
                    throw ExampleError("Dockerfile line \(instruction.line): \(keyword) before the first FROM")
                }
                for word in try ExampleWords.split(instruction.arguments) {
                    let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
                    globalArgs[parts[0]] = parts.count == 2 ? parts[1] : ""
                }
            } else {
                stages[stages.count - 1].instructions.append(instruction)
            }
        }
        guard !stages.isEmpty else { throw ExampleError("the Dockerfile has no FROM") }
        return DockerfileModel(stages: stages)
    }

    /// Joins continuation lines and drops comment and blank lines (also inside a continuation).
    static func logicalLines(_ text: String) throws -> [Instruction] {
        var result: [Instruction] = []
        var pending = ""
        var start = 0
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if pending.isEmpty { start = index + 1 }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            let full = pending + line
            pending = ""
            let keyword = full.prefix { !$0.isWhitespace }
            let arguments = full.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
            result.append(Instruction(keyword: keyword.uppercased(), arguments: arguments, line: start))
        }
        guard pending.isEmpty else { throw ExampleError("the Dockerfile ends inside a continuation line") }
        return result
    }

    /// The stage called `name`; throws naming the stages there are.
    func stage(_ name: String) throws -> Stage {
        guard let stage = stages.first(where: { $0.name == name }) else {
            throw ExampleError("the Dockerfile has no stage '\(name)' (stages: \(stages.compactMap(\.name)))")
        }
        return stage
    }

    /// The stage a stage is built `FROM`, when that is an earlier stage of this file.
    func parent(of stage: Stage) -> Stage? { stages.first { $0.name != nil && $0.name == stage.base } }

    /// The environment the stage's `ENV` lines (and its parent stage's) set.
    func environment(of stage: Stage) throws -> [String: String] {
        var result = try parent(of: stage).map { try environment(of: $0) } ?? [:]
        for arguments in stage.arguments(of: "ENV") {
            let words = try ExampleWords.split(arguments)
            if let first = words.first, !first.contains("=") {
                // The legacy `ENV KEY value with spaces` form.
                result[first] = arguments.dropFirst(first.count).trimmingCharacters(in: .whitespaces)
                continue
            }
            for word in words {
                guard let equals = word.firstIndex(of: "=") else {
                    throw ExampleError("ENV \(arguments): '\(word)' is no assignment")
                }
                result[String(word[..<equals])] = String(word[word.index(after: equals)...])
            }
        }
        return result
    }

    /// The stage's `ENTRYPOINT`, which must be in exec form (a shell would be PID 1 and not pass on signals).
    func entrypoint(of stage: Stage) throws -> [String] {
        if let last = stage.arguments(of: "ENTRYPOINT").last { return try Self.execForm(last, "ENTRYPOINT") }
        return try parent(of: stage).map { try entrypoint(of: $0) } ?? []
    }

    /// The stage's `CMD` in exec form. Setting `ENTRYPOINT` resets a `CMD` set before it, as in Docker.
    func command(of stage: Stage) throws -> [String] {
        let keywords = stage.instructions.map(\.keyword)
        let lastCommand = keywords.lastIndex(of: "CMD")
        if let lastCommand, lastCommand > (keywords.lastIndex(of: "ENTRYPOINT") ?? -1) {
            return try Self.execForm(stage.instructions[lastCommand].arguments, "CMD")
        }
        if keywords.contains("ENTRYPOINT") { return [] }
        return try parent(of: stage).map { try command(of: $0) } ?? []
    }

    /// The stage's `COPY` (and `ADD`) instructions.
    func copies(in stage: Stage) throws -> [Copy] {
        try stage.instructions.filter { $0.keyword == "COPY" || $0.keyword == "ADD" }.map { instruction in
            var words =
                instruction.arguments.hasPrefix("[")
                ? try Self.execForm(instruction.arguments, "COPY") : try ExampleWords.split(instruction.arguments)
            var from: String?
            while let flag = words.first, flag.hasPrefix("--") {
                if flag.hasPrefix("--from=") { from = String(flag.dropFirst("--from=".count)) }
                words.removeFirst()
            }
            guard words.count >= 2, let destination = words.last else {
                throw ExampleError("Dockerfile line \(instruction.line): COPY needs a source and a destination")
            }
            return Copy(from: from, sources: Array(words.dropLast()), destination: destination)
        }
    }

    /// A JSON array of strings (exec form); shell form is an error naming the instruction.
    static func execForm(_ arguments: String, _ keyword: String) throws -> [String] {
        guard arguments.hasPrefix("["), let array = try? JSON.parse(arguments).arrayValue else {
            throw ExampleError("\(keyword) \(arguments) is not in exec form (a JSON array)")
        }
        return try array.map {
            guard let text = $0.stringValue else { throw ExampleError("\(keyword) \(arguments): not all strings") }
            return text
        }
    }
}
