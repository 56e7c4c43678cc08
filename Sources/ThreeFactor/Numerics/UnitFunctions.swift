#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The transfer functions of the MAP propagation units with the reference code's clamps
/// (`util.py` of github.com/stephen-chung-mh/map_prop):
/// - softplus(u) = log1p(exp(u)) for |u| <= 30, u above 30, 0 below -30;
/// - its slope, the logistic sigmoid, saturates to exactly 0 / 1 for |u| >= 20;
/// - softmax shifts by the maximum and clamps the shifted logits at -30 before `exp`.
///
/// The clamps change the values only where they are within rounding of the exact ones,
/// except the softplus zero below -30 (exact value about 1e-13) and the sigmoid's hard 0 and 1;
/// they are kept so that saturated units behave as in the reference.
public enum UnitFunctions {
    /// Softplus is `u` itself above this (where `log1p(exp(u)) - u` is below rounding) and 0
    /// below its negative.
    public static let softplusLinearAbove = 30.0
    /// The sigmoid is exactly 1 at or above this and exactly 0 at or below its negative.
    public static let sigmoidSaturatesAt = 20.0
    /// Shifted softmax logits are clamped at this before `exp`, so no probability underflows to
    /// zero and a log-probability stays finite (about `exp(-30)`, 1e-13, at the least).
    public static let softmaxLogitFloor = -30.0

    /// softplus(u), the same bits as the vectorised path.
    @inlinable @inline(__always)
    public static func softplus(_ u: Double) -> Double {
        VectorMath.softplusWithSlope(SIMD4(repeating: u)).mean[0]
    }

    /// Softplus and its slope (the sigmoid) of `count` potentials, four at a time with
    /// `VectorMath` (one exp and one log1p per unit). Two passes: exp(-|u|) of every unit
    /// (into `slope`), then softplus and sigmoid; independent units then overlap in the
    /// pipeline instead of waiting on one long polynomial chain each.
    @inlinable
    public static func softplusWithSlope(
        _ potential: UnsafePointer<Double>, mean: UnsafeMutablePointer<Double>,
        slope: UnsafeMutablePointer<Double>, count: Int
    ) {
        let vectorCount = count & ~3
        var k = 0
        while k < vectorCount {
            DenseKernels.store4(VectorMath.expOfMinusMagnitude(DenseKernels.load4(potential + k)), slope + k)
            k += 4
        }
        k = 0
        while k < vectorCount {
            let (m, s) = VectorMath.softplusWithSlope(
                DenseKernels.load4(potential + k), expOfMinusMagnitude: DenseKernels.load4(slope + k))
            DenseKernels.store4(m, mean + k)
            DenseKernels.store4(s, slope + k)
            k += 4
        }
        if vectorCount < count {
            var u = SIMD4<Double>()
            for j in 0..<(count - vectorCount) { u[j] = potential[vectorCount + j] }
            let (m, s) = VectorMath.softplusWithSlope(u)
            for j in 0..<(count - vectorCount) {
                mean[vectorCount + j] = m[j]
                slope[vectorCount + j] = s[j]
            }
        }
    }

    /// ReLU and its slope as in the reference: max(u, 0), slope 1 for u >= 0 else 0.
    @inlinable
    public static func reluWithSlope(
        _ potential: UnsafePointer<Double>, mean: UnsafeMutablePointer<Double>,
        slope: UnsafeMutablePointer<Double>, count: Int
    ) {
        for k in 0..<count {
            let u = potential[k]
            mean[k] = u < 0 ? 0 : u
            slope[k] = u < 0 ? 0 : 1
        }
    }

    /// softmax(u / temperature) with the reference's clamp of shifted logits at -30.
    @inlinable
    public static func softmax(
        _ potential: UnsafePointer<Double>, temperature: Double,
        probabilities p: UnsafeMutablePointer<Double>, count: Int
    ) {
        var largest = -Double.infinity
        for k in 0..<count { largest = max(largest, potential[k] / temperature) }
        var total = 0.0
        for k in 0..<count {
            let shifted = max(potential[k] / temperature - largest, softmaxLogitFloor)
            let e = exp(shifted)
            p[k] = e
            total += e
        }
        for k in 0..<count { p[k] /= total }
    }
}
