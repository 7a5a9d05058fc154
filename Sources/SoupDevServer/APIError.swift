import SoupCore
import SoupHTTP

/// Every way the API refuses a request, each with its status and `{"error": "..."}` message.
/// Messages name rules, parameters and statuses, never a token or a secret value.
public enum APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401: no `Authorization: Bearer` token, or one the server does not know.
    case unauthorized
    /// 429: the token's tier allows no more requests this minute.
    case rateLimited(retryAfter: Int)
    /// 403: the token does not reach the project.
    case permissionDenied
    /// 404
    case projectNotFound
    /// 404
    case environmentNotFound
    /// 404: not set in the environment nor in its parents (for DELETE: not set in the environment).
    case secretNotFound
    /// 404: no endpoint has this path.
    case noSuchPath
    /// 405
    case methodNotAllowed(allowed: [String])
    /// 400, with what is wrong.
    case badRequest(String)
    /// 413, with which limit the request exceeds.
    case tooLarge(String)
    /// 500: the state file could not be written; nothing was changed.
    case storageFailed

    public var status: Int {
        switch self {
        case .unauthorized: return 401
        case .rateLimited: return 429
        case .permissionDenied: return 403
        case .projectNotFound, .environmentNotFound, .secretNotFound, .noSuchPath: return 404
        case .methodNotAllowed: return 405
        case .badRequest: return 400
        case .tooLarge: return 413
        case .storageFailed: return 500
        }
    }

    public var description: String {
        switch self {
        case .unauthorized: return "Unauthorized"
        case .rateLimited: return "Rate limit exceeded"
        case .permissionDenied: return "Permission denied"
        case .projectNotFound: return "Project not found"
        case .environmentNotFound: return "Environment not found"
        case .secretNotFound: return "Secret not found"
        case .noSuchPath: return "Not found"
        case .methodNotAllowed: return "Method not allowed"
        case .badRequest(let message), .tooLarge(let message): return message
        case .storageFailed: return "Could not save the state file"
        }
    }

    /// The error as a response: JSON body `{"error": "<description>"}` and the headers its status needs.
    public var response: HTTPResponse {
        var headers = [(name: String, value: String)]()
        switch self {
        case .unauthorized: headers.append(("WWW-Authenticate", "Bearer realm=\"soup\""))
        case .rateLimited(let seconds): headers.append(("Retry-After", String(seconds)))
        case .methodNotAllowed(let allowed): headers.append(("Allow", allowed.joined(separator: ", ")))
        default: break
        }
        return .json(status: status, JSONValue.object(["error": .string(description)]).encoded(), headers: headers)
    }
}
