// libFuzzer entry point for the JSON parser (built by scripts/fuzz.sh with the SoupCore sources).
// Invariants: parsing never crashes; an error's offset lies inside the input; whatever parses
// encodes to text that parses back to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let value = try JSON.parse(bytes)
        guard (try? JSON.parse(value.encoded())) == value else {
            fatalError("encode/parse round trip changed the value")
        }
    } catch {
        precondition(error.offset >= 0 && error.offset <= size, "error offset outside the input")
    }
    return 0
}
