#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `KEY=value` strings, each ending in NUL, in one buffer, with the offset where each starts: what
/// execve's envp points into. One allocation instead of one per variable, sorted in place.
struct EnvironmentBlock: Sendable, Equatable {
    var bytes: [UInt8] = []
    var offsets: [Int] = []

    /// The strings of `environment`, sorted by key in byte order; a variable whose value is the
    /// one of its `undecodable` entry is written as that entry's original bytes.
    init(sorting environment: [String: String], undecodable: [String: RawEnvironmentEntry] = [:]) {
        var entries: [(offset: Int, keyLength: Int)] = []
        entries.reserveCapacity(environment.count)
        for (key, value) in environment {
            if let raw = undecodable[key], raw.value == value, let eq = raw.bytes.firstIndex(of: UInt8(ascii: "=")) {
                entries.append((bytes.count, eq))
                bytes.append(contentsOf: raw.bytes.prefix { $0 != 0 })
                bytes.append(0)
                continue
            }
            entries.append((bytes.count, key.utf8.count))
            append(key)
            bytes.append(UInt8(ascii: "="))
            append(value)
            bytes.append(0)
        }
        bytes.withUnsafeBytes { buffer in
            // Keys compared as bytes: "A" sorts before "A1", whatever follows the "=".
            guard let base = buffer.baseAddress else { return }
            entries.sort { a, b in
                let order = memcmp(base + a.offset, base + b.offset, min(a.keyLength, b.keyLength))
                return order != 0 ? order < 0 : a.keyLength < b.keyLength
            }
        }
        // Laid out again in sorted order, so that equal environments are equal blocks.
        var sorted: [UInt8] = []
        sorted.reserveCapacity(bytes.count)
        offsets.reserveCapacity(entries.count)
        for entry in entries {
            offsets.append(sorted.count)
            let end = bytes[entry.offset...].firstIndex(of: 0)!
            sorted.append(contentsOf: bytes[entry.offset...end])
        }
        bytes = sorted
    }

    /// The given strings in their order.
    init(strings: [String]) {
        for string in strings {
            offsets.append(bytes.count)
            append(string)
            bytes.append(0)
        }
    }

    private mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { bytes.append(contentsOf: $0) }
    }

    var strings: [String] {
        offsets.map { start in
            let end = bytes[start...].firstIndex(of: 0)!
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }

    /// Calls `body` with a NULL-terminated array of pointers to the strings.
    func withPointers<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        bytes.withUnsafeBufferPointer { buffer in
            // execve's prototype takes `char *const[]`; it does not write through the pointers.
            let base = buffer.baseAddress.map {
                UnsafeMutableRawPointer(mutating: $0).assumingMemoryBound(to: CChar.self)
            }
            let pointers: [UnsafeMutablePointer<CChar>?] =
                (base.map { base in offsets.map { base + $0 } } ?? []) + [nil]
            return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
    }
}
