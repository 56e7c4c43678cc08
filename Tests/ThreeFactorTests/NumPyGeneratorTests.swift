import Testing

/// NumPy's default generator, `numpy.random.default_rng(seed)` (PCG64 seeded through
/// SeedSequence), as much of it as replaying Gymnasium episodes needs: `Env.reset(seed=s)`
/// builds exactly this generator, so with it the tests can reproduce every random draw of
/// a Gymnasium episode from its seed alone.
///
/// Facts used (NumPy's documented algorithms, `numpy/random/bit_generator.pyx` and
/// `_pcg64.pyx`): SeedSequence hashes the seed's 32-bit words into a pool of four words and
/// expands the pool into the generator state; PCG64 is the 128-bit LCG with multiplier
/// 0x2360ED051FC65DA44385DF649FCCF645 and XSL-RR output, advanced before each output;
/// `uniform(low, high)` is `low + (high - low) * (next64 >> 11) * 2^-53`.
struct NumPyGenerator {
    private var state: UInt128 = 0
    private var increment: UInt128 = 0
    private static let multiplier: UInt128 = (0x2360_ED05_1FC6_5DA4 << 64) | 0x4385_DF64_9FCC_F645

    init(seed: UInt64) {
        let words = Self.seedSequenceState(seed: seed, words64: 4)
        let initialState = (UInt128(words[0]) << 64) | UInt128(words[1])
        let sequence = (UInt128(words[2]) << 64) | UInt128(words[3])
        increment = (sequence << 1) | 1
        state = 0
        step()
        state &+= initialState
        step()
    }

    private mutating func step() { state = state &* Self.multiplier &+ increment }

    mutating func next64() -> UInt64 {
        step()
        let rotation = UInt64(truncatingIfNeeded: state >> 122)
        let folded = UInt64(truncatingIfNeeded: state >> 64) ^ UInt64(truncatingIfNeeded: state)
        return (folded >> rotation) | (folded << ((64 &- rotation) & 63))
    }

    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * (Double(next64() >> 11) * 0x1.0p-53)
    }

    /// SeedSequence(seed).generate_state(words64, uint64) for a seed below 2^64.
    static func seedSequenceState(seed: UInt64, words64: Int) -> [UInt64] {
        let initA: UInt32 = 0x43b0_d7e5, multA: UInt32 = 0x931e_8875
        let initB: UInt32 = 0x8b51_f9dd, multB: UInt32 = 0x58f3_8ded
        let mixL: UInt32 = 0xca01_f9dd, mixR: UInt32 = 0x4973_f715
        var entropy: [UInt32] = [UInt32(truncatingIfNeeded: seed)]
        if seed >> 32 != 0 { entropy.append(UInt32(truncatingIfNeeded: seed >> 32)) }

        var hashConstant = initA
        func hashMix(_ value: UInt32) -> UInt32 {
            var v = value ^ hashConstant
            hashConstant = hashConstant &* multA
            v = v &* hashConstant
            return v ^ (v >> 16)
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            let r = mixL &* x &- mixR &* y
            return r ^ (r >> 16)
        }
        var pool = [UInt32](repeating: 0, count: 4)
        for i in 0..<4 { pool[i] = hashMix(i < entropy.count ? entropy[i] : 0) }
        for source in 0..<4 {
            for destination in 0..<4 where source != destination {
                pool[destination] = mix(pool[destination], hashMix(pool[source]))
            }
        }
        // (Entropy beyond the pool's four words does not occur for 64-bit seeds.)

        var expanded = initB
        var words32 = [UInt32](repeating: 0, count: 2 * words64)
        for i in 0..<words32.count {
            var v = pool[i % 4] ^ expanded
            expanded = expanded &* multB
            v = v &* expanded
            words32[i] = v ^ (v >> 16)
        }
        return (0..<words64).map { UInt64(words32[2 * $0]) | (UInt64(words32[2 * $0 + 1]) << 32) }
    }
}

@Suite struct NumPyGeneratorTests {
    /// Known answers from NumPy 2.4: `SeedSequence(0).generate_state(4, np.uint64)` and
    /// `default_rng(0).uniform(0, 1)` twice.
    @Test func matchesNumPy() {
        #expect(NumPyGenerator.seedSequenceState(seed: 0, words64: 4)
            == [0xdb2c_d7e7_b0f4_78be, 0xabf4_641a_2c71_ba49, 0x20c6_ed6d_9d7b_8d41, 0x2c40_99de_223c_39d4])
        var g = NumPyGenerator(seed: 0)
        #expect(g.uniform(0, 1) == 0.6369616873214543)
        #expect(g.uniform(0, 1) == 0.2697867137638703)
    }
}
