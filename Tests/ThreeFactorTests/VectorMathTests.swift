import Testing
@testable import ThreeFactor
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

@Suite struct VectorMathTests {
    /// The largest error in units of the last place of the C library's value.
    static func worstErrorInULPs(over xs: [Double], _ f: (SIMD4<Double>) -> SIMD4<Double>, _ reference: (Double) -> Double) -> Double {
        var worst = 0.0
        var k = 0
        while k + 4 <= xs.count {
            let y = f(SIMD4(xs[k], xs[k + 1], xs[k + 2], xs[k + 3]))
            for j in 0..<4 {
                let r = reference(xs[k + j])
                worst = max(worst, abs(y[j] - r) / r.ulp)
            }
            k += 4
        }
        return worst
    }

    /// exp on [-40, 0] (the range softplus uses) and beyond: within 2 ulp of the C library.
    @Test func expIsAccurate() {
        let near: [Double] = (0..<40_000).map { (k: Int) -> Double in -40.0 + Double(k) * 0.00125 }
        let far: [Double] = (0..<4_000).map { (k: Int) -> Double in -700.0 + Double(k) * 0.35 }
        let xs = near + far
        #expect(Self.worstErrorInULPs(over: xs, VectorMath.exp, Glibc_exp) <= 2)
    }

    /// log1p on [0, 1], including tiny arguments: within 2 ulp of the C library.
    @Test func log1pIsAccurate() {
        let grid: [Double] = (0..<40_000).map { (k: Int) -> Double in Double(k) / 40_000 }
        let tiny: [Double] = (0..<400).map { (k: Int) -> Double in pow(10, -Double(k) / 10) }
        let xs = grid + tiny
        #expect(Self.worstErrorInULPs(over: xs, VectorMath.log1p, Glibc_log1p) <= 2)
    }

    /// softplus and sigmoid with the reference clamps.
    @Test func softplusAndSigmoid() {
        let us = (0..<8_000).map { -40.0 + Double($0) * 0.01 }
        for u in us {
            let (mean, slope) = VectorMath.softplusWithSlope(SIMD4(repeating: u))
            let expectedMean = u > 30 ? u : (u < -30 ? 0 : Glibc_log1p(Glibc_exp(u)))
            let expectedSlope = u >= 20 ? 1 : (u <= -20 ? 0 : 1 / (1 + Glibc_exp(-u)))
            #expect(abs(mean[0] - expectedMean) <= 1e-15 * max(abs(expectedMean), 1e-300))
            #expect(abs(slope[0] - expectedSlope) <= 1e-15 * max(abs(expectedSlope), 1e-300))
        }
        #expect(UnitFunctions.softplus(31) == 31)
        #expect(UnitFunctions.softplus(-31) == 0)
        #expect(UnitFunctions.sigmoid(20) == 1)
        #expect(UnitFunctions.sigmoid(-20) == 0)
    }

    /// The buffer version (two passes, tail handled) agrees with the lane version.
    @Test func bufferVersionAgrees() {
        let us: [Double] = (0..<11).map { -3.0 + 0.61 * Double($0) }
        var mean = Array(repeating: 0.0, count: 11), slope = mean
        us.withUnsafeBufferPointer { u in
            mean.withUnsafeMutableBufferPointer { m in
                slope.withUnsafeMutableBufferPointer { s in
                    UnitFunctions.softplusWithSlope(u.baseAddress!, mean: m.baseAddress!, slope: s.baseAddress!, count: 11)
                }
            }
        }
        for k in 0..<11 {
            #expect(mean[k] == UnitFunctions.softplus(us[k]))
            #expect(slope[k] == UnitFunctions.sigmoid(us[k]))
        }
    }

    /// Softmax with the reference's clamp of shifted logits at -30.
    @Test func softmaxClamp() {
        let u: [Double] = [0, -100, 2]
        var p = [0.0, 0, 0]
        u.withUnsafeBufferPointer { up in
            p.withUnsafeMutableBufferPointer { UnitFunctions.softmax(up.baseAddress!, temperature: 2, probabilities: $0.baseAddress!, count: 3) }
        }
        let e = [Glibc_exp(-1.0), Glibc_exp(-30.0), 1.0]
        let total = e.reduce(0, +)
        for k in 0..<3 { #expect(abs(p[k] - e[k] / total) < 1e-15) }
    }
}

private func Glibc_exp(_ x: Double) -> Double { exp(x) }
private func Glibc_log1p(_ x: Double) -> Double { log1p(x) }
