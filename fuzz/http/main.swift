// libFuzzer entry point for the HTTP/1.1 request parser (built by scripts/fuzz.sh with the SoupHTTP
// sources). Invariants: no crash; the result does not depend on how the bytes are split (fed whole
// versus in two parts at a point derived from the input); pipelined requests drain in bounded steps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var limits = HTTPLimits()
    limits.maxHeaderBytes = 512
    limits.maxBodyBytes = 256

    var whole = HTTPRequestParser(limits: limits)
    var split = HTTPRequestParser(limits: limits)
    let cut = size == 0 ? 0 : Int(bytes[0]) % (size + 1)
    let first = whole.feed(bytes)
    // A request (or an error) complete within the first part must come out of the first feed.
    let early = split.feed(bytes[..<cut])
    let second = early == .needMore ? split.feed(bytes[cut...]) : early
    precondition(first == second, "result depends on how the input was split")

    var result = first
    var steps = 0
    while case .request = result {
        steps += 1
        precondition(steps <= size + 1, "more requests than bytes")
        result = whole.next()
    }
    return 0
}
