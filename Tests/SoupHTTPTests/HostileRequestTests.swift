import Testing

@testable import SoupHTTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes a client sends on one connection, the statuses it must get back in order, and then the
/// server must close the connection.
struct HostileCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var statuses: [Int]
    /// Send FIN after the bytes (a client that gives up half way).
    var finishSending = false
    var testDescription: String { name }

    init(_ name: String, _ text: String, _ statuses: [Int], finishSending: Bool = false) {
        self.init(name, Array(text.utf8), statuses, finishSending: finishSending)
    }

    init(_ name: String, _ bytes: [UInt8], _ statuses: [Int], finishSending: Bool = false) {
        self.name = name
        self.bytes = bytes
        self.statuses = statuses
        self.finishSending = finishSending
    }

    static let get = "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
    static let last = "GET /last HTTP/1.1\r\nConnection: close\r\n\r\n"

    static let all: [HostileCase] = [
        HostileCase("connect and hang up", "", [], finishSending: true),
        HostileCase("only empty lines, then hang up", "\r\n\r\n\n", [], finishSending: true),
        HostileCase("truncated request line", "GET / HTT", [], finishSending: true),
        HostileCase("truncated header line", "GET / HTTP/1.1\r\nHost: x", [], finishSending: true),
        HostileCase("truncated body", "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", [], finishSending: true),
        HostileCase("huge header", "GET / HTTP/1.1\r\nX: \(String(repeating: "a", count: 20_000))\r\n\r\n", [431]),
        HostileCase("huge request line", "GET /\(String(repeating: "a", count: 20_000)) HTTP/1.1\r\n\r\n", [431]),
        HostileCase(
            "many small headers", "GET / HTTP/1.1\r\n" + String(repeating: "X-A: b\r\n", count: 3000) + "\r\n", [431]),
        HostileCase("endless empty lines", String(repeating: "\r\n", count: 10_000), [431]),
        HostileCase("negative Content-Length", "POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\nabc", [400]),
        HostileCase("huge Content-Length", "POST / HTTP/1.1\r\nContent-Length: 18446744073709551617\r\n\r\n", [413]),
        HostileCase(
            "body over 1 MiB actually sent",
            "POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n" + String(repeating: "x", count: 1_048_577), [413],
            finishSending: true),
        HostileCase(
            "conflicting Content-Length", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", [400]),
        HostileCase("POST without Content-Length", "POST / HTTP/1.1\r\n\r\nabc", [411]),
        HostileCase(
            "chunked body", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", [501]),
        HostileCase("NUL in a header value", "GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n", [400]),
        HostileCase("NUL in the request line", "GET /\u{0} HTTP/1.1\r\n\r\n", [400]),
        HostileCase(
            "invalid UTF-8 in a header value",
            Array("GET / HTTP/1.1\r\nX: ".utf8) + [0xFF, 0xFE] + Array("\r\n\r\n".utf8), [400]),
        HostileCase(
            "invalid UTF-8 in the target", Array("GET /".utf8) + [0xC3, 0x28] + Array(" HTTP/1.1\r\n\r\n".utf8), [400]),
        HostileCase("bare CR in a header", "GET / HTTP/1.1\r\nX: a\rb: c\r\n\r\n", [400]),
        HostileCase("obs-fold", "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", [400]),
        HostileCase("space before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", [400]),
        HostileCase("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", [400]),
        HostileCase("missing version", "GET /\r\n\r\n", [400]),
        HostileCase("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", [505]),
        HostileCase("too-long method", String(repeating: "GETGET", count: 20) + " / HTTP/1.1\r\n\r\n", [501]),
        HostileCase("TLS handshake", [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03], [400]),
        HostileCase("binary garbage", (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 0xFF) }, [400]),
        HostileCase("pipelined requests", get + get + last, [200, 200, 200]),
        HostileCase("pipelined good then bad", get + "GET / HTTP/9.9\r\n\r\n" + get, [200, 505]),
        HostileCase(
            "body longer than Content-Length", "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nabXYZ\r\n\r\n", [200, 400]),
        HostileCase("HTTP/1.0 closes", "GET / HTTP/1.0\r\n\r\n", [200]),
        HostileCase("Connection: close is honoured", last, [200]),
    ]
}

