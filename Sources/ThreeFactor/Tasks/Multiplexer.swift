/// The 37-bit multiplexer task of the MAP propagation paper (Chung, NeurIPS 2021,
/// arXiv:2010.07893; reference `complex_multiplexer_MDP(addr_size=5, action_size=1,
/// zero=False, reward_zero=False)` in `util.py` of github.com/stephen-chung-mh/map_prop).
///
/// - Input: 37 independent fair bits, presented as -1 / +1: 5 address bits then 32 data bits.
/// - Target: the data bit selected by the address (the first address bit is the most
///   significant; a bit counts as 1 when it is +1), as -1 / +1.
/// - The learner chooses one of two actions, 0 meaning -1 and 1 meaning +1; the reward is
///   +1 if the action equals the target, -1 otherwise.
public enum Multiplexer {
    /// The task's id in the catalog and in experiment files.
    public static let id = "Multiplexer"
    /// Address bits: they select one of 2^5 = 32 data bits.
    public static let addressBits = 5
    /// Data bits.
    public static let dataBits = 32
    /// The input's length: 37.
    public static let inputCount = addressBits + dataBits

    /// Draws one input into `x` (37 values in {-1, +1}) and returns the target in {-1, +1}.
    /// One 64-bit draw supplies the 37 bits (bit k of the draw is input k).
    public static func sample(into x: UnsafeMutablePointer<Double>, rng: inout RandomStream) -> Double {
        let bits = rng.next()
        var address = 0
        for k in 0..<inputCount {
            let bit = Int((bits >> UInt64(k)) & 1)
            x[k] = bit == 1 ? 1 : -1
            if k < addressBits { address = address * 2 + bit }
        }
        return x[addressBits + address]
    }

    /// The value (-1 or +1) of action index 0 or 1.
    @inlinable
    public static func actionValue(_ action: Int) -> Double { action == 1 ? 1 : -1 }

    /// +1 if the action's value equals the target, else -1.
    @inlinable
    public static func reward(action: Int, target: Double) -> Double { actionValue(action) == target ? 1 : -1 }
}
