#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Secrets, keys unique and sorted in byte order, held in one flat buffer: what soup-run carries
/// from the API's answer to `--export`, the layers' combination in between.
///
/// Why not `[String: String]`: a dictionary of a million tiny secrets costs four times the
/// 16 MiB body it came from (32 bytes an entry at a 2^21 capacity, plus two Strings); here a
/// secret costs its bytes, two length bytes and a 4-byte offset. Lookups are binary searches.
public struct SecretSet: Sendable {
    /// Records, each `length key length value`, lengths as LEB128 varints (one byte below 128).
    var storage: [UInt8] = []
    /// Where each record starts in `storage`, in key order.
    var starts: [Int32] = []

    public init() {}

    /// The secrets of `dictionary`.
    public init(_ dictionary: [String: String]) {
        var builder = Builder(reservingBytes: 0, records: dictionary.count)
        for (key, value) in dictionary { builder.append(key: key, value: value) }
        // A dictionary has no two equal keys.
        self = builder.finish().set
    }

    /// The number of secrets.
    public var count: Int { starts.count }

    public var isEmpty: Bool { starts.isEmpty }

    /// The value of `key`, if the set has it.
    public subscript(key: String) -> String? {
        var key = key
        return key.withUTF8 { key in index(of: key).map { record(at: $0).value }.map(Self.string) }
    }

    /// The keys, in byte order.
    public var keys: [String] { indices.map { Self.string(record(at: $0).key) } }

