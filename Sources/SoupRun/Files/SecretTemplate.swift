import SoupCore

/// A parsed `--template` file: literal bytes and `{{ KEY }}` / `{{ KEY | filter | ... }}` tags.
///
/// The syntax, kept small so that a mistake is an error rather than a surprise:
/// - `{{ KEY }}` is replaced by the secret's value, byte for byte; spaces and tabs inside the
///   braces are optional.
/// - `{{ KEY | json }}` (a JSON string, quotes included), `| shell` (a single-quoted POSIX shell
///   word), `| base64` (standard base64): filters apply left to right, so `| base64 | json` works.
/// - `{{{{` is a literal `{{`. Nothing else is special: a lone `}}` or `{` is text.
/// - A tag ends on its own line: a `{{` without `}}` before the end of the line is an error.
/// Parsing happens before anything runs (the file, line and key of every problem are named);
/// rendering only needs the secrets, so under `--watch` every change is rendered the same way.
public struct SecretTemplate: Sendable, Equatable {
    /// The encodings a tag can apply to a value.
    public enum Filter: String, Sendable, CaseIterable {
        case json, shell, base64

        func apply(_ value: String) -> String {
            switch self {
            case .json: return JSONValue.string(value).encoded()
            case .shell: return ExportFormatter.shellQuoted(value)
            case .base64: return Base64.encode(value.utf8)
            }
        }

        /// `json, shell or base64`, for messages.
        static var list: String { OptionValues.alternatives(allCases.map(\.rawValue)) }
    }

    /// A piece of the template, in order.
    public enum Part: Sendable, Equatable {
        case text([UInt8])
        /// A tag on `line` (1-based) of the template file.
        case value(key: String, filters: [Filter], line: Int)
    }

    /// The template file, as given (for messages).
    public let path: String
    public let parts: [Part]

    /// The keys the tags use, each once, in the order of their first use.
    public var keys: [String] {
        var seen: [String] = []
        for case .value(let key, _, _) in parts where !seen.contains(key) { seen.append(key) }
        return seen
    }

    /// Parses the bytes of the template file at `path`.
    public static func parse(_ bytes: [UInt8], path: String) throws(TemplateError) -> SecretTemplate {
        var parser = Parser(bytes: bytes, path: path)
        return SecretTemplate(path: path, parts: try parser.parts())
    }

    /// The rendered bytes. A key the secrets lack is an error naming the line and key.
    public func render(_ secrets: [String: String]) throws(TemplateError) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            switch part {
            case .text(let bytes):
                out += bytes
            case .value(let key, let filters, let line):
                guard let value = secrets[key] else { throw TemplateError(path: path, line: line, .unknownKey(key)) }
                out += filters.reduce(value) { $1.apply($0) }.utf8
            }
        }
        return out
    }

    /// One pass over the bytes; `line` counts the newlines passed.
    private struct Parser {
        let bytes: [UInt8]
        let path: String
        var index = 0
        var line = 1

        static let open = UInt8(ascii: "{")
        static let close = UInt8(ascii: "}")
        static let newline = UInt8(ascii: "\n")

        mutating func parts() throws(TemplateError) -> [Part] {
            var parts: [Part] = []
            var text: [UInt8] = []
            while index < bytes.count {
                if starts(with: [Self.open, Self.open, Self.open, Self.open]) {
                    text += [Self.open, Self.open]
                    index += 4
                } else if starts(with: [Self.open, Self.open]) {
                    if !text.isEmpty { parts.append(.text(text)) }
                    text = []
                    parts.append(try tag())
                } else {
                    if bytes[index] == Self.newline { line += 1 }
                    text.append(bytes[index])
                    index += 1
                }
            }
            if !text.isEmpty { parts.append(.text(text)) }
            return parts
        }

        func starts(with prefix: [UInt8]) -> Bool {
            index + prefix.count <= bytes.count && bytes[index..<index + prefix.count].elementsEqual(prefix)
        }

        /// The tag starting at `index` (at its `{{`); leaves `index` after its `}}`.
        mutating func tag() throws(TemplateError) -> Part {
            var end = index + 2
            while end + 1 < bytes.count, bytes[end] != Self.newline,
                !(bytes[end] == Self.close && bytes[end + 1] == Self.close)
            {
                end += 1
            }
            guard end + 1 < bytes.count, bytes[end] == Self.close, bytes[end + 1] == Self.close else {
                throw TemplateError(path: path, line: line, .unclosedTag)
            }
            let inside = String(decoding: bytes[(index + 2)..<end], as: UTF8.self)
            index = end + 2
            let pieces = inside.split(separator: "|", omittingEmptySubsequences: false).map(Self.trimmed)
            let key = pieces[0]
            if key.isEmpty && pieces.count == 1 { throw TemplateError(path: path, line: line, .emptyTag) }
            guard SecretKey.isValid(key) else { throw TemplateError(path: path, line: line, .invalidKey(key)) }
            var filters: [Filter] = []
            for name in pieces.dropFirst() {
                guard let filter = Filter(rawValue: name) else {
                    throw TemplateError(path: path, line: line, .unknownFilter(name, key: key))
                }
                filters.append(filter)
            }
            return .value(key: key, filters: filters, line: line)
        }

        static func trimmed(_ text: Substring) -> String {
            String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        }
    }
}

/// A template that cannot be read, parsed or rendered. Names the file, the line and the key, never
/// a value: unreadable files and unknown keys are "not found" (66), the rest invalid data (65).
public struct TemplateError: SoupRunFailure, Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        /// The file could not be read; `detail` is the system's reason.
        case unreadable(detail: String)
        case tooLarge(limit: Int)
        /// `{{` without `}}` on the same line.
        case unclosedTag
        /// `{{ }}`.
        case emptyTag
        case invalidKey(String)
        case unknownFilter(String, key: String)
        /// A key the secrets (after `--only`) do not have.
        case unknownKey(String)
    }

    public let path: String
    /// 1-based; nil when the problem is the whole file.
    public let line: Int?
    public let reason: Reason

    public init(path: String, line: Int?, _ reason: Reason) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var exitCode: ExitCode {
        switch reason {
        case .unreadable, .unknownKey: return .notFound
        case .tooLarge, .unclosedTag, .emptyTag, .invalidKey, .unknownFilter: return .invalidData
        }
    }

    public var description: String {
        let place = "template \(path)" + (line.map { " line \($0)" } ?? "")
        switch reason {
        case .unreadable(let detail): return "cannot read the \(place): \(detail)"
        case .tooLarge(let limit): return "the \(place) is larger than \(limit) bytes"
        case .unclosedTag: return "\(place): {{ is not closed by }} on the same line (write {{{{ for a literal {{)"
        case .emptyTag: return "\(place): empty {{ }}: name a key"
        case .invalidKey(let key): return "\(place): invalid key '\(UsageError.shown(key))': \(SecretKey.rule)"
        case .unknownFilter(let filter, let key):
            return "\(place): unknown filter '\(UsageError.shown(filter))' for \(key) "
                + "(expected \(SecretTemplate.Filter.list))"
        case .unknownKey(let key): return "\(place): \(key) is not among the secrets"
        }
    }
}
