import SoupCore
import SoupHTTP
import Testing

@testable import SoupDevServer

/// Rate limits per token and tier with a hand-stepped clock, and ETag / If-None-Match.
@Suite struct LimitsAndETagTests {
    @Test func tiersHaveTheContractsLimits() {
        #expect(Tier.selfHosted.requestsPerMinute == nil)
        #expect(Tier.free.requestsPerMinute == 100)
        #expect(Tier.pro.requestsPerMinute == 1_000)
        #expect(Tier.enterprise.requestsPerMinute == 10_000)
    }

    @Test func freeTierGets100PerMinuteThen429WithRetryAfter() {
        let clock = ManualClock()
        let api = makeAPI(clock: clock)
        for i in 0..<100 {
            #expect(api.send("GET", "\(prefix)/dev/secrets", token: "tok-free").status == 200, "request \(i)")
            clock.advance(by: .milliseconds(100))  // 100 requests over 10 s
        }
        let refused = api.send("GET", "\(prefix)/dev/secrets", token: "tok-free")
        expectError(refused, 429, "Rate limit exceeded")
        // The first request (t=0) leaves the window at t=60 s; now is t=10 s.
        #expect(refused.header("Retry-After") == "50")
        clock.advance(by: .milliseconds(49_500))
        #expect(api.send("GET", "\(prefix)/dev/secrets", token: "tok-free").header("Retry-After") == "1")
        clock.advance(by: .milliseconds(500))
        #expect(api.send("GET", "\(prefix)/dev/secrets", token: "tok-free").status == 200)
        // The slot that freed is taken again; the next one frees 100 ms later: rounded up to 1 s.
        let again = api.send("GET", "\(prefix)/dev/secrets", token: "tok-free")
        #expect(again.status == 429)
        #expect(again.header("Retry-After") == "1")
    }

    @Test func limitsArePerToken() {
        let api = makeAPI()
        for _ in 0..<100 { _ = api.send("GET", "\(prefix)/dev/secrets", token: "tok-free") }
        #expect(api.send("GET", "\(prefix)/dev/secrets", token: "tok-free").status == 429)
        #expect(api.send("GET", "\(prefix)/dev/secrets", token: "tok-free-2").status == 200)
        #expect(api.send("GET", "\(prefix)/dev/secrets", token: "tok-pro").status == 200)
    }

    @Test func selfHostedIsUnlimitedAndProStopsAt1000() {
        let api = makeAPI()
        for _ in 0..<1_500 { #expect(api.send("GET", "\(prefix)/dev/secrets/keys").status == 200) }
        for _ in 0..<1_000 { _ = api.send("GET", "\(prefix)/dev/secrets/keys", token: "tok-pro") }
        let refused = api.send("GET", "\(prefix)/dev/secrets/keys", token: "tok-pro")
        #expect(refused.status == 429)
        #expect(refused.header("Retry-After") == "60")
    }

    @Test func refusedRequestsDoNotCountAndEveryMethodCounts() {
        let limiter = RateLimiter()
        for _ in 0..<3 { #expect(limiter.admit(token: "t", limit: 3, now: .seconds(1)) == .allowed) }
        for s in 2..<60 {
            #expect(limiter.admit(token: "t", limit: 3, now: .seconds(s)) == .limited(retryAfter: 61 - s))
        }
        #expect(limiter.admit(token: "t", limit: 3, now: .seconds(61)) == .allowed)
        #expect(limiter.admit(token: "t", limit: 3, now: .seconds(61)) == .allowed)
        #expect(limiter.admit(token: "t", limit: 3, now: .seconds(61)) == .allowed)
        #expect(limiter.admit(token: "t", limit: 3, now: .seconds(61)) == .limited(retryAfter: 60))
        #expect(limiter.admit(token: "u", limit: nil, now: .seconds(61)) == .allowed)
    }

    @Test func etagIsFNV1aOfTheBodyStrongAndQuoted() {
        #expect(ETag.of([]) == #""cbf29ce484222325""#)
        #expect(ETag.of(Array("a".utf8)) == #""af63dc4c8601ec8c""#)
        let response = makeAPI().send("GET", "\(prefix)/dev/secrets")
        #expect(response.header("ETag") == ETag.of(response.body))
    }

    @Test func etagChangesWithTheContentAndTheResolveFlag() {
        let api = makeAPI()
        let first = api.send("GET", "\(prefix)/dev/secrets").header("ETag")
        #expect(api.send("GET", "\(prefix)/dev/secrets").header("ETag") == first)
        #expect(api.send("GET", "\(prefix)/dev/secrets?resolve=false").header("ETag") != first)
        _ = api.send("POST", "\(prefix)/base/secrets", body: #"{"key":"DB_PORT","value":"6543"}"#)
        #expect(api.send("GET", "\(prefix)/dev/secrets").header("ETag") != first)
    }

    @Test func matchingIfNoneMatchIs304WithTheTagAndNoBody() throws {
        let api = makeAPI()
        let etag = try #require(api.send("GET", "\(prefix)/dev/secrets").header("ETag"))
        for field in [etag, "*", "W/\(etag)", #""other", \#(etag)"#, #"  "x,y" ,\#(etag)"#] {
            let response = api.send("GET", "\(prefix)/dev/secrets", headers: [("If-None-Match", field)])
            #expect(response.status == 304, "If-None-Match: \(field)")
            #expect(response.body.isEmpty)
            #expect(response.header("ETag") == etag)
        }
    }

    @Test func nonMatchingIfNoneMatchIs200() throws {
        let api = makeAPI()
        let etag = try #require(api.send("GET", "\(prefix)/dev/secrets").header("ETag"))
        let unquoted = String(etag.dropFirst().dropLast())
        for field in [#""0000000000000000""#, unquoted, "", "W/", #""unterminated"#, #""a""b""#] {
            let response = api.send("GET", "\(prefix)/dev/secrets", headers: [("If-None-Match", field)])
            #expect(response.status == 200, "If-None-Match: \(field)")
            #expect(response.header("ETag") == etag)
        }
    }

    @Test func staleTagAfterAChangeGets200() throws {
        let api = makeAPI()
        let old = try #require(api.send("GET", "\(prefix)/dev/secrets").header("ETag"))
        #expect(api.send("DELETE", "\(prefix)/dev/secrets/FEATURE_BETA").status == 204)
        let response = api.send("GET", "\(prefix)/dev/secrets", headers: [("If-None-Match", old)])
        #expect(response.status == 200)
        #expect(response.json?["data"]?["FEATURE_BETA"] == nil)
    }
}
