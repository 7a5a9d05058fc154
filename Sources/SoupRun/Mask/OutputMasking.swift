import CSoupProcess
import SoupCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The supervisor's output filter (`--mask`): two pipes the command's stdout and stderr write
/// into, and one thread that reads both, masks each stream with its own `MaskFilter` (so each
/// keeps its order) and writes the result to soup-run's stdout and stderr.
///
/// In a terminal (`PseudoTerminal`) the command's stdout, and its stderr when that is the same
/// terminal, is the pty instead: the thread reads the master, and stderr keeps its pipe only
/// when it goes elsewhere.
///
/// The pipes outlive each child, so every restarted command writes into the same filter. Bytes
/// held back as a possible start of a secret are released after `idleFlush` without more
/// output, so prompts and progress lines appear. `finish` closes soup-run's write ends and
/// waits (bounded) until every writer is gone and everything is flushed.
final class OutputMasking: Sendable {
    /// Held bytes are released after this long without output.
    static let idleFlush = 0.05
    /// After `finish`, how long a writer that escaped the process group may keep a pipe open.
    static let drainLimit = 2.0
    static let chunkSize = 64 * 1024

    /// The child's descriptors: the write ends (or the pty) for 1 and 2, the pty for 0 when
    /// stdin is the terminal.
    let childStreams: ChildStreams
    /// What the thread reads for stdout and stderr (-1: nothing, stderr is on the pty).
    private let readEnds: (Int32, Int32)
    /// soup-run's copies of the pipes' write ends, closed by `finish`.
    private let writeEnds: [Int32]
    let terminal: PseudoTerminal?
    private struct Shared {
        var patterns: MaskPatterns
        /// Bumped by each `add`, so the thread re-reads `patterns` only on a change.
        var generation = 0
        /// `finish` was called: soup-run's write ends are closed.
        var finishing = false
        var finished = false
        /// The thread holds bytes back (a possible start of a secret) until more output or the idle flush.
        var holding = false
        /// Counts the thread's writes to soup-run's stdout and stderr: `finish` waits while it moves.
        var written = 0
    }
    private let shared: Locked<Shared>

    /// Makes the pipes (those `terminal` does not replace) and starts the thread, or the errno of
    /// what failed.
    static func start(patterns: MaskPatterns, terminal: PseudoTerminal? = nil) -> Result<OutputMasking, SystemFailure> {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        var pipes: [Int32] = []
        func fail(_ code: Int32) -> Result<OutputMasking, SystemFailure> {
            pipes.forEach(soup_close)
            return .failure(SystemFailure(errno: code))
        }
        if terminal == nil {
            let outCode = soup_output_pipe(&out)
            if outCode != 0 { return fail(outCode) }
            pipes += out
        }
        if terminal?.plan.stderr != true {
            let errCode = soup_output_pipe(&err)
            if errCode != 0 { return fail(errCode) }
            pipes += err
        }
        let streams = terminal?.childStreams(stderr: err[1]) ?? ChildStreams(stdout: out[1], stderr: err[1])
        let masking = OutputMasking(
            readEnds: (terminal?.master ?? out[0], err[0]), writeEnds: [out[1], err[1]], childStreams: streams,
            terminal: terminal, patterns: patterns)
        let context = Unmanaged.passRetained(masking).toOpaque()
        let failure = soup_thread_start(
            { context in Unmanaged<OutputMasking>.fromOpaque(context!).takeRetainedValue().pump() }, context)
        guard failure == 0 else {
            Unmanaged<OutputMasking>.fromOpaque(context).release()
            return fail(failure)
        }
        return .success(masking)
    }

    /// An errno from setting the filter up.
    struct SystemFailure: Error {
        var errno: Int32
    }

    private init(
        readEnds: (Int32, Int32), writeEnds: [Int32], childStreams: ChildStreams, terminal: PseudoTerminal?,
        patterns: MaskPatterns
    ) {
        self.readEnds = readEnds
        self.writeEnds = writeEnds
        self.childStreams = childStreams
        self.terminal = terminal
        shared = Locked(Shared(patterns: patterns))
    }

    /// Masks the values of `secrets` too, from the next read on (with `--watch`: rotated values;
    /// the old ones stay masked).
    func add(_ secrets: [String: String]) {
        shared.withLock { state in
            let before = state.patterns
            for value in secrets.values { state.patterns.add(value) }
            if state.patterns != before { state.generation += 1 }
        }
    }

    /// Waits (bounded) until the thread holds nothing back: before soup-run stops with the command
    /// (Ctrl-Z), so the last bytes it wrote, a prompt or the echoed `^Z`, are on the screen.
    func waitUntilReleased() {
        _ = shared.wait(seconds: Self.idleFlush * 4) { !$0.holding }
    }

