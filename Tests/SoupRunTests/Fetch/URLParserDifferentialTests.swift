import SoupTestSupport
import Testing

@testable import SoupRun

/// The byte parsers of `HTTPURL` and `APIURL` against the character parsers they replaced
/// (`ReferenceURL`), on seeded random texts built from the pieces URLs are made of: the same URL
/// or the same error for every text.
@Suite struct URLParserDifferentialTests {
    static let pieces = [
        "http", "https", "HTTP", "hTtPs", "ftp", "://", ":/", "//", "/", "?", "#", "@", ":", "[", "]", "::1",
        "2001:db8::",
        "127.0.0.1", "localhost", "Api.Example.COM", "my_host", "-", ".", "~", "%20", "0", "8080", "65535", "65536",
        "123456", "user:pw", "a", "Z", "resolve=false", "&", "=", " ", "\t", "\u{7F}", "é", "\u{301}", "\r\n", "",
    ]

    static func randomText(_ generator: inout SplitMix64) -> String {
        // Most texts start like a URL, so the later rules are reached too.
        var text = Int(generator.next() % 4) == 0 ? "" : ["http://", "https://", "HTTP://"][Int(generator.next() % 3)]
        for _ in 0..<Int(generator.next() % 9) { text += pieces[Int(generator.next() % UInt64(pieces.count))] }
        return text
    }

    @Test func httpURLParsesAsBefore() {
        var generator = SplitMix64(seed: 0x5EED_0F01)
        var parsed = 0
        for _ in 0..<50_000 {
            let text = Self.randomText(&generator)
            let new = Result { () throws(URLProblem) in try HTTPURL.parse(text) }
            let old = Result { () throws(URLProblem) in try ReferenceURL.http(text) }
            #expect(new == old, "\(text.debugDescription)")
            if case .success(let url) = new {
                parsed += 1
                #expect(url.isLoopback == ReferenceURL.isLoopback(url.host), "\(text.debugDescription)")
            }
        }
        #expect(parsed > 1000, "the texts reach valid URLs too")
    }

    @Test func loopbackHostsAreAsBefore() {
        var generator = SplitMix64(seed: 0x100B_ACC0)
        let parts = ["127", "0", "1", "255", "256", "0127", "1000", ".", "..", "localhost", "x", "[::1]", "-", "[", ""]
        var loopback = 0
        for _ in 0..<50_000 {
            var host = ""
            for _ in 0..<Int(generator.next() % 9) { host += parts[Int(generator.next() % UInt64(parts.count))] }
            let url = HTTPURL(scheme: "http", host: host)
            #expect(url.isLoopback == ReferenceURL.isLoopback(host), "\(host.debugDescription)")
            if url.isLoopback { loopback += 1 }
        }
        #expect(loopback > 100, "loopback hosts are reached too")
    }

    @Test func apiURLParsesAsBefore() {
        var generator = SplitMix64(seed: 0xA910_0F01)
        var parsed = 0
        for _ in 0..<50_000 {
            let text = Self.randomText(&generator)
            let new = Result { () throws(APIURL.Invalid) in try APIURL.parse(text) }
            let old = Result { () throws(APIURL.Invalid) in try ReferenceURL.api(text) }
            #expect(new == old, "\(text.debugDescription)")
            if case .success = new { parsed += 1 }
        }
        #expect(parsed > 1000, "the texts reach valid URLs too")
    }
}
