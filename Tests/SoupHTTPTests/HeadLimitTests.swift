import Testing

@testable import SoupHTTP

/// The per-peer cap on connections sending a request head, and the head's shorter deadline.
@Suite("Request heads: per-peer cap and deadline")
struct HeadLimitTests {
    static let partialHead = "GET /slow HTTP/1.1\r\nX-Slow: a"

    /// Limits under which a dripped head would be held for long: only the cap can refuse it.
    static func holdingLimits(heads: Int) -> HTTPLimits {
        var limits = HTTPLimits()
        limits.maxHeadsPerPeer = heads
        limits.headTimeout = 30
        limits.idleTimeout = 30
        return limits
    }

    @Test("HeadCounts: take up to the cap per peer, release frees a slot, empty peers are forgotten")
    func counts() {
        var counts = HeadCounts()
        let a = PeerAddress(bytes: [127, 0, 0, 1])
        let b = PeerAddress(bytes: [127, 0, 0, 2])
        let taken = [counts.take(a, cap: 2), counts.take(a, cap: 2), counts.take(a, cap: 2), counts.take(b, cap: 2)]
        #expect(taken == [true, true, false, true])
        counts.release(a)
        #expect(counts.count(of: a) == 1)
        let again = counts.take(a, cap: 2)
        #expect(again)
        counts.release(b)
        counts.release(b)
        #expect(counts.count(of: b) == 0)
    }

    @Test("a peer holding maxHeadsPerPeer dripping heads gets 503; another address is served")
    func capPerPeer() throws {
        let (server, port) = try startServer(limits: Self.holdingLimits(heads: 4))
        defer { server.shutdown() }
        var dripping: [RawClient] = []
        for _ in 0..<4 {
            let client = try connect(port)
            client.send(Self.partialHead)
            dripping.append(client)
        }
        let refused = try connect(port)
        refused.send(HostileCase.get)
        let answer = refused.readResponse()
        #expect(answer?.status == 503)
        #expect(answer?.header("Retry-After") == "1")
        #expect(answer?.text.contains("from your address") == true)
        #expect(refused.readUntilClosed().closed)

        let other = try #require(try? RawClient.connect(port: port, from: 0x7F00_0002).get())
        other.send(HostileCase.last)
        #expect(other.readResponse()?.status == 200, "a client from 127.0.0.2 is not held up")

        // One dripping head completes: its slot is free again for the same address.
        dripping[0].send("\r\n\r\n")
        #expect(dripping[0].readResponse()?.status == 200)
        #expect(get(port)?.status == 200)
    }

    @Test("200 kept-alive clients on one address are all served twice under a cap of 4 heads")
    func keepAliveFleet() throws {
        let (server, port) = try startServer(limits: Self.holdingLimits(heads: 4))
        defer { server.shutdown() }
        var fleet: [RawClient] = []
        for index in 0..<200 {
            let client = try connect(port)
            client.send("GET /first/\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.readResponse()?.status == 200, "client \(index), first request")
            fleet.append(client)
        }
        for (index, client) in fleet.enumerated() {
            client.send("GET /second/\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.readResponse()?.text == "GET /second/\(index) ", "client \(index), second request")
        }
    }

    @Test("a kept-alive connection that starts a head while its address is at the cap gets 503")
    func keepAliveOverCap() throws {
        let (server, port) = try startServer(limits: Self.holdingLimits(heads: 1))
        defer { server.shutdown() }
        let kept = try connect(port)
        kept.send(HostileCase.get)
        #expect(kept.readResponse()?.status == 200)
        let dripping = try connect(port)
        dripping.send(Self.partialHead)
        // The server has taken the dripping connection's slot once it answers others' refusals.
        let probe = try connect(port)
        probe.send(HostileCase.get)
        #expect(probe.readResponse()?.status == 503)
        kept.send(Self.partialHead)
        let (responses, closed) = kept.readUntilClosed()
        #expect(responses.map(\.status) == [503])
        #expect(closed)
    }

    @Test("a dripped head gets 408 after headTimeout; a slow body gets the longer idleTimeout")
    func headDeadline() throws {
        var limits = HTTPLimits()
        limits.headTimeout = 0.5
        limits.idleTimeout = 30
        let (server, port) = try startServer(limits: limits)
        defer { server.shutdown() }

        let started = ContinuousClock.now
        let dripping = try connect(port)
        dripping.send(Self.partialHead)
        let (responses, closed) = dripping.readUntilClosed()
        #expect(responses.map(\.status) == [408])
        #expect(responses.first?.text.contains("request head within 0.5 seconds") == true)
        #expect(closed)
        #expect(ContinuousClock.now - started < .seconds(10))

        let uploading = try connect(port)
        uploading.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nabc")
        // Twice the head deadline passes with the body half sent: no answer, the connection stays.
        #expect(!uploading.receiveSome(timeout: 1))
        #expect(!uploading.sawEnd)
        uploading.send("def")
        #expect(uploading.readResponse()?.text == "POST /up abcdef")
    }

    @Test("headTimeout is never longer than idleTimeout")
    func headNotLongerThanIdle() {
        var limits = HTTPLimits()
        limits.headTimeout = 20
        limits.idleTimeout = 1
        #expect(limits.headSeconds == 1)
        limits.headTimeout = .nan
        limits.idleTimeout = 30
        #expect(limits.headSeconds == 10)
    }
}