    /// Closes soup-run's write ends and waits until the thread has flushed both streams (all
    /// writers gone, or `drainLimit` passed). A slow reader of soup-run's output is waited for as
    /// long as it takes some of it every `drainLimit + 1` seconds; one that takes nothing for
    /// that long loses the rest (soup-run must not hang on it). Call once, before soup-run exits.
    func finish() {
        shared.withLock { $0.finishing = true }
        writeEnds.forEach(soup_close)
        terminal?.closeSlave()
        var seen = shared.withLock { $0.written }
        // Bounded: the writers are gone or cut off after `drainLimit`, so progress ends.
        while shared.wait(seconds: Self.drainLimit + 1, for: { $0.finished || $0.written != seen }) {
            let (finished, written) = shared.withLock { ($0.finished, $0.written) }
            if finished { return }
            seen = written
        }
    }

    /// The thread: wait for output on either pipe (bounded), mask it, write it on; flush held
    /// bytes after a pause; at end of file on both, flush and report.
    private func pump() {
        var (patterns, generation) = shared.withLock { ($0.patterns, $0.generation) }
        // One automaton for both streams: a copy shares its tables.
        let filter = MaskFilter(patterns: patterns)
        var filters = [filter, filter]
        var open = [readEnds.0, readEnds.1]
        let targets: [Int32] = [1, 2]
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var output: [UInt8] = []
        output.reserveCapacity(Self.chunkSize + 64)
        var closedAt: Double? = nil
        // When each stream last gave bytes: its held bytes go 50 ms after that, whatever the other does.
        var lastRead: [Double] = [0, 0]
        func heldSince() -> [Double?] { (0..<2).map { filters[$0].isHolding ? lastRead[$0] : nil } }
        func emit(_ stream: Int) {
            guard !output.isEmpty else { return }
            // A reader that went away (EPIPE) loses the output, as it would without --mask.
            _ = output.withUnsafeBytes { soup_write_all(targets[stream], $0.baseAddress, UInt($0.count)) }
            output.removeAll(keepingCapacity: true)
            shared.update { $0.written &+= 1 }
        }
        while open.contains(where: { $0 >= 0 }) {
            let held = heldSince()
            var ready: [Int32] = [0, 0]
            let wait = IdleFlush.timeout(heldSince: held, now: Platform.monotonicClock(), idle: Self.idleFlush)
            if soup_wait_either(open, &ready, wait ?? 250) == 0 && wait != nil {
                // Timed out: output that came while this thread waited for a core is no pause.
                _ = soup_wait_either(open, &ready, 0)
            }
            let state = shared.withLock { $0 }
            if state.generation != generation {
                (patterns, generation) = (state.patterns, state.generation)
                for stream in 0..<2 {
                    filters[stream].update(patterns, into: &output)
                    emit(stream)
                }
            }
            for stream in 0..<2 where ready[stream] != 0 && open[stream] >= 0 {
                // One chunk per wake-up and stream: neither stream can starve the other.
                let got = buffer.withUnsafeMutableBytes { soup_read(open[stream], $0.baseAddress, UInt($0.count)) }
                if got > 0 {
                    lastRead[stream] = Platform.monotonicClock()
                    buffer.withUnsafeBytes {
                        filters[stream].write(UnsafeRawBufferPointer(rebasing: $0[0..<got]), into: &output)
                    }
                    emit(stream)
                } else if got == 0 || (got < 0 && errno != EAGAIN) {
                    filters[stream].flush(into: &output)
                    emit(stream)
                    closeReadEnd(open[stream])
                    open[stream] = -1
                }
            }
            for stream in IdleFlush.due(heldSince: heldSince(), now: Platform.monotonicClock(), idle: Self.idleFlush) {
                filters[stream].flush(into: &output)
                emit(stream)
            }
            let nowHolding = filters.contains(where: \.isHolding)
            if nowHolding != state.holding { shared.update { $0.holding = nowHolding } }
            // Once soup-run is leaving, a grandchild that escaped the group does not hold it forever.
            if state.finishing {
                let now = Platform.monotonicClock()
                if closedAt == nil { closedAt = now }
                if let closedAt, now - closedAt > Self.drainLimit { break }
            }
        }
        for stream in 0..<2 {
            filters[stream].flush(into: &output)
            emit(stream)
            closeReadEnd(open[stream])
        }
        shared.update { $0.finished = true }
    }

    /// Closes a pipe's read end; the pty's master stays open (the key relay may still write to it).
    private func closeReadEnd(_ fd: Int32) {
        if fd != terminal?.master { soup_close(fd) }
    }
}
