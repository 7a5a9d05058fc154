import Dispatch
import SoupCore
import SoupTestSupport
import Testing

@testable import SoupHTTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("HTTPServer")
struct HTTPServerTests {
    @Test("port 0 picks a free port and requests reach the handler")
    func servesARequest() throws {
        let (server, port) = try startServer()
        defer { server.shutdown() }
        #expect(port != 0)
        let response = try #require(get(port, "/hello?x=1"))
        #expect(response.status == 200)
        #expect(response.text == "GET /hello?x=1 ")
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(response.header("Connection") == "close")
    }

    @Test("binding a port in use fails with a message naming host, port and the system's reason")
    func portInUse() throws {
        let (server, port) = try startServer()
        defer { server.shutdown() }
        let second = HTTPServer(port: port, handler: echoHandler)
        #expect {
            _ = try second.start()
        } throws: { error in
            guard let error = error as? HTTPServerError, case .socketFailed(let call, _, _, let code) = error else {
                return false
            }
            return call == "bind" && code == EADDRINUSE && error.description.contains("127.0.0.1:\(port)")
                && error.description.contains("in use")
        }
    }

    @Test("an unknown host is refused with its name")
    func unknownHost() {
        let server = HTTPServer(host: "no such host.invalid", handler: echoHandler)
        #expect(throws: HTTPServerError.self) { _ = try server.start() }
        do {
            _ = try server.start()
        } catch {
            #expect(error.description.contains("no such host.invalid"))
        }
    }

    @Test("a server starts once; shutdown is idempotent, also before start")
    func lifecycle() throws {
        let (server, _) = try startServer()
        #expect(throws: HTTPServerError.alreadyStarted) { _ = try server.start() }
        server.shutdown()
        server.shutdown()
        #expect(throws: HTTPServerError.alreadyStarted) { _ = try server.start() }
        let never = HTTPServer(handler: echoHandler)
        never.shutdown()
        #expect(throws: HTTPServerError.alreadyStarted) { _ = try never.start() }
    }

    @Test("keep-alive: several requests on one connection, in order")
    func keepAlive() throws {
        let (server, port) = try startServer()
        defer { server.shutdown() }
        let client = try connect(port)
        for index in 0..<5 {
            client.send("POST /\(index) HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nb=\(index)")
            let response = try #require(client.readResponse())
            #expect(response.text == "POST /\(index) b=\(index)")
            #expect(response.header("Connection") == "keep-alive")
        }
    }

    @Test("HTTP/1.0 closes after one response unless it asks for keep-alive")
    func http10() throws {
        let (server, port) = try startServer()
        defer { server.shutdown() }
        let plain = try connect(port)
        plain.send("GET /a HTTP/1.0\r\n\r\n")
        let (responses, closed) = plain.readUntilClosed()
        #expect(responses.map(\.status) == [200])
        #expect(responses.first?.header("Connection") == "close")
        #expect(closed)

        let kept = try connect(port)
        kept.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(kept.readResponse()?.header("Connection") == "keep-alive")
        kept.send("GET /b HTTP/1.0\r\n\r\n")
        #expect(kept.readResponse()?.text == "GET /b ")
    }

    @Test("HEAD gets the length of the body but not the body")
    func head() throws {
        let (server, port) = try startServer()
        defer { server.shutdown() }
        let client = try connect(port)
        client.send("HEAD /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\n\r\n")
        let head = try #require(client.readResponse(bodyless: true))
        #expect(head.header("Content-Length") == "8")
        // Had the body been sent, it would be read as the start of the next response.
        #expect(client.readResponse()?.text == "GET /y ")
    }

    @Test("Expect: 100-continue gets 100 Continue before the body is sent")
    func expectContinue() throws {
        let (server, port) = try startServer()
        defer { server.shutdown() }
        let client = try connect(port)
        client.send("PUT /c HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        #expect(client.readResponse()?.status == 100)
        client.send("data")
        #expect(client.readResponse()?.text == "PUT /c data")
    }

    @Test("50 concurrent clients each make 5 keep-alive requests, all answered correctly")
    func concurrentClients() throws {
        let (server, port) = try startServer()
        defer { server.shutdown() }
        let failures = Locked<[String]>([])
        let connected = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        for _ in 0..<50 { connected.enter() }
        let clients = startThreads(50) { client in
            guard let connection = try? RawClient.connect(port: port).get() else {
                failures.update { $0.append("client \(client): cannot connect") }
                connected.leave()
                return
            }
            // All 50 connect before any sends, so they are all open at once.
            connected.leave()
            _ = go.wait(timeout: .now() + 30)
            for index in 0..<5 {
                let body = "c\(client)r\(index)"
                connection.send("POST /c/\(client) HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                let response = connection.readResponse(timeout: 30)
                if response?.text != "POST /c/\(client) \(body)" {
                    failures.update { $0.append("client \(client) request \(index): \(String(describing: response))") }
                }
            }
        }
        #expect(connected.wait(timeout: .now() + 30) == .success)
        for _ in 0..<50 { go.signal() }
        #expect(clients.wait(timeout: .now() + 60) == .success)
        #expect(failures.withLock { $0 } == [])
    }

    @Test("a slow handler does not hold up other connections")
    func slowHandler() throws {
        let holding = HoldingHandler(path: "/slow")
        let (entered, release) = (holding.entered, holding.release)
        let (server, port) = try startServer(handler: holding.handler)
        defer { server.shutdown() }
        let slow = try connect(port)
        slow.send("GET /slow HTTP/1.1\r\n\r\n")
        #expect(entered.wait(timeout: .now() + 10) == .success)
        #expect(get(port, "/fast")?.text == "GET /fast ")
        release.signal()
        #expect(slow.readResponse()?.text == "GET /slow ")
    }

    @Test("beyond maxConnections a client gets 503 and is closed; capacity comes back")
    func connectionCap() throws {
        var limits = HTTPLimits()
        limits.maxConnections = 2
        let (server, port) = try startServer(limits: limits)
        defer { server.shutdown() }
        var first: RawClient? = try connect(port)
        var second: RawClient? = try connect(port)
        // Both are admitted once they have been answered.
        first?.send("GET /1 HTTP/1.1\r\n\r\n")
        second?.send("GET /2 HTTP/1.1\r\n\r\n")
        #expect(first?.readResponse()?.status == 200)
        #expect(second?.readResponse()?.status == 200)
        let third = try connect(port)
        let (responses, closed) = third.readUntilClosed()
        #expect(responses.map(\.status) == [503])
        #expect(responses.first?.text.contains("\"error\"") == true)
        #expect(closed)
        first = nil
        second = nil
        #expect(eventually { get(port)?.status == 200 })
    }

    @Test("shutdown lets the request in flight finish, refuses new connections, then returns")
    func gracefulShutdown() throws {
        let holding = HoldingHandler(path: "/slow")
        let (entered, release) = (holding.entered, holding.release)
        let (server, port) = try startServer(handler: holding.handler)
        let idle = try connect(port)
        idle.send("GET /warm HTTP/1.1\r\n\r\n")
        #expect(idle.readResponse()?.status == 200)
        let inFlight = try connect(port)
        inFlight.send("GET /slow HTTP/1.1\r\n\r\n")
        #expect(entered.wait(timeout: .now() + 10) == .success)

        let stopped = DispatchSemaphore(value: 0)
        #expect(
            DetachedThread.start {
                server.shutdown()
                stopped.signal()
            } == 0)
        #expect(eventually { (try? RawClient.connect(port: port).get()) == nil })
        #expect(idle.readUntilClosed().closed, "the idle keep-alive connection is closed")
        #expect(stopped.wait(timeout: .now() + 0.2) == .timedOut, "shutdown waits for the request in flight")

        release.signal()
        let response = try #require(inFlight.readResponse())
        #expect(response.text == "GET /slow ")
        #expect(response.header("Connection") == "close")
        #expect(stopped.wait(timeout: .now() + 10) == .success)
        #expect(RawClient.connect(port: port).failure == .init(code: ECONNREFUSED))
    }

    @Test("shutdown gives up on a stuck handler after shutdownTimeout")
    func boundedShutdown() throws {
        var limits = HTTPLimits()
        limits.shutdownTimeout = 0.2
        let holding = HoldingHandler(path: nil)
        let (entered, release) = (holding.entered, holding.release)
        let (server, port) = try startServer(limits: limits, handler: holding.handler)
        let client = try connect(port)
        client.send("GET /stuck HTTP/1.1\r\n\r\n")
        #expect(entered.wait(timeout: .now() + 10) == .success)
        let started = ContinuousClock.now
        server.shutdown()
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(client.readUntilClosed().closed, "the stuck request's connection is cut")
        release.signal()
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
