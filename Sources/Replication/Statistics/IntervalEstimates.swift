/// Point estimates of aggregate metrics with stratified-bootstrap confidence intervals.
///
/// Goal: rliable's `get_interval_estimates` (google-research/rliable,
/// `rliable/library.py`) with its defaults — `StratifiedBootstrap` over runs (tasks are
/// not resampled: `task_bootstrap=False`), the percentile method, 95 % coverage — as
/// recommended by Agarwal et al., "Deep reinforcement learning at the edge of the
/// statistical precipice", NeurIPS 2021, section 4.2. Each resample draws, for every task
/// on its own, `runCount` runs with replacement; the metrics are computed on the resampled
/// matrix; the interval is the percentile interval of the resampled values.
///
/// Several metrics are estimated on the same resamples, as rliable's README does with one
/// vector-valued `aggregate_func` (median, IQM, mean, optimality gap).
///
/// rliable's default is 50,000 resamples (2,000 for performance profiles); the interval's
/// Monte-Carlo error shrinks as 1/√resamples, so fewer are fine for a draft and wrong
/// for a report. Hazards are those of `Bootstrap` (non-finite resamples are counted, not
/// used) and of a small run count: with 3 runs per task a task has only 10 distinct
/// resamples, and the interval is coarse whatever the number of resamples.
///
/// Supplied draws (`Bootstrap.Draws.supplied`) are `indices[resample][task][k]`: the run
/// placed at position k of `task` — the transpose of the (runs × tasks) index array that
/// rliable's `StratifiedBootstrap.update_indices` draws.
public func intervalEstimates(
    _ scores: ScoreMatrix, metrics: [AggregateMetric] = AggregateMetric.standard,
    level: Double = 0.95, draws: Bootstrap.Draws
) -> [Bootstrap.Interval] {
    intervalEstimates(scores, level: level, draws: draws) { m in metrics.map { $0(m) } }
}

/// Stratified-bootstrap intervals of any vector-valued statistic of a score matrix (one
/// interval per component); `statistic` must return the same number of values every call.
public func intervalEstimates(
    _ scores: ScoreMatrix, level: Double = 0.95, draws: Bootstrap.Draws,
    statistic: (ScoreMatrix) -> [Double]
) -> [Bootstrap.Interval] {
    Bootstrap.percentileIntervals(
        strataSizes: Array(repeating: scores.runCount, count: scores.taskCount),
        level: level, draws: draws
    ) { indices in statistic(scores.resampled(indices)) }
}
