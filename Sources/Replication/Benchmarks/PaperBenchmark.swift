import Foundation
import ThreeFactor

/// One learning row of `make bench`, declared as data in a paper's `experiments.toml`:
///
/// ```toml
/// [[bench]]
/// experiment = "cartpole-map-prop"   # an experiment of this file, timed with its pinned settings
/// steps = 100_000                    # environment (or control) steps timed
///   [bench.official]                 # optional: the official implementation's speed
///   steps_per_second = 170
///   label = "official NumPy map_prop, CartPole"   # printed beside the ratio
///   source = "what was measured, how and where"   # provenance
/// ```
public struct BenchmarkRow: Sendable, Equatable {
    /// The id of the experiment timed, with the settings the file pins for it.
    public var experiment: String
    /// Environment (or control) steps timed.
    public var steps: Int
    /// The official implementation's speed, when it was measured.
    public var official: OfficialSpeed?

    /// A row from its parts.
    public init(experiment: String, steps: Int, official: OfficialSpeed? = nil) {
        (self.experiment, self.steps, self.official) = (experiment, steps, official)
    }
}

/// The official implementation's speed on a benchmark row's configuration, with its provenance.
public struct OfficialSpeed: Sendable, Equatable {
    /// Environment steps per second on one core.
    public var stepsPerSecond: Double
    /// Short name printed beside the ratio, e.g. "official NumPy map_prop, CartPole".
    public var label: String
    /// What was measured, how and where.
    public var source: String

    /// A speed from its parts.
    public init(stepsPerSecond: Double, label: String, source: String) {
        (self.stepsPerSecond, self.label, self.source) = (stepsPerSecond, label, source)
    }
}

extension BenchmarkRow {
    /// Reads the `[[bench]]` tables of an experiments file; every row must name one of
    /// `experiments`, once.
    static func parse(_ root: ConfigReader, experiments: [ExperimentSpec]) throws -> [BenchmarkRow] {
        var rows: [BenchmarkRow] = []
        for t in try root.tables("bench") {
            let id = try t.requiredString("experiment")
            guard experiments.contains(where: { $0.id == id }) else {
                throw t.error("experiment", "no experiment \"\(id)\" in this file; valid: \(experiments.map(\.id).joined(separator: ", "))")
            }
            guard !rows.contains(where: { $0.experiment == id }) else {
                throw t.error("experiment", "experiment \"\(id)\" is benchmarked twice")
            }
            let steps = try t.requiredInt("steps")
            guard steps > 0 else { throw t.error("steps", "must be positive, found \(steps)") }
            var official: OfficialSpeed?
            if let o = try t.subtable("official") {
                let rate = try o.requiredNumber("steps_per_second")
                guard rate > 0 else { throw o.error("steps_per_second", "must be positive, found \(rate)") }
                let label = try o.requiredString("label")
                let source = try o.requiredString("source")
                for (k, s) in [("label", label), ("source", source)] where s.isEmpty { throw o.error(k, "must not be empty") }
                try o.rejectUnknownKeys()
                official = OfficialSpeed(stepsPerSecond: rate, label: label, source: source)
            }
            try t.rejectUnknownKeys()
            rows.append(BenchmarkRow(experiment: id, steps: steps, official: official))
        }
        return rows
    }
}

/// The paper modules of a checkout: every directory `papers/<id>/` that holds an
/// `experiments.toml`, found on disk (adding a paper edits no list).
public enum PaperModules {
    /// The ids of the paper modules under `root`, sorted.
    public static func ids(root: String = ".") -> [String] {
        let papers = "\(root)/papers"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: papers)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: "\(papers)/\($0)/experiments.toml") }.sorted()
    }

    /// The path of a paper's experiments file under `root`: `papers/<paper>/experiments.toml`.
    public static func experimentsFile(_ paper: String, root: String = ".") -> String {
        "\(root)/papers/\(paper)/experiments.toml"
    }

    /// The path of a paper's reference file under `root`: `data/reference/<paper>.toml`.
    public static func referenceFile(_ paper: String, root: String = ".") -> String {
        "\(root)/data/reference/\(paper).toml"
    }
}

/// A learning benchmark of `make bench`: one paper's `[[bench]]` row with its experiment.
public struct LearningBenchmark: Sendable {
    /// The paper module's id.
    public var paper: String
    /// The experiment as pinned in the file (the full protocol's settings).
    public var experiment: ExperimentSpec
    /// Environment (or control) steps to time.
    public var steps: Int
    /// The official implementation's speed, when it was measured.
    public var official: OfficialSpeed?

    /// The row's name in the output, e.g. "map-prop on CartPole-v1 (map-prop: cartpole-map-prop)".
    public var name: String { "\(experiment.rule) on \(experiment.env ?? "?") (\(paper): \(experiment.id))" }

    /// Runs the experiment's loop for `steps` steps; returns steps per CPU second.
    public func run(steps: Int) throws -> Double {
        let e = experiment
        if e.kind == EpisodicTrials.kindName, let env = e.env {
            return try AgentBenchmark.run(rule: e.rule, env: env, steps: steps, parameters: e.params,
                                          environmentOptions: e.envOptions).stepsPerCPUSecond
        }
        return try TrialBenchmark.run(e, steps: steps).stepsPerCPUSecond
    }

    /// The rows of one experiments file, in file order.
    public static func rows(of experiments: PaperExperiments) -> [LearningBenchmark] {
        experiments.benchmarks.compactMap { row in
            experiments.experiment(row.experiment).map {
                LearningBenchmark(paper: experiments.paper, experiment: $0, steps: row.steps, official: row.official)
            }
        }
    }

    /// Every paper module's rows: papers in name order, rows in file order.
    public static func all(root: String = ".") throws -> [LearningBenchmark] {
        try PaperModules.ids(root: root).flatMap { rows(of: try PaperExperiments.load(PaperModules.experimentsFile($0, root: root))) }
    }
}
