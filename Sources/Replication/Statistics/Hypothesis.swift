/// Which departure from the null hypothesis a test looks for.
public enum Alternative: String, Sendable, CaseIterable {
    /// The first sample's location differs from the second's (either way).
    case twoSided = "two-sided"
    /// The first sample's location is greater than the second's.
    case greater
    /// The first sample's location is less than the second's.
    case less
}

/// Welch's two-sample t-test (unequal variances) and the two one-sided tests (TOST)
/// for equivalence built on the same standard error and degrees of freedom.
public struct WelchTest: Sendable, Equatable {
    /// mean1 − mean2.
    public var difference: Double
    /// sqrt(s1²/n1 + s2²/n2).
    public var standardError: Double
    /// The t statistic, `difference / standardError`.
    public var t: Double
    /// Welch–Satterthwaite degrees of freedom.
    public var degreesOfFreedom: Double
    /// The alternative the p-value is for.
    public var alternative: Alternative
    /// The p-value under the Student-t distribution with the Welch–Satterthwaite degrees of
    /// freedom.
    public var pValue: Double

    /// From summary statistics; `sd1`, `sd2` are SAMPLE standard deviations (ddof 1).
    public init(
        mean1: Double, sd1: Double, n1: Int, mean2: Double, sd2: Double, n2: Int,
        alternative: Alternative = .twoSided
    ) {
        precondition(n1 >= 2 && n2 >= 2, "Welch's test needs at least 2 values per sample")
        let v1 = sd1 * sd1 / Double(n1), v2 = sd2 * sd2 / Double(n2)
        difference = mean1 - mean2
        standardError = (v1 + v2).squareRoot()
        self.alternative = alternative
        if standardError > 0 {
            degreesOfFreedom = (v1 + v2) * (v1 + v2)
                / (v1 * v1 / Double(n1 - 1) + v2 * v2 / Double(n2 - 1))
            t = difference / standardError
        } else {
            // Both samples constant: the difference is known exactly. Conventionally
            // t = ±inf (p = 0) if the means differ and t = 0 (p = 1) if they do not.
            degreesOfFreedom = Double(n1 + n2 - 2)
            t = difference == 0 ? 0 : (difference > 0 ? .infinity : -.infinity)
        }
        switch alternative {
        case .greater: pValue = StudentT.survival(t, degreesOfFreedom: degreesOfFreedom)
        case .less: pValue = StudentT.cdf(t, degreesOfFreedom: degreesOfFreedom)
        case .twoSided:
            pValue = t == 0 && standardError == 0
                ? 1 : min(1, 2 * StudentT.survival(abs(t), degreesOfFreedom: degreesOfFreedom))
        }
    }

    /// From two samples.
    public init(_ x: [Double], _ y: [Double], alternative: Alternative = .twoSided) {
        self.init(
            mean1: Descriptive.mean(x), sd1: Descriptive.standardDeviation(x), n1: x.count,
            mean2: Descriptive.mean(y), sd2: Descriptive.standardDeviation(y), n2: y.count,
            alternative: alternative)
    }

    /// Two one-sided tests (Schuirmann 1987) of H0: |mean1 − mean2| >= margin against
    /// H1: |mean1 − mean2| < margin. Equivalence is shown at level alpha when the
    /// returned p-value (the larger of the two one-sided p-values) is <= alpha, which is
    /// the same as the (1 − 2 alpha) confidence interval of the difference lying inside
    /// (−margin, +margin).
    public func equivalence(margin: Double) -> EquivalenceTest {
        precondition(margin > 0, "equivalence margin must be positive")
        let pLower: Double, pUpper: Double
        if standardError > 0 {
            pLower = StudentT.survival((difference + margin) / standardError, degreesOfFreedom: degreesOfFreedom)
            pUpper = StudentT.cdf((difference - margin) / standardError, degreesOfFreedom: degreesOfFreedom)
        } else {
            pLower = difference > -margin ? 0 : 1
            pUpper = difference < margin ? 0 : 1
        }
        return EquivalenceTest(margin: margin, pLower: pLower, pUpper: pUpper)
    }

    /// Two-sided confidence interval of mean1 − mean2 at `level` (e.g. 0.95).
    public func differenceInterval(level: Double) -> (low: Double, high: Double) {
        guard standardError > 0 else { return (difference, difference) }
        let q = StudentT.quantile(0.5 + level / 2, degreesOfFreedom: degreesOfFreedom)
        return (difference - q * standardError, difference + q * standardError)
    }
}

/// The two one-sided tests (TOST) of equivalence within ±`margin`: equivalence is shown when
/// both nulls are rejected, i.e. when `pValue` is below alpha.
public struct EquivalenceTest: Sendable, Equatable {
    /// The equivalence margin, in the metric's units.
    public var margin: Double
    /// p-value of H0: difference <= −margin.
    public var pLower: Double
    /// p-value of H0: difference >= +margin.
    public var pUpper: Double
    /// The TOST p-value: the larger of the two one-sided p-values.
    public var pValue: Double { max(pLower, pUpper) }
}

/// Student-t confidence interval of a sample mean.
public func meanConfidenceInterval(_ x: [Double], level: Double) -> (low: Double, high: Double) {
    let m = Descriptive.mean(x)
    guard x.count >= 2 else { return (m, m) }
    let se = Descriptive.standardError(x)
    let q = StudentT.quantile(0.5 + level / 2, degreesOfFreedom: Double(x.count - 1))
    return (m - q * se, m + q * se)
}
