import Foundation
import ThreeFactor

/// The benchmark's numbers, from the evaluation logs: per cell the normalised scores of the
/// evaluation seeds with their IQM and stratified-bootstrap CI, sample efficiency and
/// compute cost; per rule the aggregates over the tasks it runs; per pair of rules the
/// probability of improvement over the tasks both run (Agarwal et al., NeurIPS 2021).
public struct BenchmarkResults: Sendable {
    /// The evaluation of one applicable cell's winner.
    public struct CellResult: Sendable {
        /// The task id.
        public var task: String
        /// The rule's catalog name.
        public var rule: String
        /// Normalised final score per evaluation seed.
        public var scores: [Double]
        /// IQM of `scores` with its 95 % stratified-bootstrap percentile CI. With few seeds
        /// (10 in the full profile, 3 in the quick one) the interval is wide.
        public var iqm: Bootstrap.Interval
        /// Normalised area under the running-average curve (window = final fraction), per seed.
        public var area: [Double]
        /// Units until the running average of the normalised curve reaches the threshold
        /// (median over seeds), and how many seeds never did.
        /// A seed that never reached it counts as `units + 1`, so the median is an upper
        /// bound when `censored` is half the seeds or more.
        public var unitsToThreshold: Double
        /// Seeds that never reached the threshold (or did not complete).
        public var censored: Int
        /// Mean CPU seconds per run (the run's thread; wall-clock seconds for logs written
        /// before CPU time was recorded). They depend on the machine, not on its load from
        /// other work; compare them within one benchmark run.
        public var secondsPerRun: Double
        /// Environment steps (or samples, for the supervised tasks) per run; independent of
        /// the machine.
        public var stepsPerRun: Double
        /// Mean CPU seconds per unit of mean normalised score (nil when the score is <= 0).
        public var secondsPerScore: Double?
        /// Evaluation seeds that diverged (each scored 0, the random policy).
        public var diverged: Int
        /// The evaluation log (for curves).
        public var log: ExperimentLog
        /// The experiment kind the rule ran the task as (it names the headline series).
        public var kind: ExperimentKind
    }

    /// One rule's statistics over the tasks it was evaluated on.
    public struct Aggregate: Sendable {
        /// The rule's catalog name.
        public var rule: String
        /// The tasks the aggregate is over: the rule's own, so two rules' aggregates are
        /// comparable only where these agree.
        public var tasks: [String]
        /// IQM, median, mean and optimality gap, each with its CI.
        public var metrics: [(name: String, interval: Bootstrap.Interval)]
        /// The fraction of runs over all its tasks with normalised score > τ, at every τ
        /// of `BenchmarkResults.taus`.
        public var profile: PerformanceProfile
    }

    /// The probability that rule `x` scores higher than rule `y` on a task both run
    /// (0.5: neither is better).
    public struct Improvement: Sendable {
        /// The rule whose improvement is measured.
        public var x: String
        /// The rule it is compared with.
        public var y: String
        /// The tasks both rules were evaluated on, the only ones the probability uses.
        public var tasks: [String]
        /// P(X > Y) in [0, 1], averaged over `tasks`, with its 95 % bootstrap CI.
        public var probability: Bootstrap.Interval
    }

    /// The plan that was run.
    public var plan: BenchmarkPlan
    /// The tuning evidence: every applicable cell's criterion per configuration and winner.
    public var selections: [BenchmarkRun.Selection]
    /// One result per selection (every applicable cell), in the selections' order.
    public var cells: [CellResult]
    /// One aggregate per rule that has results, in the catalog's order.
    public var aggregates: [Aggregate]
    /// Every ordered pair of rules that share at least one task.
    public var improvements: [Improvement]
    /// Bootstrap resamples behind every interval.
    public var resamples: Int

    /// The τ grid of the performance profiles: 0 to 1.25 in steps of 0.125 (normalised
    /// score; above 1 is better than the reference).
    public static let taus = stride(from: 0.0, through: 1.25, by: 0.125).map { $0 }

