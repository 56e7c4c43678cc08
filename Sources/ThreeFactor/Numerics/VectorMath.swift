/// Vectorised `exp` and `log1p` on the ranges the softplus units need, in plain IEEE
/// arithmetic (no libm calls), so that they run four lanes at a time and give the same bits
/// on every platform.
///
/// Accuracy: both are within a few units in the last place of the correctly rounded
/// result on their ranges (checked against the C library in `VectorMathTests`); the
/// reference code's NumPy values differ from the correctly rounded ones by similar amounts.
public enum VectorMath {
    /// Four lanes of `Double`: the width every kernel here works in.
    public typealias V = SIMD4<Double>

    // Cody–Waite split of ln 2 (fdlibm): ln2Hi has 32 trailing zero bits, so k * ln2Hi is
    // exact for |k| < 2^20.
    @usableFromInline static let ln2Hi = 6.93147180369123816490e-01
    @usableFromInline static let ln2Lo = 1.90821492927058770002e-10
    @usableFromInline static let inverseLn2 = 1.44269504088896338700e+00
    /// 1.5 * 2^52: adding it rounds a double of magnitude < 2^51 to an integer held in the
    /// low mantissa bits (round to nearest even, the default rounding mode).
    @usableFromInline static let roundingShifter = 6755399441055744.0

    /// exp(x) for x in [-700, 700]. Range reduction x = k ln2 + r, |r| <= ln2 / 2, Taylor
    /// polynomial of degree 13 (truncation error < 5e-18 relative) evaluated by Estrin's
    /// scheme (short dependency chains), scaling by 2^k built from its bit pattern.
    @inlinable @inline(__always)
    public static func exp(_ x: V) -> V {
        let shifter = V(repeating: roundingShifter)
        let shifted = shifter.addingProduct(x, V(repeating: inverseLn2))  // x / ln2 rounded to an integer, + shifter
        let k = shifted - shifter
        let r = (x - k * ln2Hi) - k * ln2Lo
        let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
        // Coefficients 1/n!, paired: (c0 + c1 r), (c2 + c3 r), ...
        @inline(__always) func pair(_ c0: Double, _ c1: Double) -> V { V(repeating: c0).addingProduct(r, V(repeating: c1)) }
        let p01 = 1 + r
        let p23 = pair(0.5, 1.0 / 6.0)
        let p45 = pair(1.0 / 24.0, 1.0 / 120.0)
        let p67 = pair(1.0 / 720.0, 1.0 / 5040.0)
        let p89 = pair(1.0 / 40320.0, 1.0 / 362880.0)
        let p1011 = pair(1.0 / 3628800.0, 1.0 / 39916800.0)
        let p1213 = pair(1.0 / 479001600.0, 1.0 / 6227020800.0)
        let q0 = p01.addingProduct(r2, p23), q1 = p45.addingProduct(r2, p67), q2 = p89.addingProduct(r2, p1011)
        let p = q0.addingProduct(r4, q1).addingProduct(r8, q2.addingProduct(r4, p1213))
        let kBits = unsafeBitCast(shifted, to: SIMD4<Int64>.self) &- unsafeBitCast(shifter, to: SIMD4<Int64>.self)
        let scale = unsafeBitCast((kBits &+ 1023) &<< 52, to: V.self)
        return p * scale
    }

    /// log(1 + t) for t in [0, 1].
    @inlinable @inline(__always)
    public static func log1p(_ t: V) -> V {
        let y = V(repeating: 1) + t
        return log1p(t, onePlus: y, reciprocalOfOnePlus: 1 / y)
    }

