import SoupCore

/// Validation of the API's answer to `GET .../secrets` before anything runs with it.
public enum SecretsDocument {
    /// Bodies larger than this are refused (16 MiB).
    public static let maxBytes = 16 * 1024 * 1024

    /// The secrets in a 200 body: `{"data": {string: string}}` (other top-level members are
    /// ignored), every key valid by `SecretKey`, no value containing a NUL. The first violation in
    /// key order is reported, naming the key, never a value.
    /// - Parameter budget: what exec can take (nil for `--export`): reading stops as soon as the
    ///   secrets cannot fit (`.tooLargeForExec`), so a huge body never becomes a huge dictionary.
    public static func parse(_ body: [UInt8], budget: ExecBudget? = nil) throws(InvalidDataError) -> [String: String] {
        try parseSet(body, budget: budget).dictionary
    }

    /// `parse`, the secrets as a `SecretSet`: the body's bytes, sorted once, no dictionary (a
    /// body of a million tiny keys takes about its own size again).
    public static func parseSet(_ body: [UInt8], budget: ExecBudget? = nil) throws(InvalidDataError) -> SecretSet {
        if body.count > maxBytes { throw InvalidDataError(.tooLarge(bytes: body.count)) }
        // `data` is streamed: its members go straight into `builder` (no tree of JSONValues).
        // Every member is kept until the end, so a duplicate name is still caught (after the
        // sort); the violation of the smallest key (byte order) is kept, so the error is the
        // same on every run.
        var builder = SecretSet.Builder(reservingBytes: body.count)
        var first: (key: String, error: InvalidDataError)? = nil
        var meter = budget.map(ExecBudget.Meter.init)
        var tooLarge: ExecSizeProblem? = nil
        var document: JSONValue? = nil
        var parseError: JSONParseError? = nil
        do {
            document = try JSON.parse(body, streaming: "data") { key, member in
                let value = member.stringValue ?? ""
                builder.append(key: key, value: value)
                if first == nil || ByteOrder.precedes(key, first!.key), let error = violation(key: key, member: member)
                {
                    first = (key, error)
                }
                if let problem = meter?.add(key: key, value: value) {
                    tooLarge = problem
                    return .stop
                }
                return .next
            }
        } catch {
            parseError = error
        }
        let (secrets, duplicate) = builder.finish()
        // A repeated name ends the parse where it appears, before anything read after it.
        if let duplicate { throw InvalidDataError(.notJSON(duplicateError(body, key: duplicate))) }
        if let parseError { throw InvalidDataError(.notJSON(parseError)) }
        if let first { throw first.error }
        if let tooLarge { throw InvalidDataError(.tooLargeForExec(tooLarge)) }
        guard let document, let top = document.objectValue else {
            throw InvalidDataError(.notAnObject(document?.kindDescription ?? "an object"))
        }
        guard let data = top["data"] else { throw InvalidDataError(.missingData) }
        guard data.objectValue != nil else { throw InvalidDataError(.dataNotAnObject(data.kindDescription)) }
        return secrets
    }

    /// The parse error at the second appearance of `key` in `data`: the body read again, up to
    /// there, for the offset the error names (the first read kept no offsets).
    private static func duplicateError(_ body: [UInt8], key: String) -> JSONParseError {
        var seen = false
        do {
            _ = try JSON.parse(body, streaming: "data") { name, _ in
                guard name == key else { return .next }
                if seen { return .duplicate }
                seen = true
                return .next
            }
        } catch {
            return error
        }
        preconditionFailure("a duplicate found in the first read of a body is found in the second")
    }

    /// What is wrong with one member of `data`, if anything.
    private static func violation(key: String, member: JSONValue) -> InvalidDataError? {
        guard SecretKey.isValid(key) else { return InvalidDataError(.invalidKey(key)) }
        guard case .string(let value) = member else {
            return InvalidDataError(.notAString(key: key, kind: member.kindDescription))
        }
        var bytes = value
        if bytes.withUTF8({ $0.contains(0) }) { return InvalidDataError(.nulInValue(key: key)) }
        return nil
    }
}

/// The API answered with data soup-run will not use (exit 65). Messages name keys, never values.
public struct InvalidDataError: SoupRunFailure, Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        case tooLarge(bytes: Int)
        /// The JSON error carries an offset and a reason, not the text.
        case notJSON(JSONParseError)
        /// The top level is not an object (names its kind).
        case notAnObject(String)
        case missingData
        /// `data` is not an object (names its kind).
        case dataNotAnObject(String)
        /// A key that breaks the key rule.
        case invalidKey(String)
        /// A value that is not a string (names the key and the value's kind).
        case notAString(key: String, kind: String)
        /// A value containing a NUL byte, which cannot go into an environment.
        case nulInValue(key: String)
        /// The secrets read so far already exceed what exec can take (exit 126, as the exec check).
        case tooLargeForExec(ExecSizeProblem)
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    /// How many characters of an invalid key a message shows.
    static let shownKeyCharacters = 8

    /// The first `shownKeyCharacters` of `key`, control characters escaped, `…` when cut.
    static func keyPrefix(_ key: String) -> String {
        let cut = key.unicodeScalars.count > shownKeyCharacters
        let head = String(String.UnicodeScalarView(key.unicodeScalars.prefix(shownKeyCharacters)))
        return UsageError.shown(head) + (cut ? "…" : "")
    }

    /// The message with no key in it, for when the message would echo the token.
    public var descriptionWithoutKeys: String {
        switch reason {
        case .invalidKey(let key):
            return "invalid response from the API: an invalid key of \(key.utf8.count) bytes (not shown)"
        case .notAString, .nulInValue:
            return "invalid response from the API: a value that is not a NUL-free string (its key not shown)"
        default:
            return description
        }
    }

    public var exitCode: ExitCode {
        if case .tooLargeForExec = reason { return .cannotExecute }
        return .invalidData
    }

    public var description: String {
        let prefix = "invalid response from the API: "
        switch reason {
        case .tooLarge(let bytes):
            return prefix + "the body has \(bytes) bytes, more than the limit of \(SecretsDocument.maxBytes) (16 MiB)"
        case .notJSON(let error):
            return prefix + "not valid JSON (\(error))"
        case .notAnObject(let kind):
            return prefix + "expected a JSON object with a \"data\" member, got \(kind)"
        case .missingData:
            return prefix + "the JSON object has no \"data\" member"
        case .dataNotAnObject(let kind):
            return prefix + "\"data\" is \(kind), expected an object of secrets"
        case .invalidKey(let key):
            // Only a prefix, escaped, and the length: the key comes from the server, which may
            // have put anything there (the token included; the interpreter checks that too).
            return prefix + "invalid key '\(Self.keyPrefix(key))' (\(key.utf8.count) bytes): \(SecretKey.rule)"
        case .notAString(let key, let kind):
            return prefix + "the value of \(key) is \(kind), expected a string"
        case .nulInValue(let key):
            return prefix + "the value of \(key) contains a NUL byte, which an environment cannot hold"
        case .tooLargeForExec(let problem):
            return problem.description
        }
    }
}