    /// Scores the evaluation logs of `run`'s winners and computes every statistic. Each
    /// bootstrap draws from a stream seeded by a label (cell, rule or pair), so the numbers
    /// are the same on every run and do not depend on which other rules take part.
    /// Throws when a log is missing or a seed in it is incomplete (`BenchmarkError`).
    public init(run: BenchmarkRun, selections: [BenchmarkRun.Selection], resamples: Int = 2000) throws {
        let plan = run.plan
        self.plan = plan
        self.selections = selections
        self.resamples = resamples
        func draws(_ label: String) -> Bootstrap.Draws {
            .stream(RandomStream(seed: stableHash(label), stream: 7), resamples: resamples)
        }
        var cells: [CellResult] = []
        for s in selections {
            guard case .applicable(let c) = s.cell.status, let request = run.evaluationRequest(s.cell, configuration: s.winner) else { continue }
            let log = try RunLog.read(request.path)
            let implementation = try Catalog.resolve(kind: c.kind.name, rule: s.cell.rule, task: s.cell.task.id).implementation
            let p = try implementation.parameters.read(c.configurations[s.winner])
            let fraction = plan.spec.finalFraction
            let seeds = log.seeds.sorted { $0.seed < $1.seed }
            let scores = try seeds.map { try BenchmarkScore.final(of: $0, kind: c.kind, task: s.cell.task, fraction: fraction, log: request.path) }
            let window = max(1, Int((Double(s.cell.task.units) * fraction).rounded(.up)))
            var area: [Double] = [], crossings: [Double] = [], censored = 0
            for seed in seeds {
                let curve = BenchmarkScore.normalisedCurve(of: seed, kind: c.kind, task: s.cell.task)
                guard !curve.isEmpty, seed.status == .complete else {
                    area.append(0)
                    crossings.append(Double(s.cell.task.units + 1))
                    censored += 1
                    continue
                }
                area.append(areaUnderCurve(curve, window: window))
                let t = unitsToThreshold(curve, window: window, threshold: plan.spec.threshold)
                crossings.append(Double(t.units))
                if t.censored { censored += 1 }
            }
            let matrix = ScoreMatrix(columns: [scores])
            let iqm = intervalEstimates(matrix, metrics: [.interquartileMean], draws: draws("\(s.cell.task.id)|\(s.cell.rule)"))[0]
            let seconds = Descriptive.mean(seeds.map { $0.cpuSeconds ?? $0.wallSeconds })
            let meanScore = Descriptive.mean(scores)
            cells.append(CellResult(
                task: s.cell.task.id, rule: s.cell.rule, scores: scores, iqm: iqm, area: area,
                unitsToThreshold: Descriptive.median(crossings), censored: censored, secondsPerRun: seconds,
                stepsPerRun: Descriptive.mean(seeds.map { BenchmarkScore.steps(of: $0, parameters: p) }),
                secondsPerScore: meanScore > 0 ? seconds / meanScore : nil,
                diverged: seeds.filter { $0.status == .diverged }.count, log: log, kind: c.kind))
        }
        self.cells = cells

        let rules = Catalog.rules.map(\.name).filter { r in cells.contains { $0.rule == r } }
        func matrix(_ rule: String, tasks: [String]) -> ScoreMatrix {
            ScoreMatrix(columns: tasks.map { t in cells.first { $0.rule == rule && $0.task == t }!.scores })
        }
        aggregates = rules.map { rule in
            let tasks = cells.filter { $0.rule == rule }.map(\.task)
            let m = matrix(rule, tasks: tasks)
            let metrics = AggregateMetric.standard
            let intervals = intervalEstimates(m, metrics: metrics, draws: draws("aggregate|\(rule)"))
            return Aggregate(
                rule: rule, tasks: tasks, metrics: zip(metrics, intervals).map { ($0.name, $1) },
                profile: performanceProfile(m, taus: Self.taus, draws: draws("profile|\(rule)")))
        }
        var improvements: [Improvement] = []
        for x in rules {
            for y in rules where y != x {
                let shared = cells.filter { $0.rule == x }.map(\.task).filter { t in cells.contains { $0.rule == y && $0.task == t } }
                guard !shared.isEmpty else { continue }
                improvements.append(Improvement(
                    x: x, y: y, tasks: shared,
                    probability: probabilityOfImprovement(matrix(x, tasks: shared), over: matrix(y, tasks: shared), draws: draws("poi|\(x)|\(y)"))))
            }
        }
        self.improvements = improvements
    }

    /// The result of one cell, nil when it did not apply.
    public func cell(rule: String, task: String) -> CellResult? { cells.first { $0.rule == rule && $0.task == task } }

    /// The outcome of each declared check.
    public func checkOutcomes() -> [(check: BenchmarkSpec.Check, verdict: Verdict, detail: String)] {
        plan.spec.checks.compactMap { check in
            guard plan.cells.contains(where: { $0.task.id == check.task }) else { return nil }
            guard let c = cell(rule: check.rule, task: check.task) else {
                return (check, .missing, "no evaluation of \(check.rule) on \(check.task)")
            }
            switch check.kind {
            case .beatsRandom:
                let pass = c.iqm.low > 0
                return (check, pass ? .pass : .fail,
                        String(format: "IQM %.3f, 95%% CI [%.3f, %.3f] (normalised; 0 = random)", c.iqm.estimate, c.iqm.low, c.iqm.high))
            }
        }
    }
}
