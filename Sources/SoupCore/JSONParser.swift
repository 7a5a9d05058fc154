/// Why a JSON text was rejected, and where (byte offset from the start).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }
    public var description: String { "\(reason) at byte \(offset)" }
}

/// A strict RFC 8259 JSON parser over bytes.
///
/// Written here because soup-run has no package dependencies and starts without Foundation.
/// It is bounded (nesting depth), rejects what RFC 8259 rejects (trailing commas, comments,
/// leading zeros, lone surrogates, control characters in strings, invalid UTF-8), and also
/// rejects duplicate member names, so a document has exactly one meaning. Error messages carry an
/// offset and a reason, never the text around it (it may be a secret).
public enum JSON {
    /// Default nesting limit: far above any document this project reads, far below stack limits.
    public static let defaultMaxDepth = 64

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }
}

struct Parser {
    let bytes: [UInt8]
    let maxDepth: Int
    var index = 0
    /// The top-level member whose object is handed to `sink` member by member (see `JSONStream`).
    var streamed: String? = nil
    var sink: ((String, JSONValue) -> JSONStreamVerdict)? = nil
    /// Set when `sink` said `.stop`: the error thrown then only unwinds the parse.
    var stopped = false

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// One value with optional whitespace around it, and nothing else.
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if index != bytes.count { throw fail("unexpected data after the JSON value") }
        return value
    }

    func fail(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? index, reason: reason)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected character")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let start = index
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw fail("invalid literal", at: start) }
        let ok = word.withUTF8Buffer { expected in
            for i in 0..<count where bytes[index + i] != expected[i] { return false }
            return true
        }
        guard ok else { throw fail("invalid literal", at: start) }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        var members: [String: JSONValue] = [:]
        try parseMembers(depth: depth) { parser, name, nameOffset throws(JSONParseError) in
            let value: JSONValue
            if depth == 1, name == parser.streamed, parser.sink != nil, parser.index < parser.bytes.count,
                parser.bytes[parser.index] == UInt8(ascii: "{")
            {
                try parser.parseStreamedObject(depth: depth + 1)
                value = .object([:])
            } else {
                value = try parser.parseValue(depth: depth)
            }
            if members.updateValue(value, forKey: name) != nil {
                throw parser.fail("duplicate member name", at: nameOffset)
            }
        }
        return .object(members)
    }

    /// An object whose members go to `sink` as they are read, none kept here.
    mutating func parseStreamedObject(depth: Int) throws(JSONParseError) {
        try parseMembers(depth: depth) { parser, name, nameOffset throws(JSONParseError) in
            let value = try parser.parseValue(depth: depth)
            switch parser.sink?(name, value) ?? .next {
            case .next: return
            case .duplicate: throw parser.fail("duplicate member name", at: nameOffset)
            case .stop:
                parser.stopped = true
                throw parser.fail("stopped by the reader")
            }
        }
    }

    /// The members of an object: `member` reads each value after its name (at `nameOffset`).
    mutating func parseMembers(
        depth: Int, _ member: (inout Parser, _ name: String, _ nameOffset: Int) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
        index += 1  // {
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw fail("expected a member name in quotes")
            }
            let nameOffset = index
            let name = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            try member(&self, name, nameOffset)
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            throw fail("expected ',' or '}'")
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
        index += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            throw fail("expected ',' or ']'")
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> String {
        let start = index
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number", at: start) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw fail("leading zero in a number", at: start) }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1  // opening quote
        // Raw bytes are copied in runs; only a string with escapes needs a buffer of its own.
        var unescaped: [UInt8]? = nil
        var runStart = index
        while true {
            guard index < bytes.count else { throw fail("unterminated string", at: start) }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let run = bytes[runStart..<index]
                try checkUTF8(run)
                index += 1
                guard var buffer = unescaped else { return String(decoding: run, as: UTF8.self) }
                buffer.append(contentsOf: run)
                return String(decoding: buffer, as: UTF8.self)
            }
            if b < 0x20 { throw fail("control character in a string") }
            if b != UInt8(ascii: "\\") {
                index += 1
                continue
            }
            let run = bytes[runStart..<index]
            try checkUTF8(run)
            var buffer = unescaped ?? []
            unescaped = nil  // so that `buffer` is the only reference and appends do not copy
            buffer.append(contentsOf: run)
            index += 1
            guard index < bytes.count else { throw fail("unterminated string", at: start) }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                let first = try parseHex4()
                var value = UInt32(first)
                if (0xD800...0xDBFF).contains(first) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw fail("unpaired surrogate in a string") }
                    index += 2
                    let second = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(second) else { throw fail("unpaired surrogate in a string") }
                    value = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(first) {
                    throw fail("unpaired surrogate in a string")
                }
                guard let scalar = Unicode.Scalar(value) else { throw fail("invalid escape") }
                UTF8Validation.append(scalar, to: &buffer)
            default:
                throw fail("invalid escape", at: index - 2)
            }
            unescaped = buffer
            runStart = index
        }
    }

    /// Throws at the first byte of `run` that does not start a well-formed UTF-8 sequence.
    func checkUTF8(_ run: ArraySlice<UInt8>) throws(JSONParseError) {
        let invalid = run.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset(in: $0) }
        if let invalid { throw fail("invalid UTF-8 in a string", at: run.startIndex + invalid) }
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt16 {
        guard bytes.count - index >= 4 else { throw fail("invalid \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x41...0x46: digit = b - 0x41 + 10
            case 0x61...0x66: digit = b - 0x61 + 10
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }
}
