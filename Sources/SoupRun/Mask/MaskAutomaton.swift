/// An Aho-Corasick automaton over bytes: dense rows for the shallow states ordinary output
/// stays in (one array lookup per byte, no allocation while matching), sparse edges and failure
/// links for the deep ones, which only a possible secret reaches.
///
/// Bytes that occur in no pattern share one class, so a row has one entry per distinct pattern
/// byte plus one (base64 and hex forms keep that near 80), not 256. A full table for every state
/// would cost 100 secrets' forms ~30,000 rows (8 MB, built at every start: tens of
/// milliseconds); the states of depth below `denseDepth` are a few hundred.
struct MaskAutomaton: Sendable {
    /// States shallower than this have a dense row.
    static let denseDepth = 3

    /// Each byte's class: 0 for bytes in no pattern.
    let classOf: [UInt16]
    let classCount: Int
    /// States are numbered breadth first, so those below `denseCount` are the shallow ones.
    let denseCount: Int
    /// The matcher walks codes, not states (`code(of:)`): a shallow state's code is the offset of
    /// its row, so a step is one load and one add. Codes from `denseLimit` on are deep states.
    let denseLimit: Int
    /// `next[code + class]` for a shallow state: the code after a byte, as `~code` (negative)
    /// when a pattern ends there, so the common step needs no second table.
    let next: [Int32]
    /// For a deep state `s`: its edges `edgeStart[s - denseCount]..<edgeStart[s - denseCount + 1]`
    /// in `edgeClass` / `edgeTarget`, and where to continue without one, `failure[s]`.
    let edgeStart: [Int32]
    let edgeClass: [UInt16]
    let edgeTarget: [Int32]
    let failure: [Int32]
    /// The length of the text a state stands for: how many of the last bytes read could still
    /// be the start of a match, so must be held back.
    let depth: [Int32]
    /// The length of the longest pattern that ends at the last byte read (0: none).
    let matchLength: [Int32]
    /// The longest pattern.
    let longest: Int

    init(patterns: MaskPatterns) {
        var classOf = [UInt16](repeating: 0, count: 256)
        var classCount = 1
        for index in 0..<patterns.count {
            for byte in patterns.bytes[patterns.range(at: index)] where classOf[Int(byte)] == 0 {
                classOf[Int(byte)] = UInt16(classCount)
                classCount += 1
            }
        }
        let trie = Trie(patterns: patterns, classOf: classOf, classCount: classCount)

        // Breadth first: a state's failure (the longest proper suffix that is a trie state) is
        // shallower, so complete (and its row filled) before the state needs it.
        let count = trie.order.count
        let denseCount = trie.order.prefix { trie.depth(Int($0)) < Self.denseDepth }.count
        var next = [Int32](repeating: 0, count: denseCount * classCount)
        var failure = [Int32](repeating: 0, count: count)
        var matchLength = [Int32](repeating: 0, count: count)
        var depth = [Int32](repeating: 0, count: count)
        var edgeStart = [Int32](repeating: 0, count: count - denseCount + 1)
        var edgeClass: [UInt16] = []
        var edgeTarget: [Int32] = []
        edgeClass.reserveCapacity(count)
        edgeTarget.reserveCapacity(count)
        let renamed = trie.renumbering()

        func step(_ from: Int, _ symbol: Int) -> Int32 {
            Self.walk(from, symbol, denseCount, classCount, next, edgeStart, edgeClass, edgeTarget, failure)
        }

        for (state, old) in trie.order.enumerated() {
            let fail = Int(failure[state])
            depth[state] = trie.depth(Int(old))
            let own = trie.patternLength(Int(old))
            // A suffix that is a whole pattern ends here too; the state's own pattern is longer.
            matchLength[state] = own > 0 || state == 0 ? own : matchLength[fail]
            if state < denseCount {
                let row = state * classCount
                for symbol in 0..<classCount {
                    next[row + symbol] = state == 0 ? 0 : next[fail * classCount + symbol]
                }
            }
            // The children in the trie's sibling list, walked in place (no list per state).
            var child = trie.firstChild(Int(old))
            while child >= 0 {
                let symbol = UInt16(trie.symbol(Int(child)))
                let target = renamed[Int(child)]
                if state < denseCount {
                    next[state * classCount + Int(symbol)] = target
                } else {
                    edgeClass.append(symbol)
                    edgeTarget.append(target)
                }
                child = trie.sibling(Int(child))
            }
            if state >= denseCount { edgeStart[state - denseCount + 1] = Int32(edgeClass.count) }
            // After the row is complete: a child's failure may be found through it.
            child = trie.firstChild(Int(old))
            while child >= 0 {
                failure[Int(renamed[Int(child)])] = state == 0 ? 0 : step(fail, Int(trie.symbol(Int(child))))
                child = trie.sibling(Int(child))
            }
        }
        let denseLimit = denseCount * classCount
        for index in next.indices {
            let target = Int(next[index])
            let code = target < denseCount ? target * classCount : denseLimit + target - denseCount
            next[index] = Int32(matchLength[target] > 0 ? ~code : code)
        }
        self.classOf = classOf
        self.classCount = classCount
        self.denseCount = denseCount
        self.denseLimit = denseLimit
        self.next = next
        self.edgeStart = edgeStart
        self.edgeClass = edgeClass
        self.edgeTarget = edgeTarget
        self.failure = failure
        self.depth = depth
        self.matchLength = matchLength
        self.longest = (0..<patterns.count).map { patterns.range(at: $0).count }.max() ?? 0
    }

