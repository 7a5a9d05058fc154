import SoupCore

/// Validates a 200 body before anything runs. Stand-in until `SecretsDocument` (cli) lands.
enum SecretsBody {
    static let maxBytes = 16 << 20

    static func parse(_ body: [UInt8]) throws(FetchError) -> [String: String] {
        if body.count > maxBytes { throw .bodyTooLarge(limit: maxBytes) }
        let json: JSONValue
        do { json = try JSON.parse(body) } catch { throw .invalidData("the body is not JSON (\(error))") }
        guard let data = json["data"]?.objectValue else {
            throw .invalidData("the body is not {\"data\": {...}}")
        }
        var secrets: [String: String] = [:]
        for (key, value) in data {
            guard SecretKey.isValid(key) else { throw .invalidData("invalid key (\(SecretKey.rule))") }
            guard let string = value.stringValue else { throw .invalidData("the value of \(key) is not a string") }
            if string.utf8.contains(0) { throw .invalidData("the value of \(key) contains a NUL byte") }
            secrets[key] = string
        }
        return secrets
    }
}
