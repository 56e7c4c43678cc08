/// Compute cost of an algorithm: per run, and per unit of normalised score.
///
/// Goal: the benchmark's cost columns (CPU-seconds or environment steps). A cost matrix
/// has the layout of the score matrix (`ScoreMatrix`, runs × tasks, the same runs in the
/// same positions), holding each run's cost instead of its score. Not part of rliable
/// (Agarwal et al., NeurIPS 2021, report scores only); the intervals reuse its stratified
/// bootstrap (google-research/rliable, `rliable/library.py`, `StratifiedBootstrap`) with
/// the runs *paired*: a resampled run brings its cost and its score together.
///
/// - cost per run: the mean over tasks of each task's mean cost (rliable's
///   `aggregate_mean` applied to costs, so every task weighs the same);
/// - cost per unit of normalised score: cost per run divided by the aggregate score (by
///   default the same mean of task means), a ratio of means — not the mean of per-run
///   ratios, which a run near score 0 would blow up.
///
/// Numerical hazards: the ratio is undefined when the aggregate score is ≤ 0 (the
/// algorithm is no better than the normalisation's zero anchor): the point estimate is
/// then nil, and resamples where it happens are counted in `undefinedResamples`, not
/// used. A ratio whose interval has many undefined resamples means "no reliable cost per
/// score" and must be reported so.
public enum ComputeCost {
    /// Mean cost per run (mean over tasks of the task means).
    public static func perRun(_ costs: ScoreMatrix) -> Double {
        AggregateMetric.mean(costs)
    }

    /// Cost per run divided by the aggregate normalised score; nil if that score is ≤ 0.
    public static func perUnitScore(
        costs: ScoreMatrix, scores: ScoreMatrix, metric: AggregateMetric = .mean
    ) -> Double? {
        let v = ratio(costs, scores, metric)
        return v.isFinite ? v : nil
    }

    /// Cost per unit of score with its paired stratified-bootstrap percentile interval
    /// (`draws` as for `intervalEstimates`: `indices[resample][task][k]`, applied to
    /// costs and scores alike). The estimate is NaN when the ratio is undefined on the
    /// original data.
    public static func perUnitScore(
        costs: ScoreMatrix, scores: ScoreMatrix, metric: AggregateMetric = .mean,
        level: Double = 0.95, draws: Bootstrap.Draws
    ) -> Bootstrap.Interval {
        precondition(costs.runCount == scores.runCount && costs.taskCount == scores.taskCount, "costs and scores need the same runs × tasks")
        return Bootstrap.percentileIntervals(
            strataSizes: Array(repeating: scores.runCount, count: scores.taskCount),
            level: level, draws: draws
        ) { indices in [ratio(costs.resampled(indices), scores.resampled(indices), metric)] }[0]
    }

    static func ratio(_ costs: ScoreMatrix, _ scores: ScoreMatrix, _ metric: AggregateMetric) -> Double {
        precondition(costs.runCount == scores.runCount && costs.taskCount == scores.taskCount, "costs and scores need the same runs × tasks")
        let score = metric(scores)
        return score > 0 ? perRun(costs) / score : .nan
    }
}
