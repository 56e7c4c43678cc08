/// The probability of improvement P(X > Y) of one algorithm over another.
///
/// Goal: rliable's `probability_of_improvement` (google-research/rliable,
/// `rliable/metrics.py`; Agarwal et al., "Deep reinforcement learning at the edge of the
/// statistical precipice", NeurIPS 2021, section 4.3): on each task the probability that
/// a run of X scores higher than a run of Y, estimated by the Mann–Whitney
/// U statistic over all pairs, U / (n m) (ties count 1/2), then averaged over tasks. It
/// says how likely X beats Y on a task, not by how much. The interval is rliable's
/// `get_interval_estimates` with a list of two score matrices, i.e.
/// `StratifiedIndependentBootstrap`: X's runs and Y's runs are resampled independently,
/// each within every task.
///
/// X and Y need the same tasks (same order) but may have different run counts. rliable
/// sets a task's value to exactly 1/2 when both columns are equal arrays; U / (n m) is
/// exactly 1/2 then too (U₁ = U₂ = n m / 2, computed exactly from half-integer ranks),
/// so no special case is needed.
///
/// Supplied draws are `indices[resample][stratum][k]` with X's tasks as strata
/// 0..<T and Y's as T..<2T — rliable's per-array index arrays, transposed and
/// concatenated. Numerical hazards: none; U is exact, the only rounding is the division
/// and the mean over tasks.
public func probabilityOfImprovement(_ x: ScoreMatrix, over y: ScoreMatrix) -> Double {
    precondition(x.taskCount == y.taskCount, "probability of improvement needs the same tasks for both algorithms")
    let perTask = (0..<x.taskCount).map { t in
        MannWhitneyTest.uStatistic(x.columns[t], y.columns[t]).u1 / Double(x.runCount * y.runCount)
    }
    return Descriptive.mean(perTask)
}

/// P(X > Y) with its stratified-bootstrap percentile interval.
public func probabilityOfImprovement(
    _ x: ScoreMatrix, over y: ScoreMatrix, level: Double = 0.95, draws: Bootstrap.Draws
) -> Bootstrap.Interval {
    precondition(x.taskCount == y.taskCount, "probability of improvement needs the same tasks for both algorithms")
    let tasks = x.taskCount
    let sizes = Array(repeating: x.runCount, count: tasks) + Array(repeating: y.runCount, count: tasks)
    return Bootstrap.percentileIntervals(strataSizes: sizes, level: level, draws: draws) { indices in
        [probabilityOfImprovement(
            x.resampled(Array(indices[0..<tasks])), over: y.resampled(Array(indices[tasks...])))]
    }[0]
}
