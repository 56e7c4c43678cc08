import Foundation

/// The special functions behind the distributions the verifier uses.
///
/// Written here rather than taken from a library so that every p-value the verifier
/// prints comes from code that is checked against SciPy by known-answer tests
/// (`Tests/ReplicationTests/StatisticsKnownAnswerTests.swift`).
public enum SpecialFunctions {
    /// log Γ(x) for x > 0 (the C library's `lgamma`).
    public static func logGamma(_ x: Double) -> Double {
        precondition(x > 0, "logGamma needs x > 0")
        return Foundation.lgamma(x)
    }

    /// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b).
    ///
    /// For large arguments the three log-gammas are huge and nearly cancel (the t
    /// distribution with a million degrees of freedom needs B(5e5, ½)), so there the
    /// Stirling series is subtracted analytically before anything is evaluated.
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        let large = max(a, b), small = min(a, b)
        let halfLogTwoPi = 0.918_938_533_204_672_741_78
        if small >= 10 {
            // ½log 2π − ½log(a+b) + (a−½)log(a/(a+b)) + (b−½)log(b/(a+b)) + corrections
            return halfLogTwoPi - 0.5 * Foundation.log(a + b)
                - (a - 0.5) * Foundation.log1p(b / a) - (b - 0.5) * Foundation.log1p(a / b)
                + stirlingCorrection(a) + stirlingCorrection(b) - stirlingCorrection(a + b)
        }
        if large >= 10 {
            // log Γ(large) − log Γ(large + small) without cancellation.
            let difference = -(large - 0.5) * Foundation.log1p(small / large)
                - small * Foundation.log(large + small) + small
                + stirlingCorrection(large) - stirlingCorrection(large + small)
            return logGamma(small) + difference
        }
        return logGamma(a) + logGamma(b) - logGamma(a + b)
    }

    /// log Γ(x) − [(x − ½) log x − x + ½ log 2π], by its asymptotic (Bernoulli) series;
    /// for x >= 10 the omitted terms are below 1e-13.
    static func stirlingCorrection(_ x: Double) -> Double {
        let inverse = 1 / x, inverse2 = inverse * inverse
        return inverse * (1.0 / 12 - inverse2 * (1.0 / 360 - inverse2 * (1.0 / 1260
            - inverse2 * (1.0 / 1680 - inverse2 * (1.0 / 1188 - inverse2 * 691.0 / 360_360)))))
    }

    /// The regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b).
    public static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
        incompleteBeta(a, b, x: x, oneMinusX: 1 - x)
    }

    /// I_x(a, b) with 1 − x passed separately, so callers that know 1 − x more accurately
    /// than `1 - x` (e.g. the t distribution for tiny t) do not lose it to cancellation.
    ///
    /// The function is evaluated by its continued fraction (Abramowitz & Stegun 26.5.8),
    /// summed with the modified Lentz method. The fraction converges quickly only for
    /// x < (a + 1)/(a + b + 2); beyond that the symmetry I_x(a, b) = 1 − I_{1−x}(b, a)
    /// is used. Relative accuracy against SciPy: < 1e-13 for parameters up to 1e3; the
    /// fraction cancels near its switch point for huge parameters (2e-12 at a = 5e4,
    /// ~4e-10 at a = 5e5), far beyond any t test over seeds.
    public static func incompleteBeta(_ a: Double, _ b: Double, x: Double, oneMinusX y: Double) -> Double {
        precondition(a > 0 && b > 0, "incomplete beta needs a > 0 and b > 0")
        if x.isNaN || y.isNaN { return .nan }
        if x <= 0 { return 0 }
        if y <= 0 { return 1 }
        // log x and log(1 − x) from whichever of x, 1 − x is small (and so exact).
        let logX = x > 0.5 ? Foundation.log1p(-y) : Foundation.log(x)
        let logY = y > 0.5 ? Foundation.log1p(-x) : Foundation.log(y)
        let logFront = a * logX + b * logY - logBeta(a, b)
        if x < (a + 1) / (a + b + 2) {
            return Foundation.exp(logFront) * betaContinuedFraction(a, b, x) / a
        } else {
            return 1 - Foundation.exp(logFront) * betaContinuedFraction(b, a, y) / b
        }
    }

    /// The continued fraction 1/(1 + d1/(1 + d2/(1 + …))) of I_x(a, b), with
    /// d_{2m} = m(b − m)x / ((a + 2m − 1)(a + 2m)) and
    /// d_{2m+1} = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)).
    static func betaContinuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        let epsilon = 1e-16
        func guarded(_ v: Double) -> Double { abs(v) < tiny ? tiny : v }
        var c = 1.0
        var d = 1.0 / guarded(1 - (a + b) * x / (a + 1))
        var h = d
        for m in 1...20_000 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 / guarded(1 + even * d)
            c = guarded(1 + even / c)
            h *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 / guarded(1 + odd * d)
            c = guarded(1 + odd / c)
            let step = d * c
            h *= step
            if abs(step - 1) < epsilon { break }
        }
        return h
    }

    /// Finds x in [low, high] with f(x) = target for an increasing f, by bisection to
    /// the last representable digit. Slow but cannot diverge; quantiles are computed a
    /// handful of times per verification.
    static func invertIncreasing(
        _ target: Double, low: Double, high: Double, _ f: (Double) -> Double
    ) -> Double {
        var lo = low, hi = high
        for _ in 0..<2000 {
            let mid = lo + (hi - lo) / 2
            if mid <= lo || mid >= hi { break }
            if f(mid) < target { lo = mid } else { hi = mid }
        }
        return lo + (hi - lo) / 2
    }
}

