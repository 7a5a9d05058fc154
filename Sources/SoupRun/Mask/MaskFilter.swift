/// The streaming masker of one output stream: bytes in, the same bytes out with every secret
/// pattern (`MaskPatterns`) replaced by `***`, however the input is split.
///
/// Every byte covered by an occurrence of any pattern is masked; occurrences that overlap or
/// touch become one `***` (so the longest wins, and no byte of a longer secret shows around a
/// shorter one). A byte is only released once no pattern can still cover it: the filter holds
/// back at most the last `longest - 1` bytes read (fewer when they start no pattern). `flush`
/// releases those too, for the 50 ms idle timeout and the end of the stream.
public struct MaskFilter: Sendable {
    private var automaton: MaskAutomaton
    /// The automaton's code for the current state (`MaskAutomaton.code(of:)`; 0 is the start).
    private var code = 0
    /// Stream offset of `held[0]`.
    private var heldStart = 0
    /// The bytes read and not yet released (or dropped as covered).
    private var held: [UInt8] = []
    /// Stream offset just past the last byte read.
    private var position = 0
    /// Covered spans (stream offsets, end exclusive), in order, disjoint and not touching, not
    /// yet released as `***`. The first may start before `heldStart` (its bytes are dropped).
    private var spans: [(start: Int, end: Int)] = []
    /// The patterns in use.
    public private(set) var patterns: MaskPatterns

    public static let replacement = Array("***".utf8)

    public init(patterns: MaskPatterns) {
        self.patterns = patterns
        automaton = MaskAutomaton(patterns: patterns)
        held.reserveCapacity(max(4096, automaton.longest))
    }

    /// Whether bytes are held back (then `flush` after a pause releases them).
    public var isHolding: Bool { !held.isEmpty || !spans.isEmpty }

    /// Reads `input` and appends what can be released to `output`.
    public mutating func write(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        guard !input.isEmpty else { return }
        held.append(contentsOf: input)
        // A local copy (no array is copied), so the loop reads it while `cover` changes self.
        let automaton = self.automaton
        let denseLimit = automaton.denseLimit
        var code = self.code
        var offset = position
        automaton.next.withUnsafeBufferPointer { next in
            automaton.classOf.withUnsafeBufferPointer { classOf in
                for byte in input {
                    let symbol = Int(classOf[Int(byte)])
                    offset &+= 1
                    if code < denseLimit {
                        let target = Int(next[code &+ symbol])
                        // The common case: a shallow state, no pattern ends here.
                        if target >= 0 {
                            code = target
                            continue
                        }
                        code = ~target
                    } else {
                        // Deep states are reached only inside a possible secret: off the fast path.
                        code = automaton.deepStep(code: code, symbol)
                    }
                    let length = Int(automaton.matchLength[automaton.state(of: code)])
                    if length > 0 { cover(start: offset - length, end: offset) }
                }
            }
        }
        self.code = code
        position = offset
        release(upTo: position - Int(automaton.depth[automaton.state(of: code)]), into: &output)
    }

    /// Convenience for tests and small inputs.
    public mutating func write(_ input: [UInt8], into output: inout [UInt8]) {
        input.withUnsafeBytes { write($0, into: &output) }
    }

    /// Releases everything held: a pattern cut by the flush is not matched across it.
    public mutating func flush(into output: inout [UInt8]) {
        release(upTo: position, final: true, into: &output)
        code = 0
    }

    /// Switches to `patterns` (with `--watch`: the old values and the new). The held bytes are
    /// read again by the new automaton, so none escapes it; what that releases goes to `output`.
    public mutating func update(_ patterns: MaskPatterns, into output: inout [UInt8]) {
        guard patterns != self.patterns else { return }
        self.patterns = patterns
        automaton = MaskAutomaton(patterns: patterns)
        let again = held
        // A span over bytes already dropped stays; those over held bytes are found again.
        spans.removeAll { $0.start >= heldStart }
        held.removeAll(keepingCapacity: true)
        position = heldStart
        code = 0
        write(again, into: &output)
    }

    private mutating func cover(start: Int, end: Int) {
        var start = start
        // Matches end in order, so only trailing spans can overlap or touch the new one.
        while let last = spans.last, last.end >= start {
            start = min(start, last.start)
            spans.removeLast()
        }
        spans.append((start, end))
    }

    /// Releases the stream up to `frontier`: plain bytes as they are, closed spans as `***`. A
    /// span that reaches the frontier may still grow, unless `final`; its bytes are dropped.
    private mutating func release(upTo frontier: Int, final: Bool = false, into output: inout [UInt8]) {
        var cursor = heldStart
        var closed = 0
        for span in spans {
            if span.start >= frontier && !final { break }
            if span.start > cursor { output.append(contentsOf: held[(cursor - heldStart)..<(span.start - heldStart)]) }
            if span.end >= frontier && !final {
                // Open: a later match may extend it. Its bytes so far are covered; drop them.
                cursor = max(cursor, frontier)
                break
            }
            output.append(contentsOf: Self.replacement)
            cursor = max(cursor, span.end)
            closed += 1
        }
        spans.removeFirst(closed)
        let openSpan = spans.first.map { $0.start < cursor } ?? false
        if !openSpan, cursor < frontier {
            let end = min(frontier, spans.first?.start ?? frontier)
            if end > cursor {
                output.append(contentsOf: held[(cursor - heldStart)..<(end - heldStart)])
                cursor = end
            }
        }
        held.removeFirst(cursor - heldStart)
        heldStart = cursor
    }
}