    /// The secrets as a dictionary, for what needs one (the command's environment).
    public var dictionary: [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(count)
        forEachBytes { key, value in
            result[String(decoding: key, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return result
    }

    /// The secrets whose keys are in `keys` (keys the set lacks are left out).
    public func selecting(_ keys: some Sequence<String>) -> SecretSet {
        var builder = Builder(reservingBytes: 0)
        for key in Set(keys) {
            if let value = self[key] { builder.append(key: key, value: value) }
        }
        return builder.finish().set
    }

    /// Calls `body` with each secret's key and value bytes, in key order: no String per secret.
    public func forEachBytes(_ body: (_ key: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        storage.withUnsafeBufferPointer { bytes in
            for start in starts {
                let (key, value) = Self.record(bytes, at: Int(start))
                body(key, value)
            }
        }
    }

    /// Every key and value byte, the record lengths included: what `--export` writes, roughly.
    public var byteCount: Int { storage.count }

    var indices: Range<Int> { 0..<starts.count }

    /// The key and value of the `index`th secret in key order.
    func record(at index: Int) -> (key: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        let (key, value) = storage.withUnsafeBufferPointer { Self.ranges($0, at: Int(starts[index])) }
        return (storage[key], storage[value])
    }

    /// The key and value bytes of the record at `start`: `length key length value`.
    static func record(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (
        key: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
    ) {
        let (key, value) = ranges(bytes, at: start)
        return (UnsafeBufferPointer(rebasing: bytes[key]), UnsafeBufferPointer(rebasing: bytes[value]))
    }

    /// Where the key and the value of the record at `start` are.
    static func ranges(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (key: Range<Int>, value: Range<Int>) {
        var offset = start
        let keyLength = readLength(bytes, &offset)
        let key = offset..<offset + keyLength
        offset += keyLength
        let valueLength = readLength(bytes, &offset)
        return (key, offset..<offset + valueLength)
    }

    private static func readLength(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: inout Int) -> Int {
        var length = 0
        var shift = 0
        while true {
            let byte = bytes[offset]
            offset += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return length }
            shift += 7
        }
    }

    fileprivate static func appendLength(_ length: Int, to storage: inout [UInt8]) {
        var rest = length
        while rest >= 0x80 {
            storage.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        storage.append(UInt8(rest))
    }

    /// The index of `key` in key order, by binary search.
    func index(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            let order = storage.withUnsafeBufferPointer {
                Self.compare(Self.record($0, at: Int(starts[middle])).key, key)
            }
            if order == 0 { return middle }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Byte order, a key before every longer key it starts: the exec path's sort (`EnvironmentBlock`).
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = Swift.min(a.count, b.count)
        if common > 0, let x = a.baseAddress, let y = b.baseAddress {
            let order = memcmp(x, y, common)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}

extension SecretSet {
    /// Collects secrets in any order, then sorts them once: `finish` also finds equal keys.
    public struct Builder {
        var storage: [UInt8] = []
        var starts: [Int32] = []

        /// - Parameters:
        ///   - bytes: about what the records will take (a body's size): the buffer is reserved
        ///     once, and pages never written are never resident.
        ///   - records: how many secrets at most; without it, as many as `bytes` of JSON can hold
        ///     (5 bytes each, `"":""` and a comma), so the offsets never grow by copying either.
        public init(reservingBytes bytes: Int, records: Int? = nil) {
            storage.reserveCapacity(bytes)
            starts.reserveCapacity(records ?? bytes / 5)
        }

        /// The number of secrets appended so far.
        public var count: Int { starts.count }

        public mutating func append(key: String, value: String) {
            var key = key
            var value = value
            key.withUTF8 { key in value.withUTF8 { append(key: key, value: $0) } }
        }

        public mutating func append(key: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
            // Offsets are 32-bit (half the memory of Int): far above any body or env file.
            precondition(storage.count + key.count + value.count + 20 < Int(Int32.max), "secrets over 2 GiB")
            starts.append(Int32(storage.count))
            SecretSet.appendLength(key.count, to: &storage)
            storage.append(contentsOf: key)
            SecretSet.appendLength(value.count, to: &storage)
            storage.append(contentsOf: value)
        }

        /// The set, sorted by key; for keys appended more than once the last value is kept, and
        /// `duplicate` is the key whose second appearance came first (nil when none repeats).
        public consuming func finish() -> (set: SecretSet, duplicate: String?) {
            // Taken out, not copied: sorting a second reference would copy a million offsets.
            let storage = self.storage
            var starts: [Int32] = []
            swap(&starts, &self.starts)
            var duplicate: (start: Int32, key: String)? = nil
            var unique = 0
            storage.withUnsafeBufferPointer { bytes in
                // Equal keys by their position, so each run of them is in appending order.
                starts.sort { a, b in
                    let order = SecretSet.compare(Self.key(bytes, a), Self.key(bytes, b))
                    return order != 0 ? order < 0 : a < b
                }
                var run = 0
                for index in starts.indices {
                    let start = starts[index]
                    let key = Self.key(bytes, start)
                    if unique > 0, SecretSet.compare(Self.key(bytes, starts[unique - 1]), key) == 0 {
                        run += 1
                        // The second of a run: appended after the first, before any later one.
                        if run == 2, duplicate == nil || start < duplicate!.start {
                            duplicate = (start, String(decoding: key, as: UTF8.self))
                        }
                        starts[unique - 1] = start  // the last value wins, as in a dictionary
                        continue
                    }
                    starts[unique] = start
                    unique += 1
                    run = 1
                }
            }
            starts.removeLast(starts.count - unique)
            var set = SecretSet()
            set.storage = storage
            set.starts = starts
            return (set, duplicate?.key)
        }

        private static func key(_ storage: UnsafeBufferPointer<UInt8>, _ start: Int32) -> UnsafeBufferPointer<UInt8> {
            SecretSet.record(storage, at: Int(start)).key
        }
    }
}

extension SecretSet: Sequence {
    /// The secrets as Strings, in key order.
    public struct Iterator: IteratorProtocol {
        fileprivate let set: SecretSet
        fileprivate var index = 0

        public mutating func next() -> (key: String, value: String)? {
            guard index < set.count else { return nil }
            defer { index += 1 }
            let (key, value) = set.record(at: index)
            return (SecretSet.string(key), SecretSet.string(value))
        }
    }

    public func makeIterator() -> Iterator { Iterator(set: self) }

    public var underestimatedCount: Int { count }
}

extension SecretSet: Equatable {
    /// The same keys with the same values (however each set was built).
    public static func == (a: SecretSet, b: SecretSet) -> Bool {
        guard a.count == b.count else { return false }
        if a.storage == b.storage && a.starts == b.starts { return true }
        return a.indices.allSatisfy { index in
            let x = a.record(at: index)
            let y = b.record(at: index)
            return x.key == y.key && x.value == y.value
        }
    }
}

extension SecretSet: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        var builder = Builder(reservingBytes: 0)
        for (key, value) in elements { builder.append(key: key, value: value) }
        self = builder.finish().set
    }
}

extension SecretSet: CustomStringConvertible {
    /// The keys only: a set is never printed with its values.
    public var description: String { "SecretSet(\(count) keys: \(keys.joined(separator: ", ")))" }
}
