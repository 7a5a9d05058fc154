import SoupCore

/// Reads a dotenv file (`--env-file`): the dialect `--export --format dotenv` writes, plus what
/// people commonly write by hand. Pure: bytes in, `[key: value]` out, or an error naming the line.
///
/// The dialect:
/// - One `KEY=value` per entry; spaces and tabs around `=` are allowed; an optional `export `
///   prefix is ignored (so the file can also be `source`d by a shell).
/// - Blank lines and lines starting with `#` (after optional whitespace) are comments.
/// - `"double quoted"`: `\\`, `\"`, `\$`, `\n`, `\r` and `\t` are escapes (the first five are what
///   soup-run writes); a backslash before anything else stays a backslash. A raw line break inside
///   the quotes is part of the value.
/// - `'single quoted'`: every character up to the next `'` stands for itself (line breaks too).
/// - After a closing quote only whitespace and a `# comment` may follow.
/// - Unquoted: the rest of the line, surrounding whitespace trimmed; a `#` that follows whitespace
///   starts a comment (`A=b#c` is `b#c`, `A=b #c` is `b`).
/// - No `${VAR}` expansion: every value is taken literally.
/// - CRLF line ends are read as LF; a UTF-8 byte order mark at the start is skipped.
/// - Keys follow the API's key rule; a key given twice: the later entry wins.
/// - Invalid UTF-8 and NUL bytes are refused (an environment cannot carry NUL).
/// Errors name the line and what is wrong, never a value.
public enum DotenvParser {
    /// One entry, with the line it starts on.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String
        public var line: Int
    }

    /// The variables of `bytes`, later entries winning over earlier ones of the same key.
    public static func parse(_ bytes: [UInt8]) throws(DotenvError) -> [String: String] {
        var result: [String: String] = [:]
        for entry in try entries(bytes) { result[entry.key] = entry.value }
        return result
    }

    /// Every entry of `bytes`, in file order (duplicates included).
    public static func entries(_ bytes: [UInt8]) throws(DotenvError) -> [Entry] {
        try checkEncoding(bytes)
        var scanner = Scanner(bytes: normalised(bytes))
        return try scanner.entries()
    }

    /// Refuses invalid UTF-8 and NUL, naming the line of the first offending byte.
    static func checkEncoding(_ bytes: [UInt8]) throws(DotenvError) {
        func line(of offset: Int) -> Int { bytes[..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 } }
        if let bad = bytes.withUnsafeBufferPointer({ UTF8Validation.firstInvalidOffset(in: $0) }) {
            throw DotenvError(line: line(of: bad), problem: .invalidUTF8)
        }
        if let nul = bytes.firstIndex(of: 0) { throw DotenvError(line: line(of: nul), problem: .nulByte) }
    }

    /// Without a leading byte order mark, and with every CRLF turned into LF (line numbers stay).
    static func normalised(_ bytes: [UInt8]) -> [UInt8] {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count - start)
        var i = start
        while i < bytes.count {
            if bytes[i] == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    /// A cursor over the normalised bytes. Every byte it compares with is ASCII, and no byte of a
    /// multi-byte UTF-8 character is, so the values it cuts out are whole characters.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1

        init(bytes: [UInt8]) { self.bytes = bytes }

        static let newline = UInt8(ascii: "\n")
        static let hash = UInt8(ascii: "#")

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

        mutating func skipBlanks() { while let c = current, Self.isBlank(c) { index += 1 } }

        mutating func skipRestOfLine() { while let c = current, c != Self.newline { index += 1 } }

        mutating func entries() throws(DotenvError) -> [Entry] {
            var result: [Entry] = []
            while true {
                skipBlanks()
                guard let c = current else { return result }
                if c == Self.newline {
                    index += 1
                    line += 1
                } else if c == Self.hash {
                    skipRestOfLine()
                } else {
                    result.append(try entry())
                }
            }
        }

        /// `[export ]KEY = value`, from its first byte to the end of its (last) line.
        mutating func entry() throws(DotenvError) -> Entry {
            let start = line
            if bytes[index...].starts(with: Array("export".utf8)), index + 6 < bytes.count,
                bytes[index + 6] == 0x20 || bytes[index + 6] == 0x09
            {
                index += 6
                skipBlanks()
            }
            let keyStart = index
            while let c = current, c != UInt8(ascii: "="), c != Self.newline, !Self.isBlank(c) { index += 1 }
            let key = String(decoding: bytes[keyStart..<index], as: UTF8.self)
            skipBlanks()
            // Without an `=` the line may be a stray value: name nothing from it.
            guard current == UInt8(ascii: "=") else { throw DotenvError(line: start, problem: .missingEquals) }
            if key.isEmpty { throw DotenvError(line: start, problem: .emptyKey) }
            guard SecretKey.isValid(key) else { throw DotenvError(line: start, problem: .invalidKey(key)) }
            index += 1
            let blankBefore = current.map(Self.isBlank) ?? false
            skipBlanks()
            let value: String
            switch current {
            case UInt8(ascii: "\""):
                value = try quoted(double: true, openedOn: start)
                try endAfterQuote()
            case UInt8(ascii: "'"):
                value = try quoted(double: false, openedOn: start)
                try endAfterQuote()
            default:
                value = unquoted(blankBefore: blankBefore)
            }
            return Entry(key: key, value: value, line: start)
        }

        /// The value between quotes; the cursor is on the opening quote and ends after the closing one.
        mutating func quoted(double: Bool, openedOn start: Int) throws(DotenvError) -> String {
            let quote = bytes[index]
            index += 1
            var out: [UInt8] = []
            while let c = current {
                index += 1
                if c == quote { return String(decoding: out, as: UTF8.self) }
                if c == Self.newline { line += 1 }
                guard double, c == UInt8(ascii: "\\"), let next = current, let escaped = Self.escape(next) else {
                    out.append(c)
                    continue
                }
                out.append(escaped)
                index += 1
            }
            throw DotenvError(line: start, problem: .unterminatedQuote(double: double))
        }

        /// What `\x` stands for inside double quotes, or nil when the backslash is literal.
        static func escape(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "$"): return byte
            case UInt8(ascii: "n"): return 0x0A
            case UInt8(ascii: "r"): return 0x0D
            case UInt8(ascii: "t"): return 0x09
            default: return nil
            }
        }

        /// After a closing quote: whitespace, then the end of the line or a comment.
        mutating func endAfterQuote() throws(DotenvError) {
            skipBlanks()
            guard let c = current, c != Self.newline else { return }
            guard c == Self.hash else { throw DotenvError(line: line, problem: .textAfterQuote) }
            skipRestOfLine()
        }

        /// The rest of the line up to a `#` that follows whitespace, trimmed.
        mutating func unquoted(blankBefore: Bool) -> String {
            let start = index
            var end = index
            var previousBlank = blankBefore
            while let c = current, c != Self.newline {
                if c == Self.hash && previousBlank {
                    skipRestOfLine()
                    break
                }
                previousBlank = Self.isBlank(c)
                index += 1
                if !previousBlank { end = index }
            }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }
}

