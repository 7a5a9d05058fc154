/// Random unit values in [0, 1) for the supervisor's jitter and splay: xorshift64* seeded once
/// from the system generator. Not for secrets; only so that no poll costs a `getrandom` call
/// (`Double.random` asks the kernel each time).
public final class UnitRandom {
    private var state: UInt64

    public init() {
        var system = SystemRandomNumberGenerator()
        // xorshift never leaves 0: any other seed will do.
        state = max(1, system.next())
    }

    /// The next value in [0, 1), with 53 random bits.
    public func next() -> Double {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Double((state &* 0x2545_F491_4F6C_DD1D) >> 11) / Double(UInt64(1) << 53)
    }
}
