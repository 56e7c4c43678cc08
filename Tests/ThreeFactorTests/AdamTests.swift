import Testing
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
@testable import ThreeFactor

@Suite struct AdamTests {
    /// Adam's steps as written out by hand from the reference's formulas.
    static func handAdam(gradients: [[Double]], learningRate: Double, start: [Double]) -> [Double] {
        var theta = start
        var m = Array(repeating: 0.0, count: start.count), v = m
        for (index, g) in gradients.enumerated() {
            let t = Double(index + 1)
            for k in 0..<theta.count {
                m[k] = 0.9 * m[k] + (1 - 0.9) * g[k]
                v[k] = 0.999 * v[k] + (1 - 0.999) * g[k] * g[k]
                let mHat = index + 1 < 1000 ? m[k] / (1 - pow(0.9, t)) : m[k]
                let vHat = index + 1 < 1000 ? v[k] / (1 - pow(0.999, t)) : v[k]
                theta[k] += learningRate * mHat / (vHat.squareRoot() + 1e-9)
            }
        }
        return theta
    }

    static func runAdam(gradients: [[Double]], scale: Double, learningRate: Double, start: [Double]) -> [Double] {
        var theta = start
        var m = Array(repeating: 0.0, count: start.count), v = m
        for (index, g) in gradients.enumerated() {
            theta.withUnsafeMutableBufferPointer { p in
                g.withUnsafeBufferPointer { gp in
                    m.withUnsafeMutableBufferPointer { mp in
                        v.withUnsafeMutableBufferPointer { vp in
                            Adam.ascend(
                                parameters: p.baseAddress!, gradient: gp.baseAddress!, scale: scale,
                                firstMoment: mp.baseAddress!, secondMoment: vp.baseAddress!, count: p.count,
                                step: index + 1, learningRate: learningRate)
                        }
                    }
                }
            }
        }
        return theta
    }

    /// Matches the hand computation (relative 1e-13: the square root and the fused
    /// multiply–adds differ from the textbook operations in the last bits), on a vector
    /// longer than one SIMD block and with a tail, including zero gradients.
    @Test func matchesHandComputation() {
        var rng = RandomStream(seed: 3)
        let count = 7
        let start = (0..<count).map { _ in rng.normal() }
        var gradients = (0..<5).map { _ in (0..<count).map { _ in rng.normal() * 1e-3 } }
        gradients[3] = Array(repeating: 0, count: count)
        let expected = Self.handAdam(gradients: gradients.map { $0.map { $0 * 2.5 } }, learningRate: 0.01, start: start)
        let actual = Self.runAdam(gradients: gradients, scale: 2.5, learningRate: 0.01, start: start)
        for k in 0..<count {
            #expect(abs(actual[k] - expected[k]) <= 1e-13 * abs(expected[k]), "parameter \(k)")
        }
    }

    /// The bias correction is applied while t < 1000 and dropped from t = 1000 on (the
    /// reference's quirk): with a constant gradient the 1000th step is larger than the
    /// 999th by sqrt(1 / (1 - 0.999^999))-ish, as the hand computation says.
    @Test func biasCorrectionStopsAtStep1000() {
        let gradients = Array(repeating: [0.5, -2.0, 1e-4], count: 1001)
        for steps in [999, 1000, 1001] {
            let expected = Self.handAdam(gradients: Array(gradients.prefix(steps)), learningRate: 1e-3, start: [0, 0, 0])
            let actual = Self.runAdam(gradients: Array(gradients.prefix(steps)), scale: 1, learningRate: 1e-3, start: [0, 0, 0])
            for k in 0..<3 { #expect(abs(actual[k] - expected[k]) <= 1e-12 * abs(expected[k])) }
        }
        let at999 = Self.runAdam(gradients: Array(gradients.prefix(999)), scale: 1, learningRate: 1e-3, start: [0, 0, 0])
        let at1000 = Self.runAdam(gradients: Array(gradients.prefix(1000)), scale: 1, learningRate: 1e-3, start: [0, 0, 0])
        let at998 = Self.runAdam(gradients: Array(gradients.prefix(998)), scale: 1, learningRate: 1e-3, start: [0, 0, 0])
        let step999 = at999[0] - at998[0], step1000 = at1000[0] - at999[0]
        #expect(step1000 / step999 > 1.2 && step1000 / step999 < 1.3)
    }

    @Test func biasCorrections() {
        #expect(Adam.biasCorrections(step: 1).first == 1 - 0.9)
        #expect(Adam.biasCorrections(step: 999).second == 1 - pow(0.999, 999.0))
        #expect(Adam.biasCorrections(step: 1000) == (1, 1))
    }

    /// The square root inside the denominator: a few ulp of the correctly rounded root
    /// over the whole range where it is not negligible against epsilon; below 2^-600 at
    /// most 2^-300, so that root + epsilon is exactly epsilon, as with the exact root.
    @Test func denominatorRoot() {
        var worst = 0.0
        var v = 0x1p-600
        while v < 1e300 {
            let lanes = SIMD4(v, v * 1.37, v * 2.91, v * 3.3)
            let root = Adam.denominatorRoot(lanes)
            for k in 0..<4 { worst = max(worst, abs(root[k] - lanes[k].squareRoot()) / lanes[k].squareRoot()) }
            v *= 7.7
        }
        #expect(worst < 1e-15)
        let special = Adam.denominatorRoot(SIMD4(0, 1e-150, 4, 0x1p-700))
        #expect(special[0] <= 0x1p-300 && special[3] <= 0x1p-300)
        #expect(special[0] + Adam.epsilon == Adam.epsilon && special[3] + Adam.epsilon == Adam.epsilon)
        #expect(abs(special[1] - 1e-75) < 1e-90 && abs(special[2] - 2) < 1e-15)
    }
}

@Suite struct LinearScheduleTests {
    @Test func interpolatesThenHolds() {
        let s = LinearSchedule(start: 1e-2, end: 1e-3, steps: 50_000)
        #expect(s.value(at: 0) == 1e-2)
        #expect(abs(s.value(at: 25_000) - 5.5e-3) < 1e-15)
        #expect(s.value(at: 50_000) == (1e-3 - 1e-2) * 50_000 / 50_000 + 1e-2)
        #expect(s.value(at: 80_000) == s.value(at: 50_000))
        #expect(LinearSchedule(constant: 4e-3).value(at: 123) == 4e-3)
    }
}
