// libFuzzer entry point for the JSON parser (built by scripts/fuzz.sh with the SoupCore sources).
// Invariants: parsing never crashes; an error's offset lies inside the input; whatever parses
// encodes to text that parses back to the same value; the UTF-8 check agrees with the standard
// library's decoder on the raw input.
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
    let invalid = bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset(in: $0) }
    let wellFormed = String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes)
    precondition((invalid == nil) == wellFormed, "UTF-8 validation disagrees with the standard library")
    if let invalid {
        let prefix = Array(bytes[..<invalid])
        precondition(String(decoding: prefix, as: UTF8.self).utf8.elementsEqual(prefix), "invalid offset too late")
    }
    return 0
}
