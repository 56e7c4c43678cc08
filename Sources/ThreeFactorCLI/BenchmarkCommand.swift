import ArgumentParser
import Foundation
import Replication
import ThreeFactor

/// `threefactor benchmark`: every rule of the catalog on every task of
/// `data/benchmark/benchmark.toml`, tuned with equal budgets, evaluated on disjoint seeds,
/// reported with rliable's statistics. Resumable: rerun the same command after an
/// interruption.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Run the cross-paper benchmark (data/benchmark/benchmark.toml) into runs/benchmark/<profile>/.",
        discussion: """
            Every registered rule takes part on every task whose kind and action space it can \
            handle; the others are listed as not applicable with the reason. Exit status: 0 when \
            every check passes, 1 when a check fails, 2 on bad input, 130 when interrupted.
            """
    )

    @Option(help: "Profile: full or quick (CI).") var profile: String = "full"
    @Option(help: "Directory holding papers/ and data/ (default: current directory).") var root: String = "."
    @Option(help: "Benchmark file (default: <root>/data/benchmark/benchmark.toml).") var spec: String?
    @Option(help: "Output directory (default: runs/benchmark/<profile>).") var out: String?
    @Option(help: "Worker threads (default: all cores). Results do not depend on it.") var jobs: Int?
    @OptionGroup(title: "On a Slurm cluster (--dry-run without --slurm prints the plan: cells, configurations, what does not apply)")
    var cluster: SlurmOptions

    func run() throws {
        if let jobs, jobs < 1 { throw UsageError("--jobs: expected a positive integer, got \(jobs)") }
        let file = spec ?? "\(root)/data/benchmark/benchmark.toml"
        guard FileManager.default.fileExists(atPath: file) else { throw UsageError("--spec: no file \(file)") }
        let loaded = try BenchmarkSpec.load(file)
        guard loaded.profiles[profile] != nil else {
            throw UsageError("--profile: '\(profile)' is not a profile of \(file); valid: \(loaded.profiles.keys.sorted().joined(separator: ", "))")
        }
        let plan = try BenchmarkPlan(spec: loaded, profile: profile, root: root)
        let directory = out ?? "runs/benchmark/\(profile)"
        let run = BenchmarkRun(plan: plan, directory: directory)
        if cluster.dryRun {
            for cell in plan.cells {
                switch cell.status {
                case .notApplicable(let reason): print("\(cell.task.id)  \(cell.rule)  not applicable: \(reason)")
                case .applicable(let c):
                    print("\(cell.task.id)  \(cell.rule)  \(c.configurations.count) configuration(s), pinned from \(c.pinnedSource)")
                }
            }
            if !cluster.slurm { return }
        }
        if try runOnCluster(run, file: file, directory: directory) { return }
        Interrupt.installHandlers()
        let selections: [BenchmarkRun.Selection]
        do {
            selections = try run.run(runner: Runner(jobs: jobs, progress: ConsoleProgress()))
        } catch BenchmarkError.interrupted {
            print("interrupted: rerun the same command to resume")
            throw ExitCode(130)
        }
        let results = try BenchmarkResults(run: run, selections: selections)
        let url = try BenchmarkReport.write(results, to: directory)
        let outcomes = results.checkOutcomes()
        for o in outcomes { print("\(o.verdict.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(o.check.id): \(o.detail)") }
        print("report: \(url.path)")
        if outcomes.contains(where: { $0.verdict != .pass }) { throw ExitCode(1) }
    }

    /// The benchmark on Slurm: two phases, tuning then evaluation. An evaluation task reads
    /// the winners from the merged tuning logs; at submission they are not known yet, but
    /// the evaluation's shards (paths and seeds) do not depend on them. Returns true when the
    /// command is done; false after the evaluation's merge, which goes on to the report.
    func runOnCluster(_ run: BenchmarkRun, file: String, directory: String) throws -> Bool {
        let job = ClusterJob(
            options: cluster, defaultName: "threefactor-benchmark", outputDirectory: directory, directory: "\(directory)/slurm",
            arguments: ["benchmark", "--profile", profile, "--root", root, "--spec", file, "--out", directory])
        let tuning = run.plan.cells.flatMap(run.tuningRequests)
        func evaluation() throws -> [RunRequest] {
            try run.plan.cells.compactMap(run.select).compactMap { run.evaluationRequest($0.cell, configuration: $0.winner) }
        }
        switch try cluster.mode {
        case .local:
            return false
        case .submit:
            let pending = run.plan.cells.compactMap { run.evaluationRequest($0, configuration: 0) }
            _ = try Runner().validate(tuning + pending)
            try job.submit([.init(name: "tuning", plan: job.plan(tuning)), .init(name: "evaluation", plan: job.plan(pending))])
            return true
        case .task("tuning", let index):
            try job.runTask(job.plan(tuning), phase: "tuning", index: index, jobs: jobs)
            return true
        case .task("evaluation", let index):
            try job.runTask(job.plan(evaluation()), phase: "evaluation", index: index, jobs: jobs)
            return true
        case .merge("tuning"):
            try job.merge(job.plan(tuning), phase: "tuning")
            return true
        case .merge("evaluation"):
            try job.merge(job.plan(evaluation()), phase: "evaluation")
            return false
        case .task(let phase, _), .merge(let phase):
            throw UsageError("--slurm: no phase '\(phase)' (the benchmark has: tuning, evaluation)")
        }
    }
}
