import Foundation
import Testing
@testable import Replication
import ThreeFactor

/// Backprop with the policy's eligibilities negated: every update descends the log-probability
/// of the actions that earned a positive TD error — a rule that learns to fail.
struct AntiBackprop: ParameterFreeTeamNetworkRule {
    static var stochasticHiddenUnits: Bool { false }
    static var assignsCreditAfterLearning: Bool { false }

    func assignCredit(_ network: inout TeamNetwork, objective: TeamObjective) {
        network.backpropagate(objective == .value ? .outputMean : .logProbabilityOfOutput)
        guard objective == .policy else { return }
        for l in 0..<network.layerCount {
            for r in 0..<network.batchSize {
                for (k, e) in network.activity(.eligibility, layer: l, row: r).enumerated() {
                    network.setEligibility(layer: l, row: r, unit: k, -e)
                }
            }
        }
    }

    static let registered: Bool = {
        try? Catalog.register(descriptor(
            name: "sabotaged-backprop", summary: "backprop descending the policy's objective (a test's sabotage)",
            citation: "none: a test rule", equations: "Tests/ReplicationTests/RuleBenchmarkTests.swift"))
        return true
    }()
}

@Suite(.serialized) struct RuleBenchmarkTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var specFile: String { "\(root)/data/benchmark/benchmark.toml" }

    @Test func theBenchmarkFileLoadsWithEveryAnchorSourced() throws {
        let spec = try BenchmarkSpec.load(Self.specFile)
        #expect(spec.tasks.count == 11)
        for t in spec.tasks {
            #expect(!t.randomProvenance.isEmpty && !t.referenceProvenance.isEmpty, "\(t.id)")
            #expect(!t.randomProvenance.contains("PENDING"), "\(t.id)")
        }
        for profile in spec.profiles.keys {
            let s = spec.settings(profile: profile)
            #expect(Set(s.tuningSeeds).isDisjoint(with: s.evaluationSeeds))
        }
    }

    /// Every (task, rule) pair of the catalog is a cell; the inapplicable ones say why.
    @Test func everyPairIsACellAndTheInapplicableOnesSayWhy() throws {
        let plan = try BenchmarkPlan(spec: BenchmarkSpec.load(Self.specFile), profile: "full", root: Self.root)
        let rules = Catalog.rules.count
        #expect(plan.cells.count == 11 * rules)
        let nrlOnMultiplexer = try #require(plan.cells.first { $0.rule == "nrl" && $0.task.id == "Multiplexer" })
        guard case .notApplicable(let reason) = nrlOnMultiplexer.status else {
            Issue.record("nrl on the Multiplexer should not apply")
            return
        }
        #expect(reason.contains("supervised"))
        let mapProp = try #require(plan.cells.first { $0.rule == "map-prop" && $0.task.id == "CartPole-v1" })
        guard case .applicable(let c) = mapProp.status else {
            Issue.record("map-prop on CartPole should apply")
            return
        }
        #expect(c.configurations.count == 8 && c.pinnedSource == "map-prop:cartpole-map-prop")
        // Draws differ from the pinned setting in the searched keys only.
        let pinned = c.configurations[0].values, drawn = c.configurations[3].values
        #expect(Set(pinned.keys) == Set(drawn.keys))
        for key in pinned.keys where !["actor_lr_st", "actor_lr_end", "critic_lr_st", "critic_lr_end"].contains(key) {
            #expect(pinned[key] == drawn[key], "\(key)")
        }
        #expect(pinned["actor_lr_st"] != drawn["actor_lr_st"])
    }

    /// Same rule, task, settings and seed: the benchmark's pinned configuration logs exactly
    /// what the paper module's experiment logs.
    @Test func thePinnedConfigurationIsThePaperExperiment() throws {
        let plan = try BenchmarkPlan(spec: BenchmarkSpec.load(Self.specFile), profile: "full", root: Self.root)
        let run = BenchmarkRun(plan: plan, directory: Scratch.directory())
        for (rule, paper, experiment) in [("map-prop", "map-prop", "cartpole-map-prop"), ("nrl", "nrl", "cartpole-nrl")] {
            let cell = try #require(plan.cells.first { $0.rule == rule && $0.task.id == "CartPole-v1" })
            var fromBenchmark = try #require(run.tuningRequests(cell).first).experiment
            var fromPaper = try #require(PaperExperiments.load("\(Self.root)/papers/\(paper)/experiments.toml").experiment(experiment))
            fromBenchmark.units = 4
            fromPaper.units = 4
            var a = try Runner.registeredTrial(fromBenchmark, 1000), b = try Runner.registeredTrial(fromPaper, 1000)
            var ra = [Double](repeating: 0, count: a.seriesNames.count), rb = ra
            for _ in 0..<4 {
                a.runUnit(record: &ra)
                b.runUnit(record: &rb)
                #expect(ra.map(\.bitPattern) == rb.map(\.bitPattern), "\(rule)")
            }
        }
    }

    @Test func badBenchmarkFilesNameTheKey() throws {
        let good = try String(contentsOfFile: Self.specFile, encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("tuning_seeds = \"1000..1002\"", "tuning_seeds = \"0..2\"", "tuning_seeds"),
            ("id = \"Acrobot-v1\"", "id = \"Acrobot-v9\"", "tasks[1].id"),
            ("name = \"gdm\"", "name = \"gdn\"", "rules[8].name"),
            ("reference_score = -110.0", "reference_score = -200.0", "tasks[2].reference_score"),
            ("final_fraction = 0.1", "final_fraction = 1.5", "final_fraction"),
        ]
        for (old, new, key) in cases {
            let dir = Scratch.directory("badspec")
            let path = "\(dir)/benchmark.toml"
            try good.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try BenchmarkSpec.load(path)
                Issue.record("\(new) was accepted")
            } catch let e as ConfigError {
                #expect(e.key == key && e.file == path, "\(e)")
            }
        }
    }

    /// A rule that learns to fail is ranked last and fails the check a real rule passes;
    /// sample efficiency and cost are reported for every cell.
    @Test func aSabotagedRuleIsRankedLast() throws {
        #expect(AntiBackprop.registered)
        let dir = Scratch.directory()
        let text = """
            title = "sabotage"
            tuning_seeds = "1000..1000"
            evaluation_seeds = "0..4"
            configurations = 2
            final_fraction = 0.2
            threshold = 0.2
            [profiles]
            full = "the test"
            [profiles_settings.full]
            rules = ["backprop", "random", "sabotaged-backprop"]
            [[tasks]]
            id = "CartPole-v1"
            units = 80
            random_score = 22.565
            random_provenance = "data/benchmark/benchmark.toml"
            reference_score = 500.0
            reference_provenance = "the maximum return"
            [[rules]]
            name = "backprop"
              [rules.pinned]
              episodic = "map-prop:cartpole-backprop-ac"
            [[rules]]
            name = "sabotaged-backprop"
              [rules.pinned]
              episodic = "map-prop:cartpole-backprop-ac"
              [[rules.search]]
              keys = ["actor_lr_st", "actor_lr_end"]
              factor = [0.3, 3.0]
            [[checks]]
            id = "backprop-beats-random"
            kind = "beats_random"
            rule = "backprop"
            task = "CartPole-v1"
            [[checks]]
            id = "sabotage-beats-random"
            kind = "beats_random"
            rule = "sabotaged-backprop"
            task = "CartPole-v1"
            """
        try text.write(toFile: "\(dir)/benchmark.toml", atomically: true, encoding: .utf8)
        let plan = try BenchmarkPlan(spec: BenchmarkSpec.load("\(dir)/benchmark.toml"), profile: "full", root: Self.root)
        #expect(plan.cells.map(\.rule) == ["backprop", "random", "sabotaged-backprop"])
        let run = BenchmarkRun(plan: plan, directory: "\(dir)/runs")
        let selections = try run.run(runner: Runner(jobs: 2))
        let results = try BenchmarkResults(run: run, selections: selections, resamples: 500)
        let iqms = Dictionary(uniqueKeysWithValues: results.cells.map { ($0.rule, $0.iqm.estimate) })
        #expect(iqms["sabotaged-backprop"]! < iqms["random"]! && iqms["random"]! < iqms["backprop"]!, "\(iqms)")
        let verdicts = Dictionary(uniqueKeysWithValues: results.checkOutcomes().map { ($0.check.id, $0.verdict) })
        #expect(verdicts == ["backprop-beats-random": .pass, "sabotage-beats-random": .fail])
        for c in results.cells {
            #expect(c.stepsPerRun > 0 && c.secondsPerRun > 0 && c.area.count == 5, "\(c.rule)")
        }
        let report = try BenchmarkReport.write(results, to: "\(dir)/runs")
        let markdown = try String(contentsOf: report, encoding: .utf8)
        #expect(markdown.contains("| FAIL | sabotage-beats-random |"))
        for figure in ["aggregate-iqm", "performance-profiles", "probability-of-improvement", "curves-CartPole-v1"] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/runs/figures/\(figure).svg"), "\(figure)")
        }
        // A rerun resumes from the logs: nothing runs again, and the numbers are the same.
        let again = try BenchmarkResults(run: run, selections: run.run(runner: Runner(jobs: 1)), resamples: 500)
        #expect(again.cells.map(\.scores) == results.cells.map(\.scores))
    }
}
