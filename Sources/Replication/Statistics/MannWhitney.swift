/// The Mann–Whitney U test (Wilcoxon rank-sum test) of two independent samples.
///
/// Chosen as the verifier's default ordering test ("A better than B") because it needs
/// no normality (returns of RL runs are often bimodal: a seed learns or it does not),
/// it is unaffected by a censored value as long as the censored value ranks where it
/// belongs (e.g. "not reached within the budget" ranks after every reached value), and
/// ties are handled. Conventions follow SciPy's `mannwhitneyu` so the known-answer
/// tests can compare to it:
/// - U1 = R1 − n1(n1 + 1)/2 with average ranks (R1 the rank sum of the first sample);
/// - exact p-values (the null distribution of U, no tie correction) when there are no
///   ties and one sample has at most 8 values; otherwise the normal approximation with
///   the tie-corrected variance and a continuity correction of 1/2.
public struct MannWhitneyTest: Sendable, Equatable {
    /// How the p-value is computed.
    public enum Method: String, Sendable {
        /// `automatic`: exact when there are no ties and one sample has at most 8 values, else
        /// asymptotic; `exact`: the null distribution of U; `asymptotic`: the normal
        /// approximation with tie correction.
        case automatic, exact, asymptotic
    }

    /// U statistic of the first sample: the number of pairs (x_i, y_j) with x_i > y_j,
    /// ties counting 1/2.
    public var u1: Double
    /// The first sample's size.
    public var n1: Int
    /// The second sample's size.
    public var n2: Int
    /// The alternative the p-value is for.
    public var alternative: Alternative
    /// The method actually used (never `.automatic`).
    public var method: Method
    /// Standardised statistic of the normal approximation (nil for the exact method).
    public var z: Double?
    /// The p-value.
    public var pValue: Double

    /// Tests `x` against `y`; both must be non-empty. `continuityCorrection` applies to the
    /// normal approximation only.
    public init(
        _ x: [Double], _ y: [Double], alternative: Alternative = .twoSided,
        method: Method = .automatic, continuityCorrection: Bool = true
    ) {
        precondition(!x.isEmpty && !y.isEmpty, "Mann–Whitney needs two non-empty samples")
        n1 = x.count
        n2 = y.count
        self.alternative = alternative
        let (u, groups) = Self.uStatistic(x, y)
        u1 = u
        let u2 = Double(n1 * n2) - u1
        let hasTies = groups.contains { $0 > 1 }

        // p-values come from the upper tail of the statistic that large values speak for.
        let uTail: Double, factor: Double
        switch alternative {
        case .greater: (uTail, factor) = (u1, 1)
        case .less: (uTail, factor) = (u2, 1)
        case .twoSided: (uTail, factor) = (max(u1, u2), 2)
        }

        var chosen = method
        if chosen == .automatic {
            chosen = (n1 > 8 && n2 > 8) || hasTies ? .asymptotic : .exact
        }
        self.method = chosen
        var p: Double
        if chosen == .exact {
            z = nil
            p = Self.exactSurvival(uTail, n1, n2)
        } else {
            let n = Double(n1 + n2)
            let tieTerm = groups.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
            let sd = (Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
            var numerator = uTail - Double(n1 * n2) / 2
            if continuityCorrection { numerator -= 0.5 }
            let zValue = sd > 0 ? numerator / sd : (numerator > 0 ? .infinity : (numerator < 0 ? -.infinity : 0))
            z = zValue
            p = Normal.survival(zValue)
        }
        pValue = min(1, max(0, p * factor))
    }

    /// U of the first sample, R1 − n1(n1 + 1)/2 with average ranks (SciPy's
    /// `mannwhitneyu(x, y).statistic`): the number of pairs (x_i, y_j) with x_i > y_j, ties
    /// counting 1/2. Ranks are integers or halves, so U is exact in floating point for
    /// any sample a run could produce. Also returns the sizes of the tie groups.
    static func uStatistic(_ x: [Double], _ y: [Double]) -> (u1: Double, tieGroupSizes: [Int]) {
        let (ranks, groups) = Descriptive.averageRanks(x + y)
        let rankSum = ranks[0..<x.count].reduce(0, +)
        return (rankSum - Double(x.count * (x.count + 1)) / 2, groups)
    }

    /// P(U >= u) under the null hypothesis (all (n1 + n2)!/(n1! n2!) rank assignments
    /// equally likely, no ties).
    ///
    /// The distribution is built by the recurrence on the largest observation: it
    /// belongs to the first sample with probability i/(i + j), adding j to U, or to the
    /// second with probability j/(i + j):
    /// P_{i,j}(u) = i/(i+j) P_{i−1,j}(u − j) + j/(i+j) P_{i,j−1}(u).
    /// Probabilities rather than counts, so large samples do not overflow.
    static func exactSurvival(_ u: Double, _ n1: Int, _ n2: Int) -> Double {
        // column[i] = distribution of U for sizes (i, j) at the current j.
        var column: [[Double]] = (0...n1).map { _ in [1.0] }  // j = 0: U = 0 surely
        if n2 > 0 {
            for j in 1...n2 {
                var next: [[Double]] = [[1.0]]  // i = 0: U = 0 surely
                next.reserveCapacity(n1 + 1)
                if n1 > 0 {
                    for i in 1...n1 {
                        let total = Double(i + j)
                        let size = i * j + 1
                        var p = [Double](repeating: 0, count: size)
                        let fromFirst = next[i - 1]    // sizes (i-1, j)
                        let fromSecond = column[i]     // sizes (i, j-1)
                        let wFirst = Double(i) / total, wSecond = Double(j) / total
                        for (k, v) in fromFirst.enumerated() where v != 0 { p[k + j] += wFirst * v }
                        for (k, v) in fromSecond.enumerated() where v != 0 { p[k] += wSecond * v }
                        next.append(p)
                    }
                }
                column = next
            }
        }
        let distribution = column[n1]
        let start = Int(u.rounded(.up))
        guard start < distribution.count else { return 0 }
        return distribution[max(0, start)...].reduce(0, +)
    }
}
