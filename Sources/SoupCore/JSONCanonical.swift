#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension JSON {
    /// Whether `text` is exactly `JSONValue.object([name: .stringObject(members)]).encoded()`:
    /// checked in one pass over `text`, building nothing but each member's name, so it costs a
    /// fraction of parsing `text` or of encoding `members` (which sorts their names).
    ///
    /// True means `text` decodes to exactly `members` (the names come in strictly increasing byte
    /// order, each is one of `members`' and there are as many, so the sets are equal; each value
    /// matches its quoted form byte for byte). Another text of the same value (other spacing or
    /// order, an escape the encoder does not write) gives false: the caller treats that as
    /// "differs", which is only ever one extra write.
    public static func isEncoding(of members: [String: String], under name: String, _ text: [UInt8]) -> Bool {
        text.withUnsafeBufferPointer { text in
            var cursor = CanonicalCursor(text: text)
            var scratch: [UInt8] = []
            scratch.reserveCapacity(64)
            guard cursor.take(UInt8(ascii: "{")), cursor.takeQuoted(name, scratch: &scratch),
                cursor.take(UInt8(ascii: ":")), cursor.take(UInt8(ascii: "{"))
            else { return false }
            var previous: UnsafeBufferPointer<UInt8>? = nil
            for index in 0..<members.count {
                guard index == 0 || cursor.take(UInt8(ascii: ",")), let key = cursor.plainString() else { return false }
                if let previous, !ByteOrder.precedes(previous, key) { return false }
                previous = key
                guard let value = members[String(decoding: key, as: UTF8.self)], cursor.take(UInt8(ascii: ":")),
                    cursor.takeQuoted(value, scratch: &scratch)
                else { return false }
            }
            return cursor.take(UInt8(ascii: "}")) && cursor.take(UInt8(ascii: "}")) && cursor.atEnd
        }
    }
}

/// A read position in a compact JSON text, for `JSON.isEncoding`.
private struct CanonicalCursor {
    let text: UnsafeBufferPointer<UInt8>
    var offset = 0

    var atEnd: Bool { offset == text.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard offset < text.count, text[offset] == byte else { return false }
        offset += 1
        return true
    }

    /// A quoted string without escapes (a member name as the API's key rule allows), its bytes
    /// between the quotes; nil for anything else.
    mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = offset
        while offset < text.count {
            let byte = text[offset]
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return UnsafeBufferPointer(rebasing: text[start..<(offset - 1)])
            }
            offset += 1
        }
        return nil
    }

    /// Takes `string` quoted exactly as the encoder writes it: compared in place when nothing in
    /// it is escaped (the common case), else through its quoted form in `scratch`.
    mutating func takeQuoted(_ string: String, scratch: inout [UInt8]) -> Bool {
        var string = string
        return string.withUTF8 { utf8 in
            if !utf8.contains(where: JSON.needsEscape) {
                return take(UInt8(ascii: "\"")) && takeBytes(utf8) && take(UInt8(ascii: "\""))
            }
            scratch.removeAll(keepingCapacity: true)
            JSON.appendQuoted(utf8: utf8, to: &scratch)
            return scratch.withUnsafeBufferPointer { takeBytes($0) }
        }
    }

    /// Takes exactly `bytes`.
    mutating func takeBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count - offset >= bytes.count else { return false }
        guard bytes.isEmpty || memcmp(text.baseAddress! + offset, bytes.baseAddress!, bytes.count) == 0 else {
            return false
        }
        offset += bytes.count
        return true
    }
}
