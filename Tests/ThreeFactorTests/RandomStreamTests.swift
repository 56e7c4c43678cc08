import Testing
@testable import ThreeFactor

/// Known answers for Philox4x64-10.
///
/// The block function is checked against the Random123 reference vector (counter 0, key 0).
/// The streams are checked against NumPy 2.4's independent implementation:
/// `numpy.random.Philox(key=numpy.array([k0, k1], dtype=numpy.uint64)).random_raw(6)`,
/// whose first block is the image of counter 1, as ours is.
@Suite struct RandomStreamTests {
    @Test func blockFunctionMatchesRandom123() {
        let b = RandomStream.philox(counter: (0, 0, 0, 0), key: (0, 0))
        #expect(b.0 == 0x1655_4d9e_ca36_314c)
        #expect(b.1 == 0xdb20_fe9d_672d_0fdc)
        #expect(b.2 == 0xd7e7_72ce_e186_176b)
        #expect(b.3 == 0x7e68_b68a_ec7b_a23b)
    }

    @Test(arguments: [
        (UInt64(0), UInt64(0), [UInt64]([0x02f4_ba64_08e4_d89b, 0x3dd6_2b0b_9ca8_c5b2, 0x1c86_67a5_5d90_2e79,
                                         0x907d_7a05_2fd5_b4dc, 0x809b_f322_8839_87c3, 0x4711_28b9_e807_f7dd])),
        (UInt64(42), UInt64(7), [UInt64]([0xa640_64f3_4e84_b9a3, 0xe287_959a_866a_08fd, 0x8dc1_81f0_09b9_6c03,
                                          0xf3f6_001d_4fa8_3454, 0x69c6_33ee_791d_f6b3, 0x8932_7f7a_8f01_27a4])),
        (UInt64.max, UInt64(0x1234_5678_9ABC_DEF0),
         [UInt64]([0xfc5d_b4b9_d07c_20d8, 0x4548_3ce2_3a7a_9b2d, 0x5c89_8ebc_c309_892e,
                   0x8a41_d246_843f_2f23, 0x859e_7478_dc3d_4a58, 0xd986_e3ea_3c0a_90d1])),
    ])
    func streamMatchesNumPy(key0: UInt64, key1: UInt64, expected: [UInt64]) {
        var rng = RandomStream(seed: key0, stream: key1)
        #expect((0..<6).map { _ in rng.next() } == expected)
    }

    @Test func splitStreamsDifferAndDoNotAdvanceParent() {
        let parent = RandomStream(seed: 5)
        var a = parent.split(1), b = parent.split(2), a2 = parent.split(1)
        let xa = a.next(), xb = b.next()
        #expect(xa != xb)
        #expect(a2.next() == xa)
        var p = parent, fresh = RandomStream(seed: 5)
        #expect(p.next() == fresh.next())
    }

    @Test func uniformMomentsAndRange() {
        var rng = RandomStream(seed: 11)
        let n = 200_000
        var sum = 0.0, sumSq = 0.0
        for _ in 0..<n {
            let u = rng.uniform()
            #expect(u >= 0 && u < 1)
            sum += u
            sumSq += u * u
        }
        let mean = sum / Double(n), variance = sumSq / Double(n) - mean * mean
        // Standard error of the mean is sqrt(1/12/n) ~ 6.5e-4: 5 standard errors.
        #expect(abs(mean - 0.5) < 5 * (1.0 / 12 / Double(n)).squareRoot())
        #expect(abs(variance - 1.0 / 12) < 2e-3)
    }

    @Test func normalMoments() {
        var rng = RandomStream(seed: 12)
        let n = 200_000
        var s1 = 0.0, s2 = 0.0, s4 = 0.0
        for _ in 0..<n {
            let z = rng.normal()
            s1 += z; s2 += z * z; s4 += z * z * z * z
        }
        let mean = s1 / Double(n), m2 = s2 / Double(n), m4 = s4 / Double(n)
        #expect(abs(mean) < 5 / Double(n).squareRoot())          // SE 1/sqrt(n)
        #expect(abs(m2 - 1) < 5 * (2.0 / Double(n)).squareRoot())  // SE sqrt(2/n)
        #expect(abs(m4 - 3) < 5 * (96.0 / Double(n)).squareRoot())  // SE sqrt(96/n)
    }

    @Test func categoricalFrequencies() {
        var rng = RandomStream(seed: 13)
        let p = [0.1, 0.6, 0.3]
        var counts = [0, 0, 0]
        let n = 100_000
        for _ in 0..<n { counts[rng.categorical(p)] += 1 }
        for i in 0..<3 {
            let se = (p[i] * (1 - p[i]) / Double(n)).squareRoot()
            #expect(abs(Double(counts[i]) / Double(n) - p[i]) < 5 * se)
        }
    }

    @Test func integerBelowIsUnbiasedAndInRange() {
        var rng = RandomStream(seed: 14)
        var counts = [Int](repeating: 0, count: 7)
        let n = 70_000
        for _ in 0..<n { counts[rng.integer(below: 7)] += 1 }
        let se = (1.0 / 7 * 6 / 7 / Double(n)).squareRoot()
        for c in counts { #expect(abs(Double(c) / Double(n) - 1.0 / 7) < 5 * se) }
    }

    @Test func checkpointRoundTripContinuesIdentically() throws {
        var rng = RandomStream(seed: 99)
        _ = rng.next()
        _ = rng.normal()  // leaves a spare normal and a partly used block
        var archive = StateArchive()
        rng.save(to: &archive)
        var restored = RandomStream(seed: 0)
        var reader = StateArchive.Reader(archive)
        try restored.load(from: &reader)
        #expect(reader.isAtEnd)
        #expect(restored == rng)
        for _ in 0..<10 { #expect(restored.normal() == rng.normal()) }
    }
}
