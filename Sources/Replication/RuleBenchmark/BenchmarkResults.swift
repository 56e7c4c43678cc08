import Foundation
import ThreeFactor

/// The benchmark's numbers, from the evaluation logs: per cell the normalised scores of the
/// evaluation seeds with their IQM and stratified-bootstrap CI, sample efficiency and
/// compute cost; per rule the aggregates over the tasks it runs; per pair of rules the
/// probability of improvement over the tasks both run (Agarwal et al., NeurIPS 2021).
public struct BenchmarkResults: Sendable {
    public struct CellResult: Sendable {
        public var task: String
        public var rule: String
        /// Normalised final score per evaluation seed.
        public var scores: [Double]
        public var iqm: Bootstrap.Interval
        /// Normalised area under the running-average curve (window = final fraction), per seed.
        public var area: [Double]
        /// Units until the running average of the normalised curve reaches the threshold
        /// (median over seeds), and how many seeds never did.
        public var unitsToThreshold: Double
        public var censored: Int
        /// Mean wall-clock seconds and environment steps per run.
        public var secondsPerRun: Double
        public var stepsPerRun: Double
        /// Mean seconds per unit of mean normalised score (nil when the score is <= 0).
        public var secondsPerScore: Double?
        public var diverged: Int
        /// The evaluation log (for curves).
        public var log: ExperimentLog
        public var kind: ExperimentKind
    }

    public struct Aggregate: Sendable {
        public var rule: String
        public var tasks: [String]
        /// IQM, median, mean and optimality gap, each with its CI.
        public var metrics: [(name: String, interval: Bootstrap.Interval)]
        public var profile: PerformanceProfile
    }

    public struct Improvement: Sendable {
        public var x: String
        public var y: String
        public var tasks: [String]
        public var probability: Bootstrap.Interval
    }

    public var plan: BenchmarkPlan
    public var selections: [BenchmarkRun.Selection]
    public var cells: [CellResult]
    public var aggregates: [Aggregate]
    public var improvements: [Improvement]
    public var resamples: Int

    public static let taus = stride(from: 0.0, through: 1.25, by: 0.125).map { $0 }

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
            let seconds = Descriptive.mean(seeds.map(\.wallSeconds))
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
