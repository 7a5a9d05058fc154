/// Strings ordered by their UTF-8 bytes, as `sort` orders them in the C locale. Used wherever an
/// order must be the same on every run and every platform (exports, encoded JSON, which error is
/// reported first). Compares bytes in place; String's own `<` is Unicode-aware and slower.
public enum ByteOrder {
    /// True when `a`'s UTF-8 bytes sort before `b`'s (a proper prefix sorts first).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in b.withUTF8 { y in precedes(x, y) } }
    }

    /// True when the bytes `x` sort before `y` (a proper prefix sorts first).
    public static func precedes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        let common = min(x.count, y.count)
        var i = 0
        while i < common {
            if x[i] != y[i] { return x[i] < y[i] }
            i += 1
        }
        return x.count < y.count
    }

    /// `strings` in byte order.
    public static func sorted(_ strings: some Sequence<String>) -> [String] {
        strings.sorted(by: precedes)
    }
}
