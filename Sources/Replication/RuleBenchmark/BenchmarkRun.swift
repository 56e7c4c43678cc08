import Foundation
import ThreeFactor

/// Runs a benchmark plan: every applicable cell's configurations on the tuning seeds, the
/// winner chosen by the declared criterion, the winner on the evaluation seeds. Every run is
/// an ordinary experiment with its own HDF5 log, so the whole benchmark resumes where it
/// stopped (the winners are recomputed from the tuning logs, deterministically) and runs
/// unchanged wherever `Runner` runs.
///
/// Layout under `directory`: `tuning/<task>/<rule>-c<k>.h5` (k = 0 is the pinned setting)
/// and `evaluation/<task>/<rule>.h5`.
public struct BenchmarkRun {
    /// What to run.
    public let plan: BenchmarkPlan
    /// Where the logs go (`runs/benchmark/<profile>` from the command line).
    public let directory: String

    /// A run of `plan` with its logs under `directory`; nothing runs until `run(runner:)`.
    public init(plan: BenchmarkPlan, directory: String) {
        self.plan = plan
        self.directory = directory
    }

    /// The tuning experiments of a cell, one per configuration.
    public func tuningRequests(_ cell: BenchmarkPlan.Cell) -> [RunRequest] {
        guard case .applicable(let c) = cell.status else { return [] }
        return c.configurations.indices.map { k in
            request(cell, c, params: c.configurations[k], id: "\(cell.rule)-c\(k)", seeds: plan.tuningSeeds,
                    path: "\(directory)/tuning/\(cell.task.id)/\(cell.rule)-c\(k).h5")
        }
    }

    /// The evaluation experiment of a cell with the chosen configuration.
    public func evaluationRequest(_ cell: BenchmarkPlan.Cell, configuration k: Int) -> RunRequest? {
        guard case .applicable(let c) = cell.status else { return nil }
        return request(cell, c, params: c.configurations[k], id: cell.rule, seeds: plan.evaluationSeeds,
                       path: "\(directory)/evaluation/\(cell.task.id)/\(cell.rule).h5")
    }

    func request(
        _ cell: BenchmarkPlan.Cell, _ c: BenchmarkPlan.Candidates, params: Hyperparameters, id: String, seeds: [Int], path: String
    ) -> RunRequest {
        let e = ExperimentSpec(
            id: id, kind: c.kind.name, env: cell.task.id, envOptions: cell.task.envOptions, rule: cell.rule,
            params: params, label: cell.rule, figure: cell.task.id, units: cell.task.units, seeds: seeds)
        return RunRequest(paper: "benchmark", profile: plan.profile, experiment: e, path: path)
    }

    /// Tuning, selection, evaluation. Returns the selections (evidence for the report).
    public func run(runner: Runner) throws -> [Selection] {
        let cells = plan.cells
        try makeDirectories(cells)
        let tuning = cells.flatMap(tuningRequests)
        let outcomes = try runner.run(tuning)
        guard !outcomes.contains(where: { $0.statuses.values.contains(.interrupted) }) else { throw BenchmarkError.interrupted }
        let selections = try cells.compactMap(select)
        let evaluation = selections.compactMap { s in evaluationRequest(s.cell, configuration: s.winner) }
        let evaluated = try runner.run(evaluation)
        guard !evaluated.contains(where: { $0.statuses.values.contains(.interrupted) }) else { throw BenchmarkError.interrupted }
        return selections
    }

    func makeDirectories(_ cells: [BenchmarkPlan.Cell]) throws {
        for task in Set(cells.map(\.task.id)) {
            for phase in ["tuning", "evaluation"] {
                try FileManager.default.createDirectory(atPath: "\(directory)/\(phase)/\(task)", withIntermediateDirectories: true)
            }
        }
    }

    /// What the search found for one cell.
    public struct Selection: Sendable {
        /// The cell (always an applicable one).
        public var cell: BenchmarkPlan.Cell
        /// Criterion per configuration: mean over tuning seeds of the normalised final score.
        public var criterion: [Double]
        /// Index of the chosen configuration in the cell's candidates (0: the pinned setting).
        public var winner: Int
    }

    /// The configuration with the highest criterion (ties to the lower index); nil for a
    /// cell that does not apply.
    public func select(_ cell: BenchmarkPlan.Cell) throws -> Selection? {
        guard case .applicable(let c) = cell.status else { return nil }
        var criterion: [Double] = []
        for request in tuningRequests(cell) {
            let log = try RunLog.read(request.path)
            let scores = try log.seeds.map { try BenchmarkScore.final(of: $0, kind: c.kind, task: cell.task, fraction: plan.spec.finalFraction, log: request.path) }
            criterion.append(Descriptive.mean(scores))
        }
        var winner = 0
        for k in criterion.indices where criterion[k] > criterion[winner] { winner = k }
        return Selection(cell: cell, criterion: criterion, winner: winner)
    }
}

/// Why a benchmark stopped before its report; either way the logs resume.
public enum BenchmarkError: Error, CustomStringConvertible {
    /// A stop was requested (Ctrl-C, SIGTERM) before every run of a phase ended.
    case interrupted
    /// A log to be scored holds a seed that neither completed nor diverged.
    case incompleteRun(log: String, seed: Int)

    /// The message for the command line, saying how to resume.
    public var description: String {
        switch self {
        case .interrupted: "interrupted: run the same command again to resume"
        case .incompleteRun(let log, let seed): "\(log): seed \(seed) is not complete; run the benchmark again to resume it"
        }
    }
}

/// How one run (one seed) is scored.
public enum BenchmarkScore {
    /// The normalised mean of the kind's headline series over the final `fraction` of the
    /// units. A diverged run scores 0, the random policy: it ended with no usable policy.
    public static func final(of seed: SeedLog, kind: ExperimentKind, task: BenchmarkSpec.Task, fraction: Double, log: String) throws -> Double {
        switch seed.status {
        case .diverged: return 0
        case .interrupted: throw BenchmarkError.incompleteRun(log: log, seed: seed.seed)
        case .complete: break
        }
        let series = seed.series[kind.headlineSeries.name] ?? []
        let window = max(1, Int((Double(series.count) * fraction).rounded(.up)))
        return task.normalised(Descriptive.mean(Array(series.suffix(window))))
    }

    /// The normalised headline series of a run, unit by unit (for areas and thresholds).
    public static func normalisedCurve(of seed: SeedLog, kind: ExperimentKind, task: BenchmarkSpec.Task) -> [Double] {
        (seed.series[kind.headlineSeries.name] ?? []).map(task.normalised)
    }

    /// Environment steps of a run: the sum of episode lengths where they are logged, else
    /// units times the unit's steps (`batch_size` samples, `block_steps` control steps).
    public static func steps(of seed: SeedLog, parameters: ParameterValues) -> Double {
        if let lengths = seed.series["episode_length"] { return lengths.reduce(0, +) }
        let perUnit = ["batch_size", "block_steps"].compactMap { key in
            parameters.table.spec(key) != nil ? try? parameters.int(key) : nil
        }.first ?? 1
        return Double(seed.unitsDone * perUnit)
    }
}
