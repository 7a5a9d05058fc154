import SoupTestSupport
import Testing

@testable import SoupHTTP

/// Seeded, reproducible fuzzing of the request parser with mutated requests and random bytes.
///
/// Properties, beyond "does not crash": the result does not depend on how the bytes are split
/// into reads; a request never claims more bytes than were fed; an error is one of the statuses
/// the parser documents.
@Suite("HTTPRequestParser fuzz")
struct HTTPParserFuzzTests {
    static let templates = [
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/v1/projects/p/environments/e/secrets?resolve=false HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer t\r\n\r\n",
        "POST /s HTTP/1.1\r\nContent-Length: 7\r\nContent-Type: application/json\r\n\r\n{\"a\":1}",
        "DELETE /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "PUT /x HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabcGET / HTTP/1.1\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nX-Pad: \(String(repeating: "p", count: 220))\r\n\r\n",
    ].map { Array($0.utf8) }

    static let alphabet: [UInt8] = Array("\r\n :\t/HTTP1.0-Content-Length9\u{0}".utf8) + [0x7F, 0x80, 0xC3, 0xFF, 0x16]
    static let statuses: Set<Int> = [400, 411, 413, 431, 501, 505]

    /// Checks the properties for one input, with reads split at random points.
    static func check(_ bytes: [UInt8], _ generator: inout SplitMix64, limits: HTTPLimits) {
        let whole = HTTPRequestParser.parse(bytes, limits: limits)
        let pieces = feedInPieces(bytes, size: 1 + generator.next(below: 9), limits: limits)
        #expect(whole == pieces, "input \(bytes)")
        switch whole {
        case .request(_, let consumed): #expect(consumed > 0 && consumed <= bytes.count)
        case .error(let status, let reason): #expect(statuses.contains(status) && !reason.isEmpty)
        case .needMore: break
        }
    }

    @Test("mutated requests: same result however split, sane values")
    func mutations() {
        var generator = SplitMix64(seed: 0x50_0B)
        var limits = HTTPLimits()
        limits.maxHeaderBytes = 256
        limits.maxBodyBytes = 64
        var outcomes: Set<String> = []
        for _ in 0..<6000 {
            var bytes = Self.templates[generator.next(below: Self.templates.count)]
            for _ in 0...generator.next(below: 4) {
                let at = generator.next(below: bytes.count)
                switch generator.next(below: 5) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(Self.alphabet[generator.next(below: Self.alphabet.count)], at: at)
                case 2: bytes[at] = Self.alphabet[generator.next(below: Self.alphabet.count)]
                case 3: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + generator.next(below: 40))], at: at)
                default: bytes.removeLast(generator.next(below: bytes.count - at))
                }
                if bytes.isEmpty { bytes = [0x0A] }
            }
            Self.check(bytes, &generator, limits: limits)
            switch HTTPRequestParser.parse(bytes, limits: limits) {
            case .request: outcomes.insert("request")
            case .needMore: outcomes.insert("needMore")
            case .error(let status, _): outcomes.insert("\(status)")
            }
        }
        // The mutations must reach every kind of outcome, or they test less than they claim.
        #expect(
            outcomes.isSuperset(of: ["request", "needMore", "400", "411", "413", "431", "501", "505"]), "\(outcomes)")
    }

    @Test("random bytes: same result however split, sane values")
    func randomBytes() {
        var generator = SplitMix64(seed: 7)
        var limits = HTTPLimits()
        limits.maxHeaderBytes = 128
        for _ in 0..<6000 {
            let bytes = (0..<(1 + generator.next(below: 200))).map { _ in
                generator.next(below: 3) == 0
                    ? Self.alphabet[generator.next(below: Self.alphabet.count)]
                    : UInt8(truncatingIfNeeded: generator.next())
            }
            Self.check(bytes, &generator, limits: limits)
        }
    }

    @Test("a stream of pipelined requests parses the same fed whole or in pieces")
    func pipelinedStream() {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<300 {
            let parts = (0..<(1 + generator.next(below: 5))).map { _ in Self.templates[generator.next(below: 4)] }
            let stream = parts.flatMap { $0 }
            var whole = HTTPRequestParser()
            var requests: [HTTPRequest] = []
            var result = whole.feed(stream)
            while case .request(let request, _) = result {
                requests.append(request)
                result = whole.next()
            }
            #expect(requests.count == parts.count)
            var split = HTTPRequestParser()
            var again: [HTTPRequest] = []
            var offset = 0
            while offset < stream.count {
                let size = 1 + generator.next(below: 30)
                var step = split.feed(stream[offset..<min(stream.count, offset + size)])
                while case .request(let request, _) = step {
                    again.append(request)
                    step = split.next()
                }
                offset += size
            }
            #expect(again == requests)
        }
    }
}