@Suite("Hostile requests over a raw socket")
struct HostileRequestTests {
    /// Sends the case, checks the statuses and that the server closed, then that it still serves.
    static func run(_ hostile: HostileCase, port: UInt16) throws {
        let client = try connect(port)
        client.send(hostile.bytes)
        if hostile.finishSending { client.finishSending() }
        let (responses, closed) = client.readUntilClosed()
        #expect(responses.map(\.status) == hostile.statuses)
        #expect(closed, "the server closes the connection")
        for response in responses where response.status >= 400 {
            #expect(response.header("Connection") == "close")
            #expect(response.text.hasPrefix("{\"error\":\""))
        }
        #expect(get(port)?.status == 200, "the server still serves afterwards")
    }

    @Test(arguments: HostileCase.all)
    func hostileRequest(_ hostile: HostileCase) throws {
        let (server, port) = try startServer()
        defer { server.shutdown() }
        try Self.run(hostile, port: port)
    }

    @Test("a byte-a-second client gets 408 after idleTimeout, however it keeps sending")
    func slowloris() throws {
        var limits = HTTPLimits()
        limits.idleTimeout = 1
        let (server, port) = try startServer(limits: limits)
        defer { server.shutdown() }
        let client = try connect(port)
        let started = ContinuousClock.now
        let drip = Array("GET / HTTP/1.1\r\nX-Slow: \(String(repeating: "z", count: 200))".utf8)
        // One byte each time 100 ms pass without an answer: 20 s of dripping if the server let it.
        for byte in drip where !client.sawEnd {
            client.send([byte])
            if client.receiveSome(timeout: 0.1) { break }
        }
        let (responses, closed) = client.readUntilClosed()
        #expect(responses.map(\.status) == [408])
        #expect(closed)
        #expect(ContinuousClock.now - started < .seconds(8))
        #expect(get(port)?.status == 200)
    }

    @Test("an idle keep-alive connection is closed after idleTimeout without an answer")
    func idleConnection() throws {
        var limits = HTTPLimits()
        limits.idleTimeout = 0.5
        let (server, port) = try startServer(limits: limits)
        defer { server.shutdown() }
        let client = try connect(port)
        client.send(HostileCase.get)
        #expect(client.readResponse()?.status == 200)
        let (responses, closed) = client.readUntilClosed()
        #expect(responses.isEmpty)
        #expect(closed)
        #expect(client.leftover.isEmpty)
    }

    #if os(Linux)
        @Test("no descriptor is left open after a hostile batch and shutdown")
        func noDescriptorLeaks() throws {
            var limits = HTTPLimits()
            limits.idleTimeout = 0.5
            let (server, port) = try startServer(limits: limits)
            let wake = try #require(server.wakePipe)
            let wakeInodes = [readLink(wake.read), readLink(wake.write)]
            #expect(!serverSockets(port: port).isEmpty, "the listening socket is seen")
            for hostile in HostileCase.all {
                try Self.run(hostile, port: port)
            }
            // Clients that vanish: reset mid-request, and idle until the server times them out.
            for _ in 0..<10 {
                let client = try connect(port)
                client.send("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc")
                var reset = linger(l_onoff: 1, l_linger: 0)
                setsockopt(client.fd, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
            }
            do {
                let idle = try connect(port)
                #expect(idle.readUntilClosed().closed)
            }
            server.shutdown()
            // Other tests run in this process at the same time, so a plain count of /proc/self/fd
            // would move with theirs: look for our server's own sockets and pipe instead.
            #expect(serverSockets(port: port) == [], "sockets of port \(port) still open")
            #expect(readLink(wake.read) != wakeInodes[0])
            #expect(readLink(wake.write) != wakeInodes[1])
        }
    #endif
}