    /// log(1 + t) for t in [0, 1], given y = 1 + t (rounded) and 1 / y.
    ///
    /// y = 1 + t is formed with the rounding correction c = (t - (y - 1)) / y; y is brought
    /// to z in [sqrt(2)/2, sqrt(2)] by halving when needed (exact), and
    /// log z = 2 atanh(s) = 2 (s + s^3/3 + ... + s^21/21) with s = (z - 1)/(z + 1),
    /// |s| <= 0.1716 (truncation error < 2e-17 relative).
    @inlinable @inline(__always)
    public static func log1p(_ t: V, onePlus y: V, reciprocalOfOnePlus inverseY: V) -> V {
        let one = V(repeating: 1)
        let correction = (t - (y - one)) * inverseY
        let large = y .> V(repeating: 1.4142135623730951)
        let z = y.replacing(with: y * 0.5, where: large)
        let e = V(repeating: 0).replacing(with: 1, where: large)
        let s = (z - one) / (z + one)
        let w = s * s, w2 = w * w, w4 = w2 * w2, w8 = w4 * w4
        // sum_{k=0}^{9} w^k / (2k + 3) by Estrin's scheme.
        @inline(__always) func pair(_ c0: Double, _ c1: Double) -> V { V(repeating: c0).addingProduct(w, V(repeating: c1)) }
        let a01 = pair(1.0 / 3.0, 1.0 / 5.0)
        let a23 = pair(1.0 / 7.0, 1.0 / 9.0)
        let a45 = pair(1.0 / 11.0, 1.0 / 13.0)
        let a67 = pair(1.0 / 15.0, 1.0 / 17.0)
        let a89 = pair(1.0 / 19.0, 1.0 / 21.0)
        let p = a01.addingProduct(w2, a23).addingProduct(w4, a45.addingProduct(w2, a67)).addingProduct(w8, a89)
        let twoS = s + s
        let logZ = twoS.addingProduct(twoS, w * p)
        return (logZ + (e * ln2Lo + correction)).addingProduct(e, V(repeating: ln2Hi))
    }

    /// exp(-min(|u|, 40)): the `t` of `softplusWithSlope(_:expOfMinusMagnitude:)`.
    @inlinable @inline(__always)
    public static func expOfMinusMagnitude(_ u: V) -> V {
        let magnitude = u.replacing(with: -u, where: u .< 0)
        // Clamped so that exp stays in range; the clamped lanes are replaced by the caller.
        return exp(-(magnitude.replacing(with: 40, where: magnitude .> 40)))
    }

    /// Softplus and its slope (sigmoid) with the reference clamps (see `UnitFunctions`):
    /// softplus(u) = max(u, 0) + log1p(exp(-|u|)) for |u| <= 30, u above 30, 0 below -30;
    /// sigmoid(u) = 1/(1 + t) for u >= 0 and t * (1/(1 + t)) for u < 0 (t = exp(-|u|)),
    /// exactly 1 for u >= 20 and 0 for u <= -20.
    @inlinable @inline(__always)
    public static func softplusWithSlope(_ u: V) -> (mean: V, slope: V) {
        softplusWithSlope(u, expOfMinusMagnitude: expOfMinusMagnitude(u))
    }

    /// The same, given t = `expOfMinusMagnitude(u)` (computed in a separate pass, so that
    /// the long polynomial chains of many units overlap).
    @inlinable @inline(__always)
    public static func softplusWithSlope(_ u: V, expOfMinusMagnitude t: V) -> (mean: V, slope: V) {
        let zero = V(repeating: 0), one = V(repeating: 1)
        let positive = u .>= zero
        let y = one + t
        let inverseY = 1 / y  // shared by log1p's correction and the sigmoid
        var mean = u.replacing(with: zero, where: .!positive) + log1p(t, onePlus: y, reciprocalOfOnePlus: inverseY)
        var slope = one.replacing(with: t, where: .!positive) * inverseY
        mean.replace(with: u, where: u .> UnitFunctions.softplusLinearAbove)
        mean.replace(with: zero, where: u .< -UnitFunctions.softplusLinearAbove)
        slope.replace(with: one, where: u .>= UnitFunctions.sigmoidSaturatesAt)
        slope.replace(with: zero, where: u .<= -UnitFunctions.sigmoidSaturatesAt)
        return (mean, slope)
    }
}
