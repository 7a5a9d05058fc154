import Foundation
import SoupRun

/// Collects lines written through a `Logger`, for assertions on logs.
final class FetchLogBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    var lines: [String] { lock.withLock { storage } }
    var text: String { lines.joined() }

    func logger(_ verbosity: Configuration.Verbosity = .verbose) -> Logger {
        Logger(verbosity: verbosity) { [self] line in lock.withLock { storage.append(line) } }
    }
}

/// A transport that answers from a script and records every request.
final class FetchScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [TransportResult]
    private var recorded: [TransportRequest] = []
    /// Answers once the script is used up.
    private let fallback: TransportResult

    init(_ script: [TransportResult], fallback: TransportResult = .failure(TransportFailure(.network, "script ended")))
    {
        self.script = script
        self.fallback = fallback
    }

    var requests: [TransportRequest] { lock.withLock { recorded } }

    func get(_ request: TransportRequest) -> TransportResult {
        lock.withLock {
            recorded.append(request)
            return script.isEmpty ? fallback : script.removeFirst()
        }
    }
}

/// Records waits instead of sleeping.
final class FetchSleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Double] = []
    var waits: [Double] { lock.withLock { storage } }
    var sleep: @Sendable (Double) -> Void { { [self] s in lock.withLock { storage.append(s) } } }
}

enum FetchFixtures {
    static let token = "tok_0123456789abcdef"
    static let api = "https://api.example.test/api/v1"

    static func configuration(api: String = api, retries: Int = 3, resolve: Bool = true) -> Configuration {
        var c = Configuration(
            project: "my-app", environment: "prod", mode: .run(command: ["true"]), token: .literal(Secret(token)))
        c.apiURL = api
        c.retries = retries
        c.resolve = resolve
        return c
    }

    static func ok(_ secrets: [String: String], etag: String? = nil) -> TransportResult {
        let body = "{\"data\":" + secretsJSON(secrets) + "}"
        return .success(
            TransportResponse(status: 200, etag: etag, contentType: "application/json", body: Array(body.utf8)))
    }

    static func status(_ status: Int, body: String = "", retryAfter: String? = nil, location: String? = nil)
        -> TransportResult
    {
        .success(TransportResponse(status: status, retryAfter: retryAfter, location: location, body: Array(body.utf8)))
    }

    static func secretsJSON(_ secrets: [String: String]) -> String {
        "{" + secrets.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    static func client(
        _ transport: FetchScriptedTransport, configuration: Configuration = configuration(),
        log: FetchLogBuffer = FetchLogBuffer(),
        verbosity: Configuration.Verbosity = .verbose, sleeper: FetchSleepRecorder = FetchSleepRecorder(),
        random: Double = 0.5
    ) -> SecretsClient {
        SecretsClient(
            configuration: configuration, token: Secret(token), transport: transport, logger: log.logger(verbosity),
            sleep: sleeper.sleep, random: { random })
    }
}
