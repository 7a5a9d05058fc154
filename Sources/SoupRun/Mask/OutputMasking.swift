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

    /// The write ends, for the child's descriptors 1 and 2.
    let childOutput: (Int32, Int32)
    private let readEnds: (Int32, Int32)
    private struct Shared {
        var patterns: MaskPatterns
        /// Bumped by each `add`, so the thread re-reads `patterns` only on a change.
        var generation = 0
        /// `finish` was called: soup-run's write ends are closed.
        var finishing = false
        var finished = false
    }
    private let shared: Locked<Shared>

    /// Makes the pipes and starts the thread, or the errno of what failed.
    static func start(patterns: MaskPatterns) -> Result<OutputMasking, SystemFailure> {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        let outCode = soup_output_pipe(&out)
        if outCode != 0 { return .failure(SystemFailure(errno: outCode)) }
        let errCode = soup_output_pipe(&err)
        if errCode != 0 {
            soup_close(out[0])
            soup_close(out[1])
            return .failure(SystemFailure(errno: errCode))
        }
        let masking = OutputMasking(readEnds: (out[0], err[0]), childOutput: (out[1], err[1]), patterns: patterns)
        let context = Unmanaged.passRetained(masking).toOpaque()
        let failure = soup_thread_start(
            { context in Unmanaged<OutputMasking>.fromOpaque(context!).takeRetainedValue().pump() }, context)
        guard failure == 0 else {
            Unmanaged<OutputMasking>.fromOpaque(context).release()
            for fd in [out[0], out[1], err[0], err[1]] { soup_close(fd) }
            return .failure(SystemFailure(errno: failure))
        }
        return .success(masking)
    }

    /// An errno from setting the filter up.
    struct SystemFailure: Error {
        var errno: Int32
    }

    private init(readEnds: (Int32, Int32), childOutput: (Int32, Int32), patterns: MaskPatterns) {
        self.readEnds = readEnds
        self.childOutput = childOutput
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

    /// Closes soup-run's write ends and waits until the thread has flushed both streams (all
    /// writers gone, or `drainLimit` passed). Call once, before soup-run exits.
    func finish() {
        shared.withLock { $0.finishing = true }
        soup_close(childOutput.0)
        soup_close(childOutput.1)
        _ = shared.wait(seconds: Self.drainLimit + 1) { $0.finished }
    }

    /// The thread: wait for output on either pipe (bounded), mask it, write it on; flush held
    /// bytes after a pause; at end of file on both, flush and report.
    private func pump() {
        var (patterns, generation) = shared.withLock { ($0.patterns, $0.generation) }
        var filters = [MaskFilter(patterns: patterns), MaskFilter(patterns: patterns)]
        var open = [readEnds.0, readEnds.1]
        let targets: [Int32] = [1, 2]
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var output: [UInt8] = []
        output.reserveCapacity(Self.chunkSize + 64)
        var closedAt: Double? = nil
        func emit(_ stream: Int) {
            guard !output.isEmpty else { return }
            // A reader that went away (EPIPE) loses the output, as it would without --mask.
            _ = output.withUnsafeBytes { soup_write_all(targets[stream], $0.baseAddress, UInt($0.count)) }
            output.removeAll(keepingCapacity: true)
        }
        while open.contains(where: { $0 >= 0 }) {
            let holding = filters.contains(where: \.isHolding)
            var ready: [Int32] = [0, 0]
            let count = soup_wait_either(open, &ready, holding ? Int32(Self.idleFlush * 1000) : 250)
            let state = shared.withLock { $0 }
            if state.generation != generation {
                (patterns, generation) = (state.patterns, state.generation)
                for stream in 0..<2 {
                    filters[stream].update(patterns, into: &output)
                    emit(stream)
                }
            }
            if count == 0 && holding {
                for stream in 0..<2 {
                    filters[stream].flush(into: &output)
                    emit(stream)
                }
            }
            for stream in 0..<2 where ready[stream] != 0 && open[stream] >= 0 {
                // One chunk per wake-up and stream: neither stream can starve the other.
                let got = buffer.withUnsafeMutableBytes { soup_read(open[stream], $0.baseAddress, UInt($0.count)) }
                if got > 0 {
                    buffer.withUnsafeBytes {
                        filters[stream].write(UnsafeRawBufferPointer(rebasing: $0[0..<got]), into: &output)
                    }
                    emit(stream)
                } else if got == 0 || (got < 0 && errno != EAGAIN) {
                    filters[stream].flush(into: &output)
                    emit(stream)
                    soup_close(open[stream])
                    open[stream] = -1
                }
            }
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
            soup_close(open[stream])
        }
        shared.update { $0.finished = true }
    }
}
