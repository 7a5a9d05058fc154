// libFuzzer entry point for the --env-file reader (built by scripts/fuzz.sh with DotenvParser and
// the sources it needs). Invariants: parsing never crashes; an error's line lies inside the input;
// whatever parses has valid keys and NUL-free values, and soup-run's dotenv export of it parses
// back to the same variables.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDotenv(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let lines = bytes.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    do {
        let variables = try DotenvParser.parse(bytes)
        for (key, value) in variables {
            precondition(SecretKey.isValid(key), "an invalid key was accepted")
            precondition(!value.utf8.contains(0), "a NUL was accepted")
        }
        let exported = Array(ExportFormatter.format(variables, as: .dotenv).utf8)
        guard (try? DotenvParser.parse(exported)) == variables else {
            fatalError("export/parse round trip changed the variables")
        }
    } catch {
        precondition(error.line >= 1 && error.line <= lines, "error line outside the input")
    }
    return 0
}
