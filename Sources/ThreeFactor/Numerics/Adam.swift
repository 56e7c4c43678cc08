#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Adam (Kingma & Ba, ICLR 2015) exactly as the MAP propagation reference code implements
/// it (`adam_optimizer` in `util.py` of github.com/stephen-chung-mh/map_prop):
///
///     t += 1
///     m = beta1 * m + (1 - beta1) * g
///     v = beta2 * v + (1 - beta2) * g^2
///     m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)     only while t < 1000
///     m_hat = m,                  v_hat = v                      from t = 1000 on
///     theta += lr * m_hat / (sqrt(v_hat) + epsilon)              (ascent: g is a gain)
///
/// with beta1 = 0.9, beta2 = 0.999, epsilon = 1e-9 and one moment state (m, v, t) per
/// parameter array. Dropping the bias correction at t = 1000 is a quirk of the reference
/// code: beta2^1000 = 0.37, so at that step the effective step size jumps by
/// sqrt(1 / (1 - 0.37)) = 1.26. We keep it because the published curves were produced with it.
///
/// Arithmetic: the moment updates use fused multiply–adds, and sqrt(v_hat) is computed by
/// `denominatorRoot` (Newton iterations instead of the C library's scalar `sqrt`); both are
/// exact IEEE operations, so results are the same on every platform, and differ from the
/// reference's NumPy arithmetic only in the last bits.
///
/// The moments live in caller-owned buffers so that a whole network's optimiser state is
/// one contiguous array that checkpoints as a block.
public enum Adam {
    /// Decay rate of the first moment (the gradient's running mean).
    public static let beta1 = 0.9
    /// Decay rate of the second moment (the squared gradient's running mean).
    public static let beta2 = 0.999
    /// Added to the root of the second moment so that a parameter with no gradient yet does not
    /// divide by zero; the reference's value, smaller than Kingma & Ba's 1e-8.
    public static let epsilon = 1e-9
    /// Bias correction is applied while `t < biasCorrectionSteps`.
    public static let biasCorrectionSteps = 1000

    /// The two bias-correction divisors for update number `t` (1-based).
    @inlinable
    public static func biasCorrections(step t: Int) -> (first: Double, second: Double) {
        guard t < biasCorrectionSteps else { return (1, 1) }
        return (1 - pow(beta1, Double(t)), 1 - pow(beta2, Double(t)))
    }

    /// One Adam ascent step on `count` parameters whose gradient is `scale * gradient[k]`.
    /// `t` is the array's update number, counted from 1 (the reference increments its
    /// counter before using it).
    @inlinable
    public static func ascend(
        parameters: UnsafeMutablePointer<Double>, gradient: UnsafePointer<Double>, scale: Double,
        firstMoment m: UnsafeMutablePointer<Double>, secondMoment v: UnsafeMutablePointer<Double>,
        count: Int, step t: Int, learningRate: Double
    ) {
        ascend(
            parameters: parameters, gradient: gradient, scale: scale, firstMoment: m, secondMoment: v,
            count: count, corrections: biasCorrections(step: t), learningRate: learningRate)
    }

    /// The same step with the bias corrections of its update number already computed
    /// (`biasCorrections(step:)`): a network updates all its arrays at one step number, and
    /// the two `pow` calls cost as much as the update of a small array.
    @inlinable
    public static func ascend(
        parameters: UnsafeMutablePointer<Double>, gradient: UnsafePointer<Double>, scale: Double,
        firstMoment m: UnsafeMutablePointer<Double>, secondMoment v: UnsafeMutablePointer<Double>,
        count: Int, corrections: (first: Double, second: Double), learningRate: Double
    ) {
        let (c1, c2) = corrections
        let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
        // lr * (m / c1) / (sqrt(v / c2) + eps); the divisions by c1 and c2 are folded into
        // multiplications (exact once t >= 1000, where c1 = c2 = 1).
        let stepScale = learningRate / c1
        let inverseC2 = 1 / c2
        typealias V = SIMD4<Double>
        let beta1s = V(repeating: beta1), beta2s = V(repeating: beta2)
        var k = 0
        while k + 4 <= count {
            let g = scale * DenseKernels.load4(gradient + k)
            let mk = (oneMinusBeta1 * g).addingProduct(beta1s, DenseKernels.load4(m + k))
            let vk = (oneMinusBeta2 * (g * g)).addingProduct(beta2s, DenseKernels.load4(v + k))
            DenseKernels.store4(mk, m + k)
            DenseKernels.store4(vk, v + k)
            let step = stepScale * mk / (denominatorRoot(vk * inverseC2) + epsilon)
            DenseKernels.store4(DenseKernels.load4(parameters + k) + step, parameters + k)
            k += 4
        }
        if k < count {
            // The tail through the same vector code, so that every element is computed alike.
            var g = V(), mOld = V(), vOld = V()
            for j in 0..<(count - k) {
                g[j] = scale * gradient[k + j]
                mOld[j] = m[k + j]
                vOld[j] = v[k + j]
            }
            let mk = (oneMinusBeta1 * g).addingProduct(beta1s, mOld)
            let vk = (oneMinusBeta2 * (g * g)).addingProduct(beta2s, vOld)
            let step = stepScale * mk / (denominatorRoot(vk * inverseC2) + epsilon)
            for j in 0..<(count - k) {
                m[k + j] = mk[j]
                v[k + j] = vk[j]
                parameters[k + j] += step[j]
            }
        }
    }

    /// sqrt(v) as it enters Adam's denominator sqrt(v) + 1e-9, for finite v >= 0.
    ///
    /// A bit-pattern estimate of 1/sqrt(v) (relative error < 3.5e-2) refined by four Newton
    /// steps y <- y (3/2 - v y^2 / 2) (errors 1.8e-3, 4.6e-6, 3e-11, < 1e-20), then
    /// sqrt(v) = v y: within a few ulp of the correctly
    /// rounded root, with only multiplications and additions (`SIMD.squareRoot()` is not
    /// vectorised on Linux: it calls the C library's `sqrt` lane by lane). v is first raised
    /// to at least 2^-600, where the estimate would need rescaling; the root is then at most
    /// 2^-300 instead of the true one, which makes no difference once added to
    /// epsilon = 1e-9 (both round to epsilon).
    @inlinable @inline(__always)
    static func denominatorRoot(_ v: SIMD4<Double>) -> SIMD4<Double> {
        typealias V = SIMD4<Double>
        let floor = V(repeating: 0x1p-600)
        let safe = v.replacing(with: floor, where: v .< floor)
        let bits = unsafeBitCast(safe, to: SIMD4<UInt64>.self)
        var y = unsafeBitCast(SIMD4<UInt64>(repeating: 0x5FE6_EB50_C7B5_37A9) &- (bits &>> 1), to: V.self)
        let minusHalfV = -0.5 * safe
        for _ in 0..<4 {
            y = y * V(repeating: 1.5).addingProduct(minusHalfV, y * y)
        }
        return safe * y
    }
}
