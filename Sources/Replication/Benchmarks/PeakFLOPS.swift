import ThreeFactor

/// The machine's peak rate of double-precision arithmetic on one thread, measured: the
/// yardstick `make bench` holds the learning rules' achieved rate against.
///
/// Twelve independent chains of fused multiply–adds one register wide (2 floating-point
/// operations per double; `LaneInstructionSet.fmaChains`) keep every FMA unit busy however
/// long its latency: with two FMA units of latency 4–6 cycles at least 12 chains are needed.
/// Measured
/// with each instruction set the processor supports; the machine's peak is the widest's.
public enum PeakFLOPS {
    /// Floating-point operations per CPU second of the calling thread with `instructionSet`,
    /// over `rounds` rounds of the twelve chains.
    public static func measure(rounds: Int = 20_000_000, instructionSet: LaneInstructionSet = .best) -> Double {
        let start = AgentBenchmark.threadCPUSeconds()
        let sum = instructionSet.fmaChains(rounds: rounds, multiplier: opaque(0.999_999_9), addend: opaque(1e-9))
        let seconds = AgentBenchmark.threadCPUSeconds() - start
        // The sum is finite and used, so the loop cannot be removed.
        precondition(sum.isFinite)
        return Double(rounds) * Double(instructionSet.operationsPerFMARound) / seconds
    }

    @inline(never)
    static func opaque(_ x: Double) -> Double { x }
}