/// A dotenv file soup-run cannot read: the line and what is wrong there, never a value.
public struct DotenvError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case invalidUTF8
        case nulByte
        /// A line that is neither blank, a comment nor `KEY=value`.
        case missingEquals
        /// `=value`.
        case emptyKey
        /// A key that breaks the key rule (shown: it is a name, not a value).
        case invalidKey(String)
        /// A quoted value whose closing quote never comes.
        case unterminatedQuote(double: Bool)
        /// `KEY="a"b`: something other than a comment after the closing quote.
        case textAfterQuote
    }

    /// 1-based.
    public var line: Int
    public var problem: Problem

    public init(line: Int, problem: Problem) {
        self.line = line
        self.problem = problem
    }

    public var description: String {
        "line \(line): " + problemText
    }

    private var problemText: String {
        switch problem {
        case .invalidUTF8: return "the text is not valid UTF-8"
        case .nulByte: return "contains a NUL byte, which an environment variable cannot hold"
        case .missingEquals: return "expected KEY=value (or a # comment)"
        case .emptyKey: return "a line starts with '=': the key is missing"
        case .invalidKey(let key): return "invalid key '\(UsageError.shown(key))': \(SecretKey.rule)"
        case .unterminatedQuote(let double):
            return "the \(double ? "double" : "single") quote opened here is never closed"
        case .textAfterQuote: return "unexpected text after the closing quote (only a # comment may follow)"
        }
    }
}
