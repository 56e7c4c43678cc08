/// Aggregate performance of one algorithm over runs and tasks: one number per score matrix.
///
/// Goal: rliable's point estimators, formula for formula (Agarwal et al., "Deep
/// reinforcement learning at the edge of the statistical precipice", NeurIPS 2021,
/// section 4.3; google-research/rliable, `rliable/metrics.py`):
/// - `.interquartileMean` mirrors `aggregate_iqm`: `scipy.stats.trim_mean(scores, 0.25,
///   axis=None)`, the mean of the middle half of all runs × tasks scores pooled, after
///   cutting ⌊0.25 · N⌋ values from each end of the sorted scores;
/// - `.mean` mirrors `aggregate_mean`: the mean over tasks of each task's mean score;
/// - `.median` mirrors `aggregate_median`: the median over tasks of each task's mean score
///   (not the median of all runs);
/// - `.optimalityGap(gamma:)` mirrors `aggregate_optimality_gap`: γ − mean(min(score, γ)),
///   i.e. the mean of max(γ − score, 0), how far the runs fall short of the target γ
///   (rliable's default and the paper's γ = 1: the normalisation's "solved" anchor).
///   Lower is better, unlike the others.
///
/// Numerical hazards: none beyond summation. Sums are sequential (NumPy sums pairwise),
/// which differs in the last bits only, so agreement with rliable is to ~1e-15 of the
/// scores' magnitude, not of the result: a mean or gap near zero from scores of size one
/// agrees in absolute, not relative, terms. The optimality gap is computed as rliable
/// computes it (γ minus a mean), so its rounding matches rliable's rather than that of the
/// mathematically equal mean of the shortfalls.
public enum AggregateMetric: Sendable, Hashable {
    /// The mean of the middle half of all scores pooled (rliable's `aggregate_iqm`).
    case interquartileMean
    /// The mean over tasks of each task's mean score (`aggregate_mean`).
    case mean
    /// The median over tasks of each task's mean score (`aggregate_median`).
    case median
    /// γ − mean(min(score, γ)) over all scores (`aggregate_optimality_gap`); lower is better.
    case optimalityGap(gamma: Double)

    /// rliable's usual set and order (its README's `aggregate_func`): median, IQM, mean,
    /// optimality gap with γ = 1.
    public static let standard: [AggregateMetric] = [.median, .interquartileMean, .mean, .optimalityGap(gamma: 1)]

    /// Short name for a report ("IQM", "Optimality gap", …).
    public var name: String {
        switch self {
        case .interquartileMean: "IQM"
        case .mean: "Mean"
        case .median: "Median"
        case .optimalityGap(let gamma): gamma == 1 ? "Optimality gap" : "Optimality gap (γ = \(gamma))"
        }
    }

    /// Whether a larger value is better (false only for the optimality gap).
    public var higherIsBetter: Bool {
        if case .optimalityGap = self { return false }
        return true
    }

    /// The metric of a score matrix.
    public func callAsFunction(_ scores: ScoreMatrix) -> Double {
        switch self {
        case .interquartileMean:
            return Descriptive.interquartileMean(scores.allScores)
        case .mean:
            return Descriptive.mean(scores.taskMeans)
        case .median:
            // NumPy's median: the middle value, or the mean (a + b) / 2 of the two middle
            // values (not a + (b − a) / 2, which rounds differently).
            let m = scores.taskMeans.sorted()
            let half = m.count / 2
            return m.count % 2 == 1 ? m[half] : (m[half - 1] + m[half]) / 2
        case .optimalityGap(let gamma):
            let clipped = scores.allScores.map { min($0, gamma) }
            return gamma - Descriptive.mean(clipped)
        }
    }
}
