import Dispatch
import Testing

@testable import SoupHTTP

/// A handler that answers 200 with `METHOD TARGET BODY`, so a test can tell which request was answered.
let echoHandler: HTTPHandler = { request in
    HTTPResponse.text(
        status: 200, "\(request.method) \(request.target) \(String(decoding: request.body, as: UTF8.self))")
}

/// A handler that holds requests (to `path`, or every request when nil) until `release` is
/// signalled, at most 30 s, signalling `entered` as each arrives; other requests are echoed.
struct HoldingHandler: Sendable {
    let path: String?
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)

    var handler: HTTPHandler {
        { [self] request in
            if path == nil || request.target == path {
                entered.signal()
                _ = release.wait(timeout: .now() + 30)
            }
            return echoHandler(request)
        }
    }
}

/// Starts a server on a free port of 127.0.0.1, fails the test if it cannot.
func startServer(
    limits: HTTPLimits = HTTPLimits(), handler: @escaping HTTPHandler = echoHandler
) throws -> (server: HTTPServer, port: UInt16) {
    let server = HTTPServer(limits: limits, handler: handler)
    let port = try server.start()
    return (server, port)
}

/// Connects to the server, failing the test if the connection is refused.
func connect(_ port: UInt16, sourceLocation: SourceLocation = #_sourceLocation) throws -> RawClient {
    try #require(
        try? RawClient.connect(port: port).get(), "cannot connect to port \(port)", sourceLocation: sourceLocation)
}

/// Sends a plain GET on a fresh connection and returns the response (nil if none came).
func get(_ port: UInt16, _ target: String = "/ok") -> WireResponse? {
    guard let client = try? RawClient.connect(port: port).get() else { return nil }
    client.send("GET \(target) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
    return client.readResponse()
}

/// Polls `condition` every 10 ms until it holds or `timeout` seconds pass; returns whether it held.
func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + .seconds(timeout)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        _ = DispatchSemaphore(value: 0).wait(timeout: .now() + .milliseconds(10))
    }
    return condition()
}

/// Starts `body` for each index on its own thread at once; wait on the returned group for them to end.
func startThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> DispatchGroup {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let status = DetachedThread.start {
            body(index)
            group.leave()
        }
        if status != 0 { group.leave() }
    }
    return group
}