/// The standard normal distribution.
public enum Normal {
    /// P(Z <= z), via the complementary error function so that both tails keep their
    /// relative precision.
    public static func cdf(_ z: Double) -> Double { 0.5 * Foundation.erfc(-z / 2.0.squareRoot()) }

    /// P(Z > z).
    public static func survival(_ z: Double) -> Double { 0.5 * Foundation.erfc(z / 2.0.squareRoot()) }

    /// The p-quantile, 0 < p < 1.
    public static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "normal quantile needs 0 < p < 1")
        if p == 0.5 { return 0 }
        return p < 0.5 ? -upperQuantile(p) : upperQuantile(1 - p)
    }

    /// z with P(Z > z) = q, for q <= 0.5 (searched on the survival function, which is
    /// accurate in the upper tail).
    static func upperQuantile(_ q: Double) -> Double {
        if q == 0.5 { return 0 }
        // survival is decreasing; invert the increasing function −survival.
        return SpecialFunctions.invertIncreasing(-q, low: 0, high: 40) { -survival($0) }
    }
}

/// Student's t distribution with `degreesOfFreedom` (any positive real).
public enum StudentT {
    /// P(T <= t).
    public static func cdf(_ t: Double, degreesOfFreedom df: Double) -> Double {
        t > 0 ? 1 - lowerTail(-t, df) : lowerTail(t, df)
    }

    /// P(T > t); accurate for large t, where 1 − cdf would cancel.
    public static func survival(_ t: Double, degreesOfFreedom df: Double) -> Double {
        t < 0 ? 1 - lowerTail(t, df) : lowerTail(-t, df)
    }

    /// P(T <= t) for t <= 0: ½ I_x(df/2, ½) with x = df/(df + t²).
    static func lowerTail(_ t: Double, _ df: Double) -> Double {
        precondition(df > 0, "t distribution needs df > 0")
        if t.isNaN { return .nan }
        if t == -.infinity { return 0 }
        if df > 1e12 { return Normal.cdf(t) }
        let t2 = t * t
        return 0.5 * SpecialFunctions.incompleteBeta(
            df / 2, 0.5, x: df / (df + t2), oneMinusX: t2 / (df + t2))
    }

    /// The p-quantile, 0 < p < 1.
    public static func quantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
        precondition(p > 0 && p < 1, "t quantile needs 0 < p < 1")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p, degreesOfFreedom: df) }
        let q = 1 - p
        var high = 2.0
        while survival(high, degreesOfFreedom: df) > q && high < 1e300 { high *= 2 }
        return SpecialFunctions.invertIncreasing(-q, low: 0, high: high) {
            -survival($0, degreesOfFreedom: df)
        }
    }
}

/// The beta distribution, for exact binomial intervals.
public enum BetaDistribution {
    /// P(X <= x) for X ~ Beta(a, b): the regularised incomplete beta function.
    public static func cdf(_ x: Double, _ a: Double, _ b: Double) -> Double {
        SpecialFunctions.regularizedIncompleteBeta(a, b, x)
    }

    /// The `p` quantile of Beta(a, b), found by bisection of the cdf; `p` in [0, 1].
    public static func quantile(_ p: Double, _ a: Double, _ b: Double) -> Double {
        precondition(p >= 0 && p <= 1, "beta quantile needs 0 <= p <= 1")
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        return SpecialFunctions.invertIncreasing(p, low: 0, high: 1) { cdf($0, a, b) }
    }
}
