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
    /// to both profiles (CI's quick run checks the same claims as the full one).
    @Test func everyCheckReadsExistingExperimentsAndLoggedSeries() throws {
        let (experiments, reference) = try Self.load()
        #expect(reference.checks.count >= 4)
        for check in reference.checks {
            #expect(Set(check.profiles) == ["full", "quick"], "\(check.id)")
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

    /// Runs reflex-only and SaR (a) through the runner — SaR as registered, or with its
    /// sign flipped — for 4 seeds of 2,000 control steps (a tiny quick profile), and
    /// verifies them with the reference file's checks on those two experiments.
    static func verify(flipSign: Bool) throws -> VerificationReport {
        let (experiments, reference) = try Self.load()
        let ids = ["reflex-only", "sim-sar-sign"]
        let dir = Scratch.directory("sar-\(flipSign ? "flipped" : "honest")")
        var requests: [RunRequest] = []
        for id in ids {
            var spec = try #require(experiments.experiment(id)).resolved(profile: "quick")
            spec.units = 20
            spec.seeds = [0, 1, 2, 3]
            requests.append(RunRequest(paper: "sar", profile: "quick", experiment: spec, path: "\(dir)/\(id).h5"))
        }
        let factory: Runner.TrialFactory = { spec, seed in
            guard flipSign, spec.rule == "sar-sign" else { return try Runner.registeredTrial(spec, seed) }
            let t = spec.trialSpec(seed: seed)
            let settings = try ClosedLoopSettings(
                environmentOptions: t.envOptions, parameters: t.ruleParameters, usesNetwork: true,
                ruleKeys: ["eta", "relevance"])
            let rule = SignAndRelevance(learningRate: try t.ruleParameters.double("eta"), hiddenSign: .propagatedSign)
            return ClosedLoopTrial(settings: settings, rule: SignFlipped(wrapped: rule), seed: t.seed)
        }
        let outcomes = try Runner(jobs: 2, shouldStop: { false }, makeTrial: factory).run(requests)
        #expect(outcomes.allSatisfy(\.allComplete))
        let logs = try requests.map { try RunLog.read($0.path) }
        let checks = reference.checks.filter { $0.experiments.allSatisfy(ids.contains) }
        return Verifier.run(
            reference: ReferenceFile(paper: "sar", checks: checks), logs: logs, profile: "quick",
            expectedSeeds: Dictionary(uniqueKeysWithValues: requests.map { ($0.experiment.id, $0.experiment.seeds) }))
    }

    @Test func s1PassesForSaRAndFailsWhenItsSignIsFlipped() throws {
        let honest = try Self.verify(flipSign: false)
        #expect(honest.results.count >= 2)
        #expect(honest.exitCode == 0, "\(honest.terminalTable())")

        let flipped = try Self.verify(flipSign: true)
        let failed = Set(flipped.results.filter { $0.verdict == .fail }.map(\.id))
        #expect(failed.contains("s1-sim-sar-sign-learns"), "\(flipped.terminalTable())")
        #expect(failed.contains("s1-sim-sar-sign-integral-below-reflex"), "\(flipped.terminalTable())")
        #expect(flipped.exitCode == 1)
    }
}