    /// The matcher's code for `state`.
    func code(of state: Int) -> Int {
        state < denseCount ? state * classCount : denseLimit + state - denseCount
    }

    /// The state of a matcher's code.
    func state(of code: Int) -> Int {
        code < denseLimit ? code / classCount : code - denseLimit + denseCount
    }

    /// The code after reading a byte of class `symbol` in a deep state (`code >= denseLimit`).
    func deepStep(code: Int, _ symbol: Int) -> Int {
        var state = code - denseLimit + denseCount
        while state >= denseCount {
            let index = state - denseCount
            for edge in Int(edgeStart[index])..<Int(edgeStart[index + 1]) where Int(edgeClass[edge]) == symbol {
                return self.code(of: Int(edgeTarget[edge]))
            }
            state = Int(failure[state])
        }
        let target = Int(next[state * classCount + symbol])
        return target < 0 ? ~target : target
    }

    /// While building (`next` holds states, not codes yet): follows failure links from `state`
    /// until an edge for `symbol` or a dense row answers.
    private static func walk(
        _ state: Int, _ symbol: Int, _ denseCount: Int, _ classCount: Int, _ next: [Int32], _ edgeStart: [Int32],
        _ edgeClass: [UInt16], _ edgeTarget: [Int32], _ failure: [Int32]
    ) -> Int32 {
        var state = state
        while state >= denseCount {
            let index = state - denseCount
            for edge in Int(edgeStart[index])..<Int(edgeStart[index + 1]) where Int(edgeClass[edge]) == symbol {
                return edgeTarget[edge]
            }
            state = Int(failure[state])
        }
        return next[state * classCount + symbol]
    }
}

/// The patterns' trie while the automaton is built: children as linked lists of siblings (most
/// deep states have one child), and the breadth-first order the automaton numbers states in.
///
/// One flat array of `Int32`, `fields` per state, written through one buffer pointer: a state
/// per pattern byte (~50,000 at 100 secrets) as five appends to five arrays cost ~60
/// instructions a byte.
private struct Trie {
    /// Per state: first child, next sibling (-1: none), class of the byte into it, depth, and the
    /// length of the pattern that ends in it (0: none).
    private static let fields = 5
    private var nodes: [Int32]
    /// Old state numbers, breadth first (shallow first).
    private(set) var order: [Int32] = []

    func firstChild(_ state: Int) -> Int32 { nodes[state &* Self.fields] }
    func sibling(_ state: Int) -> Int32 { nodes[state &* Self.fields &+ 1] }
    func symbol(_ state: Int) -> Int32 { nodes[state &* Self.fields &+ 2] }
    func depth(_ state: Int) -> Int32 { nodes[state &* Self.fields &+ 3] }
    func patternLength(_ state: Int) -> Int32 { nodes[state &* Self.fields &+ 4] }

    init(patterns: MaskPatterns, classOf: [UInt16], classCount: Int) {
        // At most one state per pattern byte, plus the root.
        let capacity = 1 + (0..<patterns.count).reduce(0) { $0 + patterns.range(at: $1).count }
        var nodes = [Int32](repeating: 0, count: capacity * Self.fields)
        // The children of the root and of its children directly, by class: every pattern starts
        // there, so their sibling lists would be long (about one entry per class) and walked
        // for every pattern. Deeper states have few children.
        var rootChild = [Int32](repeating: -1, count: classCount)
        var secondChild = [Int32](repeating: -1, count: classCount * classCount)
        var count = 1
        nodes.withUnsafeMutableBufferPointer { node in
            let fields = Self.fields
            node[0] = -1
            node[1] = -1
            for index in 0..<patterns.count {
                let range = patterns.range(at: index)
                guard !range.isEmpty else { continue }
                var state = 0
                let first = Int(classOf[Int(patterns.bytes[range.lowerBound])])
                for (offset, byte) in patterns.bytes[range].enumerated() {
                    let wanted = Int32(classOf[Int(byte)])
                    var found: Int32
                    switch offset {
                    case 0: found = rootChild[Int(wanted)]
                    case 1: found = secondChild[first &* classCount &+ Int(wanted)]
                    default:
                        found = node[state &* fields]
                        while found >= 0 && node[Int(found) &* fields &+ 2] != wanted {
                            found = node[Int(found) &* fields &+ 1]
                        }
                    }
                    if found < 0 {
                        found = Int32(count)
                        let base = count &* fields
                        node[base] = -1
                        node[base &+ 1] = node[state &* fields]
                        node[base &+ 2] = wanted
                        node[base &+ 3] = node[state &* fields &+ 3] &+ 1
                        node[state &* fields] = found
                        count &+= 1
                        if offset == 0 { rootChild[Int(wanted)] = found }
                        if offset == 1 { secondChild[first &* classCount &+ Int(wanted)] = found }
                    }
                    state = Int(found)
                }
                node[state &* fields &+ 4] = Int32(range.count)
            }
        }
        nodes.removeLast((capacity - count) * Self.fields)
        self.nodes = nodes
        order.reserveCapacity(count)
        order.append(0)
        var head = 0
        while head < order.count {
            var child = firstChild(Int(order[head]))
            head += 1
            while child >= 0 {
                order.append(child)
                child = sibling(Int(child))
            }
        }
    }

    /// New number of each old state.
    func renumbering() -> [Int32] {
        var renamed = [Int32](repeating: 0, count: order.count)
        for (new, old) in order.enumerated() { renamed[Int(old)] = Int32(new) }
        return renamed
    }
}
