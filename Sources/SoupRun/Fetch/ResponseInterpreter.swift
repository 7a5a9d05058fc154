import SoupCore

/// What one HTTP response means for a secrets fetch: pure, so every status is tested alone.
enum ResponseInterpreter {
    enum Outcome: Sendable, Equatable {
        case secrets(SecretSet, etag: String?)
        case notModified
        /// Follow `Location` (not yet checked against the origin).
        case redirect(location: String)
    }

    /// - Parameters:
    ///   - sentETag: whether the request carried `If-None-Match` (a 304 is only expected then).
    ///   - token: never repeated in a message, even if a server echoes it.
    ///   - apiURL: the base URL, named when a 404 does not come from the API.
    ///   - budget: what exec can take for the secrets (nil: no limit but the body's).
    static func interpret(
        _ response: TransportResponse, sentETag: Bool, token: String, project: String, environment: String,
        apiURL: String, budget: ExecBudget? = nil
    ) throws(FetchError) -> Outcome {
        let status = response.status
        switch status {
        case 200:
            do {
                return .secrets(try SecretsDocument.parseSet(response.body, budget: budget), etag: response.etag)
            } catch {
                if case .tooLargeForExec(let problem) = error.reason { throw .tooLargeForExec(problem) }
                // A key is the server's text: never print it when it carries (part of) the token.
                let text = reason(of: error)
                throw .invalidData(echoesToken(text, token: token) ? reason(of: error, withoutKeys: true) : text)
            }
        case 304 where sentETag:
            return .notModified
        case 301, 302, 303, 307, 308:
            guard let location = response.location, !location.isEmpty else { throw .unexpectedStatus(status) }
            return .redirect(location: location)
        case 401, 407:
            throw .permission(status: status, serverMessage: serverMessage(response.body, token: token))
        case 403:
            throw .forbidden(
                serverMessage: serverMessage(response.body, token: token), project: project, environment: environment)
        case 404:
            let message = serverMessage(response.body, token: token)
            guard let message, namesAPIObject(message) else { throw .noAPI(url: apiURL, serverMessage: message) }
            throw .notFound(serverMessage: message, project: project, environment: environment)
        case 429:
            throw .rateLimited(retryAfter: retryAfter(response))
        case 400...499:
            throw .rejected(status: status, serverMessage: serverMessage(response.body, token: token))
        case 500...599:
            throw .serverError(
                status: status, serverMessage: serverMessage(response.body, token: token),
                retryAfter: retryAfter(response))
        default:
            throw .unexpectedStatus(status)
        }
    }

    /// `SecretsDocument`'s message without its lead-in, which `FetchError` words itself.
    static func reason(of error: InvalidDataError, withoutKeys: Bool = false) -> String {
        let text = withoutKeys ? error.descriptionWithoutKeys : error.description
        let leadIn = "invalid response from the API: "
        return text.hasPrefix(leadIn) ? String(text.dropFirst(leadIn.count)) : text
    }

    /// Whether a 404's `{"error"}` message is the API's own: it names what was not found
    /// (`Project not found`, `Environment not found`, `Secret not found`). A route the server
    /// does not have (`Not found`, a proxy's page) names none of them.
    static func namesAPIObject(_ message: String) -> Bool {
        let lower = message.lowercased()
        return ["project", "environment", "secret"].contains { lower.contains($0) }
    }

    /// The `Retry-After` header in seconds, if present and well-formed.
    static func retryAfter(_ response: TransportResponse, now: Double = Platform.wallClock()) -> Double? {
        response.retryAfter.flatMap { RetryAfter.seconds($0, now: now) }
    }

    /// The `{"error": "..."}` message of an error body, made safe to print: nil when the body is not
    /// such JSON (an HTML page from a proxy is reported by its status alone) or when it echoes the token.
    static func serverMessage(_ body: [UInt8], token: String) -> String? {
        guard !body.isEmpty, body.count <= 64 * 1024, let json = try? JSON.parse(body),
            let message = json["error"]?.stringValue
        else { return nil }
        // Clean first, then check what would be printed: a check before cleaning is bypassed by a
        // control or invisible character inside an echoed token ("demo\u{7}-token").
        var clean = String(
            String.UnicodeScalarView(
                message.unicodeScalars.filter {
                    $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value)
                        && $0.properties.generalCategory != .format
                }))
        if clean.count > 200 { clean = String(clean.prefix(200)) + "…" }
        if clean.isEmpty || echoesToken(clean, token: token) { return nil }
        return clean
    }

    /// Whether `text` contains the token, or any run of 8 of its characters (all of it when shorter):
    /// servers often echo a cut-off token, and a part of a credential is still a leak.
    static func echoesToken(_ text: String, token: String) -> Bool {
        let secret = Array(token.unicodeScalars)
        let shown = Array(text.unicodeScalars)
        guard !secret.isEmpty else { return false }
        let run = min(8, secret.count)
        guard shown.count >= run else { return false }
        var windows = Set<ArraySlice<Unicode.Scalar>>()
        for start in 0...(secret.count - run) { windows.insert(secret[start..<start + run]) }
        for start in 0...(shown.count - run) where windows.contains(shown[start..<start + run]) { return true }
        return false
    }
}
