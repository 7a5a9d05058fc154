/// An Aho-Corasick automaton over bytes, as a dense table: one array lookup per byte of output,
/// no allocation while matching.
///
/// Bytes that occur in no pattern share one class, so a row has one entry per distinct pattern
/// byte plus one (base64 and hex forms keep that near 80), not 256.
struct MaskAutomaton: Sendable {
    /// Each byte's class: 0 for bytes in no pattern.
    let classOf: [UInt16]
    let classCount: Int
    /// `next[state * classCount + class]`: the state after reading a byte of that class.
    let next: [Int32]
    /// The length of the text a state stands for: how many of the last bytes read could still
    /// be the start of a match, so must be held back.
    let depth: [Int32]
    /// The length of the longest pattern that ends at the last byte read (0: none).
    let matchLength: [Int32]
    /// The longest pattern.
    let longest: Int

    init(patterns: some Collection<[UInt8]>) {
        var classOf = [UInt16](repeating: 0, count: 256)
        var classCount = 1
        for pattern in patterns {
            for byte in pattern where classOf[Int(byte)] == 0 {
                classOf[Int(byte)] = UInt16(classCount)
                classCount += 1
            }
        }

        // The trie: -1 for no edge yet.
        var next = [Int32](repeating: -1, count: classCount)
        var depth: [Int32] = [0]
        var matchLength: [Int32] = [0]
        for pattern in patterns where !pattern.isEmpty {
            var state = 0
            for byte in pattern {
                let slot = state * classCount + Int(classOf[Int(byte)])
                if next[slot] < 0 {
                    next[slot] = Int32(depth.count)
                    depth.append(depth[state] + 1)
                    matchLength.append(0)
                    next.append(contentsOf: repeatElement(-1, count: classCount))
                }
                state = Int(next[slot])
            }
            matchLength[state] = Int32(pattern.count)
        }

        // Breadth first, so a state's failure link (the longest proper suffix that is a trie
        // state) is complete before its children need it; missing edges borrow the failure's.
        var failure = [Int32](repeating: 0, count: depth.count)
        var queue: [Int] = []
        queue.reserveCapacity(depth.count)
        for symbol in 0..<classCount {
            if next[symbol] < 0 {
                next[symbol] = 0
            } else {
                queue.append(Int(next[symbol]))
            }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            let fail = Int(failure[state])
            // A suffix that is a whole pattern ends here too; the state's own pattern is longer.
            if matchLength[state] == 0 { matchLength[state] = matchLength[fail] }
            for symbol in 0..<classCount {
                let slot = state * classCount + symbol
                let target = next[fail * classCount + symbol]
                if next[slot] < 0 {
                    next[slot] = target
                } else {
                    failure[Int(next[slot])] = target
                    queue.append(Int(next[slot]))
                }
            }
        }
        self.classOf = classOf
        self.classCount = classCount
        self.next = next
        self.depth = depth
        self.matchLength = matchLength
        self.longest = patterns.map(\.count).max() ?? 0
    }
}
