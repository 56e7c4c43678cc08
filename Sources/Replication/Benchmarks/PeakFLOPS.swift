/// The machine's peak rate of double-precision arithmetic on one thread, measured: the
/// yardstick `make bench` holds the learning rules' achieved rate against.
///
/// Twelve independent chains of 4-wide fused multiply–adds (2 floating-point operations per
/// lane each) keep every FMA unit busy however long its latency: with two FMA units of
/// latency 4–5 cycles, at least 10 chains are needed. The core is compiled for AVX2 + FMA
/// (Package.swift), so each chain step is one `vfmadd` on a 256-bit register; wider units
/// (AVX-512) are not used by this build, so the peak is that of the instructions the code can
/// issue.
public enum PeakFLOPS {
    /// Floating-point operations per CPU second of the calling thread, over `iterations`
    /// rounds of the twelve chains (96 operations per round).
    public static func measure(iterations: Int = 20_000_000) -> Double {
        let start = AgentBenchmark.threadCPUSeconds()
        let sum = chains(iterations: iterations, multiplier: opaque(0.999_999_9), addend: opaque(1e-9))
        let seconds = AgentBenchmark.threadCPUSeconds() - start
        // The sum is finite and used, so the loop cannot be removed.
        precondition(sum.isFinite)
        return Double(iterations) * 96 / seconds
    }

    @inline(never)
    static func opaque(_ x: Double) -> Double { x }

    @inline(never)
    static func chains(iterations: Int, multiplier m: Double, addend c: Double) -> Double {
        let x = SIMD4<Double>(repeating: m), y = SIMD4<Double>(repeating: c)
        var a0 = SIMD4<Double>(repeating: 1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0
        var a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0
        for _ in 0..<iterations {
            // a = a * m + c: bounded (it tends to c / (1 - m)), so it never overflows.
            a0 = y.addingProduct(a0, x); a1 = y.addingProduct(a1, x); a2 = y.addingProduct(a2, x)
            a3 = y.addingProduct(a3, x); a4 = y.addingProduct(a4, x); a5 = y.addingProduct(a5, x)
            a6 = y.addingProduct(a6, x); a7 = y.addingProduct(a7, x); a8 = y.addingProduct(a8, x)
            a9 = y.addingProduct(a9, x); a10 = y.addingProduct(a10, x); a11 = y.addingProduct(a11, x)
        }
        let s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
        return s.sum()
    }
}
