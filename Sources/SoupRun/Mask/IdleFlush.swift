/// When the output filter releases bytes it holds back (a possible start of a secret): after
/// `idle` seconds without output on that stream, each stream on its own clock, so a busy stderr
/// never keeps a prompt on stdout waiting.
enum IdleFlush {
    /// How long the filter may wait for output, in milliseconds, or nil when nothing is held
    /// (the filter then waits its usual bound).
    /// - Parameter heldSince: per stream, when it last gave bytes if it holds some back, else nil.
    static func timeout(heldSince: [Double?], now: Double, idle: Double) -> Int32? {
        guard let first = heldSince.compactMap({ $0 }).min() else { return nil }
        let left = idle - (now - first)  // the same sum as `due`: both agree at the deadline
        guard left > 0 else { return 0 }
        // Rounded up: waking before the deadline would only wait again.
        return Int32(min((left * 1000).rounded(.up), 1000))
    }

    /// The streams whose held bytes go now: `idle` has passed since their last output.
    static func due(heldSince: [Double?], now: Double, idle: Double) -> [Int] {
        heldSince.indices.filter { stream in heldSince[stream].map { now - $0 >= idle } ?? false }
    }
}
