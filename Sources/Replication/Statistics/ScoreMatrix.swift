/// The normalised scores of one algorithm: one value per (run, task).
///
/// Goal: the input of rliable's statistics (Agarwal et al., "Deep reinforcement learning at
/// the edge of the statistical precipice", NeurIPS 2021). google-research/rliable passes a
/// NumPy matrix of shape (`num_runs` × `num_tasks`) to every function of
/// `rliable/metrics.py` and `rliable/library.py`; this type is that matrix.
///
/// Decision: **every task has the same number of runs**, as in rliable, whose functions
/// take a rectangular array and whose `StratifiedBootstrap` draws a (runs × tasks) index
/// array. A benchmark evaluates every (rule, task) on the same evaluation seeds, so the
/// matrix is rectangular by construction; a run that diverged still has a score (the
/// benchmark states which) rather than a hole. Two algorithms may have different numbers
/// of runs (`probabilityOfImprovement` allows it, as rliable's does). For one task on its
/// own, `task(_:)` gives a one-column matrix, and every statistic here then is the
/// per-task statistic.
///
/// Storage is by task (`columns[task][run]`): the stratified bootstrap resamples within a
/// task. Scores must be finite: NaN would silently make comparisons false (a NaN run would
/// count as "not above τ" and sort arbitrarily in the IQM), so the initialisers refuse it.
public struct ScoreMatrix: Sendable, Equatable {
    /// `columns[task][run]`.
    public let columns: [[Double]]

    /// From the scores of each task (`columns[task][run]`); every task needs the same,
    /// non-zero number of runs.
    public init(columns: [[Double]]) {
        precondition(!columns.isEmpty, "a score matrix needs at least one task")
        let runs = columns[0].count
        precondition(runs > 0, "a score matrix needs at least one run")
        precondition(columns.allSatisfy { $0.count == runs }, "every task needs the same number of runs (rliable's rectangular score matrix); got \(columns.map(\.count))")
        precondition(columns.allSatisfy { $0.allSatisfy(\.isFinite) }, "scores must be finite")
        self.columns = columns
    }

    /// From rliable's layout, `rows[run][task]`.
    public init(rows: [[Double]]) {
        precondition(!rows.isEmpty, "a score matrix needs at least one run")
        let tasks = rows[0].count
        precondition(rows.allSatisfy { $0.count == tasks }, "every run needs a score for every task")
        self.init(columns: (0..<tasks).map { t in rows.map { $0[t] } })
    }

    /// Runs per task (rliable's `num_runs`), at least 1.
    public var runCount: Int { columns[0].count }
    /// Tasks (rliable's `num_tasks`), at least 1.
    public var taskCount: Int { columns.count }

    /// `scores[run, task]`.
    public subscript(run: Int, task: Int) -> Double { columns[task][run] }

    /// Every score, task by task.
    public var allScores: [Double] { columns.flatMap { $0 } }

    /// The mean score of every task over its runs.
    public var taskMeans: [Double] { columns.map(Descriptive.mean) }

    /// One task alone, for per-task statistics.
    public func task(_ index: Int) -> ScoreMatrix { ScoreMatrix(unchecked: [columns[index]]) }

    /// The matrix formed by a resample: column `t` is `columns[t][indices[t][k]]` for
    /// k in 0..<runCount (the stratified bootstrap's index layout).
    func resampled(_ indices: [[Int]]) -> ScoreMatrix {
        ScoreMatrix(unchecked: indices.enumerated().map { t, rows in rows.map { columns[t][$0] } })
    }

    private init(unchecked columns: [[Double]]) { self.columns = columns }
}
