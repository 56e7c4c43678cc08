import Foundation
import Testing
import ThreeFactor
@testable import Replication

/// The SaR rule with the sign of its error flipped: it sees `-E`, so every propagated
/// sign `s_j` is reversed (LTP where SaR does LTD and vice versa) while the relevance
/// `|E|` is unchanged. It exists only here, to sabotage a run through the runner's
/// `makeTrial` injection; the production rule has no such switch.
struct SignFlipped<Wrapped: ClosedLoopRule>: ClosedLoopRule {
    var wrapped: Wrapped
    var usesNetwork: Bool { wrapped.usesNetwork }
    mutating func learn(_ network: inout ClosedLoopNetwork, error: Double) {
        wrapped.learn(&network, error: -error)
    }
}

/// `data/reference/sar.toml` against `papers/sar/experiments.toml`, and the S1 checks
/// run on real (tiny) closed-loop runs: they pass for SaR and FAIL when SaR's sign is
/// flipped — the replication's verdict depends on the rule being right.
@Suite struct SaRReplicationTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func load() throws -> (PaperExperiments, ReferenceFile) {
        let experiments = try PaperExperiments.load(root.appendingPathComponent("papers/sar/experiments.toml").path)
        let reference = try ReferenceFile.load(path: root.appendingPathComponent("data/reference/sar.toml").path)
        return (experiments, reference)
    }

    /// Every check reads experiments that exist and series their trials log, and applies
    /// to the full, quick and ci profiles (CI's runs check the same claims as the full one).
    @Test func everyCheckReadsExistingExperimentsAndLoggedSeries() throws {
        let (experiments, reference) = try Self.load()
        #expect(reference.checks.count >= 4)
        for check in reference.checks {
            #expect(Set(check.profiles) == ["full", "quick", "ci"], "\(check.id)")
            #expect(check.provenance == .claimInAbstract || check.provenance == .calibratedRegression, "\(check.id)")
            for id in check.experiments {
                let spec = try #require(experiments.experiment(id), "\(check.id): no experiment \(id)")
                let trial = try Runner.registeredTrial(spec.resolved(profile: "quick"), 0)
                for series in check.metric.seriesNames {
                    #expect(trial.seriesNames.contains(series), "\(check.id): \(id) does not log \(series)")
                }
            }
        }
    }

    /// The reflex-only and SaR (a) experiments of the quick profile, cut to 4 seeds of
    /// 1,000 control steps (SaR passes the robot's test after about 850 steps).
    static func tinyRequests(directory: String) throws -> [RunRequest] {
        let (experiments, _) = try Self.load()
        return try ["reflex-only", "sim-sar-sign"].map { id in
            var spec = try #require(experiments.experiment(id)).resolved(profile: "quick")
            spec.units = 10
            spec.seeds = [0, 1, 2, 3]
            return RunRequest(paper: "sar", profile: "quick", experiment: spec, path: "\(directory)/\(id).h5")
        }
    }

    /// Builds SaR (a) with its sign flipped (`SignFlipped`), everything else as registered.
    static let flippedFactory: Runner.TrialFactory = { spec, seed in
        guard spec.rule == "sar-sign" else { return try Runner.registeredTrial(spec, seed) }
        let t = spec.trialSpec(seed: seed)
        let p = try Catalog.rule("sar-sign")!.implementation(for: "closed-loop")!.parameters.read(t.ruleParameters)
        let settings = try ClosedLoopSettings(environmentOptions: t.envOptions, p, usesNetwork: true)
        let rule = SignAndRelevance(learningRate: try p.double("eta"), hiddenSign: .propagatedSign)
        return ClosedLoopTrial(settings: settings, rule: SignFlipped(wrapped: rule), seed: t.seed)
    }

    /// The reference file's checks on reflex-only and SaR (a), on the given logs.
    static func verify(_ logs: [ExperimentLog], requests: [RunRequest]) throws -> VerificationReport {
        let (_, reference) = try Self.load()
        let ids = requests.map(\.experiment.id)
        let checks = reference.checks.filter { $0.experiments.allSatisfy(ids.contains) }
        return Verifier.run(
            reference: ReferenceFile(paper: "sar", checks: checks), logs: logs, profile: "quick",
            expectedSeeds: Dictionary(uniqueKeysWithValues: requests.map { ($0.experiment.id, $0.experiment.seeds) }))
    }

    /// Runs reflex-only and SaR (a) through the runner and verifies them: every check
    /// passes. Then SaR (a) again with its sign flipped, injected through the runner's
    /// `makeTrial`: the S1 checks FAIL (the same reflex-only log is the baseline).
    @Test func s1PassesForSaRAndFailsWhenItsSignIsFlipped() throws {
        let honestDirectory = Scratch.directory("sar-honest")
        let requests = try Self.tinyRequests(directory: honestDirectory)
        let outcomes = try Runner(jobs: 2, shouldStop: { false }).run(requests)
        #expect(outcomes.allSatisfy { $0.allComplete })
        let reflex = try RunLog.read(requests[0].path)
        let honest = try Self.verify([reflex, try RunLog.read(requests[1].path)], requests: requests)
        #expect(honest.results.count >= 2)
        #expect(honest.exitCode == 0, "\(honest.terminalTable())")

        let flippedRequest = try Self.tinyRequests(directory: Scratch.directory("sar-flipped"))[1]
        let flippedOutcome = try Runner(jobs: 2, shouldStop: { false }, makeTrial: Self.flippedFactory).run([flippedRequest])
        #expect(flippedOutcome.allSatisfy { $0.allComplete })
        let flipped = try Self.verify([reflex, try RunLog.read(flippedRequest.path)], requests: requests)
        let failed = Set(flipped.results.filter { $0.verdict == .fail }.map(\.id))
        #expect(failed.contains("s1-sim-sar-sign-learns"), "\(flipped.terminalTable())")
        #expect(failed.contains("s1-sim-sar-sign-integral-below-reflex"), "\(flipped.terminalTable())")
        #expect(flipped.exitCode == 1)
    }

    /// The steps-to-success figure counts the seeds that passed each test and draws only
    /// them; figure titles shorten the experiment file's titles.
    @Test func stepsToSuccessFigureCountsThePassingSeeds() {
        func seed(_ k: Int, robot: Double, simulator: Double) -> SeedLog {
            SeedLog(seed: k, status: .complete, series: [
                "steps_to_success_robot_test": [-1, robot], "steps_to_success": [-1, simulator],
            ])
        }
        let log = ExperimentLog(
            paper: "sar", experiment: "x", profile: "quick", label: "SaR", figure: "f", expectedUnits: 2,
            seeds: [seed(0, robot: 805, simulator: -1), seed(1, robot: -1, simulator: -1), seed(2, robot: 900, simulator: 4000)])
        #expect(SaRFigures.successSeries(log) == ("steps_to_success_robot_test", "steps_to_success"))
        let figure = SaRFigures.stepsToSuccess(figure: "f", title: "Set (detail), eta 0.1: what", logs: [log])
        #expect(figure.name == "sar-steps-to-success-f")
        let series = SaRFigures.stepsToSuccessSeries([log])
        #expect(series.map(\.label) == ["SaR — passed: robot's 2/3, simulator's 1/3"])
        #expect(series[0].points.map(\.category) == [SaRFigures.robotCategory, SaRFigures.simulatorCategory])
        #expect(series[0].points.map(\.n) == [2, 1])
        #expect(series[0].points[0].value == 852.5 && series[0].points[1].value == 4000)
        #expect(SaRFigures.setName("Simulator network (10 hidden layers x 10, 2 outputs), eta 0.1: mean |E| per block")
            == "Simulator network, eta 0.1")
    }
}
