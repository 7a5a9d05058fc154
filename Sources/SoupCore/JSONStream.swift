/// What the reader of a streamed object wants after one member.
public enum JSONStreamVerdict: Sendable, Equatable {
    /// Go on with the next member.
    case next
    /// The reader has this name already: a duplicate member name, a parse error at the name.
    case duplicate
    /// Stop reading: the parse ends at once (the reader has what it needs, or knows it is too much).
    case stop
}

extension JSON {
    /// Parses like `parse`, except that the members of one object are not kept: when the top
    /// level is an object and its member `member` is an object, each of that object's members
    /// is handed to `each` as it is read, and the returned document has an empty object there.
    ///
    /// Why: a document of a million tiny members takes many times its size as a tree of
    /// `JSONValue`s; the reader keeps only what it needs and can stop as soon as it knows the
    /// document is too much. Duplicate names inside the streamed object are the reader's to
    /// detect (`.duplicate`); everything else is checked as by `parse`.
    /// - Returns: the document, or nil when `each` said `.stop`.
    public static func parse(
        _ bytes: [UInt8], streaming member: String, maxDepth: Int = defaultMaxDepth,
        each: (_ name: String, _ value: JSONValue) -> JSONStreamVerdict
    ) throws(JSONParseError) -> JSONValue? {
        try withoutActuallyEscaping(each) { each throws(JSONParseError) in
            var parser = Parser(bytes: bytes, maxDepth: maxDepth)
            parser.streamed = member
            parser.sink = each
            do throws(JSONParseError) {
                return try parser.parseDocument()
            } catch {
                if parser.stopped { return nil }
                throw error
            }
        }
    }
}
