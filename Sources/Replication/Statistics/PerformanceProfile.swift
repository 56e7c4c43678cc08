/// Performance profiles: the fraction of runs whose score exceeds τ, for a grid of τ.
///
/// Goal: rliable's `create_performance_profile` (google-research/rliable,
/// `rliable/library.py`; Agarwal et al., "Deep reinforcement learning at the edge of the
/// statistical precipice", NeurIPS 2021, section 4.1). With `.runs` (rliable's default
/// `use_score_distribution=True`, function `run_score_deviation`) the profile at τ is
/// the fraction of all runs × tasks scores strictly greater than τ — the "score
/// distribution", an unbiased estimate with little variance. With `.taskMeans`
/// (`mean_score_deviation`) it is the fraction of tasks whose mean score exceeds τ.
/// Each point has a stratified-bootstrap percentile interval (rliable's default: 2,000
/// resamples, 95 %), all points from the same resamples.
///
/// Numerical hazards: the comparison is strict (`score > τ`, as rliable's), so a score
/// exactly on a grid point does not count there; a profile is a step function on a
/// lattice of 1/N, and so are its interval ends.
public struct PerformanceProfile: Sendable, Equatable {
    /// What the profile counts: runs, or tasks' mean scores.
    public enum Kind: String, Sendable {
        /// Fraction of runs (over all tasks) with score > τ (rliable's score distribution).
        case runs
        /// Fraction of tasks whose mean score over runs is > τ.
        case taskMeans
    }

    /// What the profile counts.
    public var kind: Kind
    /// The thresholds τ, in the scores' units, in the order given (not necessarily sorted).
    public var taus: [Double]
    /// One interval per τ: the fraction and its bootstrap interval.
    public var points: [Bootstrap.Interval]

    /// The profile's values without intervals.
    public static func fractions(_ scores: ScoreMatrix, taus: [Double], kind: Kind = .runs) -> [Double] {
        let values = (kind == .runs ? scores.allScores : scores.taskMeans).sorted()
        let n = values.count
        return taus.map { tau in
            // Number of values > τ: n minus the first index whose value is > τ.
            var lo = 0, hi = n
            while lo < hi {
                let mid = (lo + hi) / 2
                if values[mid] > tau { hi = mid } else { lo = mid + 1 }
            }
            return Double(n - lo) / Double(n)
        }
    }
}

/// The performance profile of one algorithm at every τ in `taus`, with stratified-
/// bootstrap intervals (`draws` as for `intervalEstimates`).
public func performanceProfile(
    _ scores: ScoreMatrix, taus: [Double], kind: PerformanceProfile.Kind = .runs,
    level: Double = 0.95, draws: Bootstrap.Draws
) -> PerformanceProfile {
    let points = intervalEstimates(scores, level: level, draws: draws) {
        PerformanceProfile.fractions($0, taus: taus, kind: kind)
    }
    return PerformanceProfile(kind: kind, taus: taus, points: points)
}
