import Foundation
import Testing
import ThreeFactor
@testable import Replication

/// The verifier must be able to FAIL: every comparison is fed synthetic runs that agree
/// with the reference and runs that do not, and incomplete or diverged logs.
@Suite struct VerifierTests {
    static func reference(_ checks: String) throws -> ReferenceFile {
        try ReferenceFile.parse("paper = \"synthetic\"\n" + checks, file: "synthetic.toml")
    }

    /// mean over k = 1...units of (1 − exp(−k/tau)): the fraction of the plateau that a
    /// seed's mean return over all units reaches in the synthetic model.
    static func curveFraction(_ e: SyntheticExperiment) -> Double {
        (1...e.units).reduce(0.0) { $0 + (1 - exp(-Double($1) / e.tau)) } / Double(e.units)
    }

    static func check(_ id: String, experiments: [String], metric: String, comparison: String, profiles: String = "[\"quick\"]") -> String {
        """
        [[checks]]
        id = "\(id)"
        description = "test check \(id)"
        experiments = [\(experiments.map { "\"\($0)\"" }.joined(separator: ", "))]
        profiles = \(profiles)
        provenance = "our own calibrated run — regression only"
        source = "synthetic test"
        [checks.metric]
        \(metric)
        [checks.comparison]
        \(comparison)

        """
    }

    /// A "paper" that reports the mean/sd over 10 runs of the same process our synthetic
    /// runs come from: the check must PASS; runs of a worse process must FAIL.
    @Test func reportedMeanPassesForTheSameProcessAndFailsForAnotherOne() throws {
        let same = SyntheticExperiment(id: "good", plateauMean: 480, plateauSD: 15)
        let c = Self.curveFraction(same)
        let reportedMean = same.start + (same.plateauMean - same.start) * c
        let reportedSD = same.plateauSD * c
        let ref = try Self.reference(Self.check(
            "avg-return", experiments: ["good"], metric: "kind = \"mean\"",
            comparison: "kind = \"reported\"\nmean = \(reportedMean)\nstd = \(reportedSD)\nstd_kind = \"sample\"\nn = 10\nmargin = \(2 * reportedSD)"))

        let pass = Verifier.run(reference: ref, logs: [same.log()], profile: "quick")
        #expect(pass.results[0].verdict == .pass, "\(pass.terminalTable())")
        #expect(pass.exitCode == 0)

        var worse = same
        worse.plateauMean = 330  // about 10 reported sds lower
        let fail = Verifier.run(reference: ref, logs: [worse.log()], profile: "quick")
        #expect(fail.results[0].verdict == .fail, "\(fail.terminalTable())")
        #expect(fail.results[0].statistics.first { $0.name == "Welch p" }!.value < 1e-6)
        #expect(fail.exitCode == 1)
    }

    /// Equal means but a margin too small for the seeds' spread: TOST cannot show
    /// equivalence, so the check fails even though Welch finds no difference.
    @Test func reportedNeedsEquivalenceNotJustNoSignificance() throws {
        var e = SyntheticExperiment(id: "noisy", plateauMean: 480, plateauSD: 60)
        e.seeds = [0, 1, 2]
        let c = Self.curveFraction(e)
        let ref = try Self.reference(Self.check(
            "tight", experiments: ["noisy"], metric: "kind = \"mean\"",
            comparison: "kind = \"reported\"\nmean = \(e.start + (e.plateauMean - e.start) * c)\nstd = \(e.plateauSD * c)\nstd_kind = \"population\"\nn = 3\nmargin = 5"))
        let report = Verifier.run(reference: ref, logs: [e.log()], profile: "quick")
        let r = report.results[0]
        #expect(r.verdict == .fail, "\(report.terminalTable())")
        #expect(r.statistics.first { $0.name == "TOST p" }!.value > 0.05)
    }

    @Test func orderingPassesAndFailsWhenReversed() throws {
        let a = SyntheticExperiment(id: "map-prop", seeds: Array(0..<5), plateauMean: 450, plateauSD: 20)
        let b = SyntheticExperiment(id: "reinforce", seeds: Array(0..<5), plateauMean: 200, plateauSD: 20)
        let metric = "kind = \"final\"\nwindow = 50"
        let ref = try Self.reference(
            Self.check("a-beats-b", experiments: ["map-prop", "reinforce"], metric: metric, comparison: "kind = \"ordering\"\nbetter = \"higher\"\ntest = \"both\"")
            + Self.check("b-beats-a", experiments: ["reinforce", "map-prop"], metric: metric, comparison: "kind = \"ordering\"\nbetter = \"higher\""))
        let report = Verifier.run(reference: ref, logs: [a.log(), b.log()], profile: "quick")
        #expect(report.results[0].verdict == .pass, "\(report.terminalTable())")
        // Complete separation of 5 vs 5 seeds: exact one-sided p = 1/C(10, 5).
        #expect(report.results[0].statistics.first { $0.name == "Mann–Whitney p" }!.value == 1.0 / 252)
        #expect(report.results[1].verdict == .fail)
        #expect(report.exitCode == 1)
    }

    @Test func orderingWithTooFewSeedsSaysItCannotPass() throws {
        let a = SyntheticExperiment(id: "a", seeds: [0, 1], plateauMean: 450, plateauSD: 20)
        let b = SyntheticExperiment(id: "b", seeds: [0, 1], plateauMean: 100, plateauSD: 20)
        let ref = try Self.reference(Self.check("a-b", experiments: ["a", "b"], metric: "kind = \"mean\"", comparison: "kind = \"ordering\"\nbetter = \"higher\""))
        let r = Verifier.run(reference: ref, logs: [a.log(), b.log()], profile: "quick").results[0]
        #expect(r.verdict == .fail)
        #expect(r.notes.contains { $0.contains("cannot pass") })
    }

    @Test func truncatedLogIsMissingAndNamesTheSeed() throws {
        let e = SyntheticExperiment(id: "cartpole", plateauMean: 450, plateauSD: 20)
        let ref = try Self.reference(Self.check("c", experiments: ["cartpole"], metric: "kind = \"mean\"", comparison: "kind = \"band\"\nstatistic = \"iqm\"\nlow = 0"))
        let interrupted = e.log().truncating(seed: 3, to: 120, status: .interrupted)
        let r1 = Verifier.run(reference: ref, logs: [interrupted], profile: "quick")
        #expect(r1.results[0].verdict == .missing)
        #expect(r1.results[0].notes.contains { $0.contains("cartpole") && $0.contains("seed 3") && $0.contains("120 of 200") })
        #expect(r1.exitCode == 2)

        // "complete" but short (e.g. a log written by an older experiment file).
        let short = e.log().truncating(seed: 7, to: 150, status: .complete)
        let r2 = Verifier.run(reference: ref, logs: [short], profile: "quick")
        #expect(r2.results[0].verdict == .missing)
        #expect(r2.results[0].notes.contains { $0.contains("seed 7") })

        // A seed the experiment file lists but the log lacks.
        let r3 = Verifier.run(reference: ref, logs: [e.log()], profile: "quick", expectedSeeds: ["cartpole": Array(0..<12)])
        #expect(r3.results[0].verdict == .missing)
        #expect(r3.results[0].notes.contains { $0.contains("10, 11") })
        #expect(r3.experiments[0].absentSeeds == [10, 11])
    }

    @Test func missingExperimentOrOtherProfileIsMissing() throws {
        let e = SyntheticExperiment(id: "cartpole", plateauMean: 450, plateauSD: 20)
        let ref = try Self.reference(Self.check("c", experiments: ["acrobot"], metric: "kind = \"mean\"", comparison: "kind = \"band\"\nstatistic = \"mean\"\nhigh = 0"))
        let r1 = Verifier.run(reference: ref, logs: [e.log()], profile: "quick")
        #expect(r1.results[0].verdict == .missing)
        #expect(r1.results[0].notes == ["experiment acrobot: no run log"])
        #expect(r1.absentExperiments == ["acrobot"])

        var full = e
        full.profile = "full"
        let ref2 = try Self.reference(Self.check("c", experiments: ["cartpole"], metric: "kind = \"mean\"", comparison: "kind = \"band\"\nstatistic = \"mean\"\nlow = 0"))
        let r2 = Verifier.run(reference: ref2, logs: [full.log()], profile: "quick")
        #expect(r2.results[0].verdict == .missing)
        #expect(r2.results[0].notes[0].contains("profile \"full\""))
    }

    @Test func divergedSeedFails() throws {
        let e = SyntheticExperiment(id: "acrobot", plateauMean: -100, plateauSD: 5)
        var log = e.log().truncating(seed: 2, to: 57, status: .diverged)
        log.seeds[2].series["episode_return"]![56] = .nan
        let ref = try Self.reference(Self.check("c", experiments: ["acrobot"], metric: "kind = \"mean\"", comparison: "kind = \"band\"\nstatistic = \"iqm\"\nlow = -200\nhigh = 0"))
        let report = Verifier.run(reference: ref, logs: [log], profile: "quick")
        #expect(report.results[0].verdict == .fail)
        #expect(report.results[0].notes.contains { $0.contains("seed 2 diverged after 57 of 200 units") })

        // A NaN in a seed marked complete is a FAIL too, never a silently skipped value.
        var nanLog = e.log()
        nanLog.seeds[4].series["episode_return"]![10] = .nan
        let r2 = Verifier.run(reference: ref, logs: [nanLog], profile: "quick")
        #expect(r2.results[0].verdict == .fail)
        #expect(r2.results[0].notes.contains { $0.contains("seed 4") && $0.contains("unit 11") })
    }

    @Test func bandOfTheInterquartileMean() throws {
        let e = SyntheticExperiment(id: "lunar", plateauMean: 130, plateauSD: 25, noiseSD: 40)
        let metric = "kind = \"mean\""
        let c = Self.curveFraction(e)
        let expected = e.start + (e.plateauMean - e.start) * c
        let ref = try Self.reference(
            Self.check("wide", experiments: ["lunar"], metric: metric, comparison: "kind = \"band\"\nstatistic = \"iqm\"\nlow = \(expected - 50)\nhigh = \(expected + 50)")
            + Self.check("shifted", experiments: ["lunar"], metric: metric, comparison: "kind = \"band\"\nstatistic = \"iqm\"\nlow = \(expected + 40)\nhigh = \(expected + 140)")
            + Self.check("one-sided", experiments: ["lunar"], metric: metric, comparison: "kind = \"band\"\nstatistic = \"mean\"\nlow = \(expected - 50)"))
        let report = Verifier.run(reference: ref, logs: [e.log()], profile: "quick")
        #expect(report.results.map(\.verdict) == [.pass, .fail, .pass], "\(report.terminalTable())")
        // The bootstrap is seeded: the same inputs give the same interval.
        let again = Verifier.run(reference: ref, logs: [e.log()], profile: "quick")
        #expect(again == report)
        let iqm = report.results[0].estimates[0]
        #expect(iqm.low! < iqm.value && iqm.value < iqm.high!)
    }

    @Test func withinFactor() throws {
        let a = SyntheticExperiment(id: "nrl", plateauMean: 400, plateauSD: 30)
        let b = SyntheticExperiment(id: "bp", plateauMean: 420, plateauSD: 30, streamSeed: 2)
        let slow = SyntheticExperiment(id: "rmhl", plateauMean: 60, plateauSD: 10, streamSeed: 3)
        let metric = "kind = \"final\"\nwindow = 20"
        let ref = try Self.reference(
            Self.check("nrl-like-bp", experiments: ["nrl", "bp"], metric: metric, comparison: "kind = \"factor\"\nstatistic = \"mean\"\nfactor = 1.25")
            + Self.check("rmhl-like-bp", experiments: ["rmhl", "bp"], metric: metric, comparison: "kind = \"factor\"\nstatistic = \"iqm\"\nfactor = 2")
            + Self.check("rmhl-at-most-bp", experiments: ["rmhl", "bp"], metric: metric, comparison: "kind = \"factor\"\nstatistic = \"mean\"\nfactor = 2\nsides = \"upper\""))
        let report = Verifier.run(reference: ref, logs: [a.log(), b.log(), slow.log()], profile: "quick")
        #expect(report.results.map(\.verdict) == [.pass, .fail, .pass], "\(report.terminalTable())")
    }

    @Test func factorRefusesNonPositiveValues() throws {
        let a = SyntheticExperiment(id: "a", plateauMean: -100, plateauSD: 5)
        let b = SyntheticExperiment(id: "b", plateauMean: -90, plateauSD: 5, streamSeed: 2)
        let ref = try Self.reference(Self.check("neg", experiments: ["a", "b"], metric: "kind = \"mean\"", comparison: "kind = \"factor\"\nstatistic = \"mean\"\nfactor = 2"))
        let r = Verifier.run(reference: ref, logs: [a.log(), b.log()], profile: "quick").results[0]
        #expect(r.verdict == .fail)
        #expect(r.notes.contains { $0.contains("positive") })
    }

    /// "Learns in >= 90 % of seeds": one of ten seeds that never learns passes, two fail.
    @Test func fractionOfSeedsReachingAThreshold() throws {
        let good = SyntheticExperiment(id: "sar", plateauMean: 450, plateauSD: 10).log()
        let bad = SyntheticExperiment(id: "sar", plateauMean: 50, plateauSD: 10, streamSeed: 9).log()
        var oneBad = good
        oneBad.seeds[9] = bad.seeds[9]
        var twoBad = oneBad
        twoBad.seeds[4] = bad.seeds[4]
        let ref = try Self.reference(Self.check(
            "learns", experiments: ["sar"],
            metric: "kind = \"reached_threshold\"\nwindow = 20\nthreshold = 300",
            comparison: "kind = \"fraction\"\npredicate = \">=\"\nvalue = 1\nmin_fraction = 0.9"))
        let r1 = Verifier.run(reference: ref, logs: [oneBad], profile: "quick").results[0]
        #expect(r1.verdict == .pass)
        #expect(r1.estimates[0].value == 0.9)
        let r2 = Verifier.run(reference: ref, logs: [twoBad], profile: "quick").results[0]
        #expect(r2.verdict == .fail)
        #expect(r2.notes.contains { $0.contains("4, 9") })
    }

    /// Units to threshold with a seed that never gets there: "fail" refuses to compute,
    /// "budget" keeps the seed as a lower bound and the rank test still orders correctly.
    @Test func censoredTimeToThreshold() throws {
        var fast = SyntheticExperiment(id: "fast", seeds: Array(0..<6), plateauMean: 450, plateauSD: 10)
        fast.tau = 10
        var slowLog = SyntheticExperiment(id: "slow", seeds: Array(0..<6), plateauMean: 450, plateauSD: 10, tau: 80, streamSeed: 5).log()
        let never = SyntheticExperiment(id: "slow", seeds: Array(0..<6), plateauMean: 100, plateauSD: 10, streamSeed: 6).log()
        slowLog.seeds[0] = never.seeds[0]
        let metric = "kind = \"units_to_threshold\"\nwindow = 10\nthreshold = 300"
        let ref = try Self.reference(
            Self.check("strict", experiments: ["fast", "slow"], metric: metric, comparison: "kind = \"ordering\"\nbetter = \"lower\"")
            + Self.check("bounded", experiments: ["fast", "slow"], metric: metric + "\ncensored = \"budget\"", comparison: "kind = \"ordering\"\nbetter = \"lower\"")
            + Self.check("steps", experiments: ["fast", "slow"], metric: "kind = \"steps_to_threshold\"\nwindow = 10\nthreshold = 300\ncensored = \"budget\"", comparison: "kind = \"ordering\"\nbetter = \"lower\""))
        let report = Verifier.run(reference: ref, logs: [fast.log(), slowLog], profile: "quick")
        #expect(report.results[0].verdict == .fail)
        #expect(report.results[0].notes.contains { $0.contains("slow") && $0.contains("seed 0 never reached") })
        #expect(report.results[1].verdict == .pass, "\(report.terminalTable())")
        #expect(report.results[1].notes.contains { $0.contains("1 of 6 seeds") && $0.contains("lower bound") })
        #expect(report.results[2].verdict == .pass)
    }

    @Test func exitCodesAndProfiles() throws {
        let e = SyntheticExperiment(id: "e", plateauMean: 450, plateauSD: 20)
        let metric = "kind = \"mean\""
        let passing = Self.check("p", experiments: ["e"], metric: metric, comparison: "kind = \"band\"\nstatistic = \"mean\"\nlow = 0")
        let failing = Self.check("f", experiments: ["e"], metric: metric, comparison: "kind = \"band\"\nstatistic = \"mean\"\nhigh = 0")
        let missing = Self.check("m", experiments: ["absent"], metric: metric, comparison: "kind = \"band\"\nstatistic = \"mean\"\nlow = 0")
        let fullOnly = Self.check("full-only", experiments: ["e"], metric: metric, comparison: "kind = \"band\"\nstatistic = \"mean\"\nhigh = 0", profiles: "[\"full\"]")
        let logs = [e.log()]
        #expect(Verifier.run(reference: try Self.reference(passing + fullOnly), logs: logs, profile: "quick").exitCode == 0)
        #expect(Verifier.run(reference: try Self.reference(passing + failing), logs: logs, profile: "quick").exitCode == 1)
        #expect(Verifier.run(reference: try Self.reference(passing + missing), logs: logs, profile: "quick").exitCode == 2)
        // FAIL takes precedence over MISSING.
        #expect(Verifier.run(reference: try Self.reference(failing + missing), logs: logs, profile: "quick").exitCode == 1)
        // Nothing applies: nothing was verified.
        let none = Verifier.run(reference: try Self.reference(fullOnly), logs: logs, profile: "quick")
        #expect(none.results.isEmpty && none.skippedChecks == ["full-only"] && none.exitCode == 2)
    }

    @Test func renderingShowsEveryCheck() throws {
        let e = SyntheticExperiment(id: "cartpole", plateauMean: 450, plateauSD: 20)
        let ref = try Self.reference(
            Self.check("band-check", experiments: ["cartpole"], metric: "kind = \"mean\"", comparison: "kind = \"band\"\nstatistic = \"iqm\"\nlow = 0")
            + Self.check("missing-check", experiments: ["acrobot"], metric: "kind = \"mean\"", comparison: "kind = \"band\"\nstatistic = \"iqm\"\nlow = 0"))
        let report = Verifier.run(reference: ref, logs: [e.log()], profile: "quick")
        let text = report.terminalTable()
        #expect(text.contains("band-check") && text.contains("PASS") && text.contains("MISSING"))
        #expect(text.contains("[missing-check] experiment acrobot: no run log"))
        let md = report.markdownTable()
        #expect(md.contains("| Verdict | Check |"))
        #expect(md.contains("| **MISSING** | `missing-check` |"))
        #expect(md.split(separator: "\n").filter { $0.hasPrefix("| ") }.count == 3)
    }
}

/// Metric definitions on tiny series whose answers can be checked by hand.
@Suite struct MetricTests {
    func seed(_ returns: [Double], lengths: [Double]? = nil) -> SeedLog {
        SeedLog(seed: 0, status: .complete, series: ["episode_return": returns, "episode_length": lengths ?? returns])
    }

    func value(_ m: Metric, _ s: SeedLog) throws -> SeedValue { try m.evaluate(s).get() }

    @Test func runningAverageHasAPartialWindowAtTheStart() {
        #expect(runningAverageCurve([2, 4, 6, 8, 10], window: 3) == [2, 3, 4, 6, 8])
        #expect(runningAverageCurve([1, 2], window: 1) == [1, 2])
    }

    @Test func definitions() throws {
        let s = seed([2, 4, 6, 8, 10], lengths: [10, 20, 30, 40, 50])
        #expect(try value(.mean(series: "episode_return"), s).value == 6)
        #expect(try value(.final(series: "episode_return", window: 2), s).value == 9)
        #expect(try value(.minimum(series: "episode_return"), s).value == 2)
        #expect(try value(.maximum(series: "episode_length"), s).value == 50)
        #expect(try value(.runningAverage(series: "episode_return", window: 3, unit: 4), s).value == 6)
        #expect(try value(.runningAverage(series: "episode_return", window: 3, unit: 2), s).value == 3)
        // Curve [2, 3, 4, 6, 8] -> mean 4.6; normalised to [0, 10] -> 0.46.
        #expect(try value(.areaUnderCurve(series: "episode_return", window: 3, normalisation: nil), s).value == 4.6)
        #expect(abs(try value(.areaUnderCurve(series: "episode_return", window: 3, normalisation: .init(low: 0, high: 10)), s).value - 0.46) < 1e-15)
        let crossing = ThresholdCrossing(series: "episode_return", window: 3, threshold: 5, direction: .above)
        // Curve crosses 5 at unit 4; steps 10 + 20 + 30 + 40.
        #expect(try value(.timeToThreshold(crossing, count: .units, censoring: .fail), s) == SeedValue(seed: 0, value: 4, censored: false))
        #expect(try value(.timeToThreshold(crossing, count: .steps(lengthSeries: "episode_length"), censoring: .fail), s).value == 100)
        #expect(try value(.reachedThreshold(crossing), s).value == 1)
        let never = ThresholdCrossing(series: "episode_return", window: 3, threshold: 9, direction: .above)
        #expect(try value(.timeToThreshold(never, count: .units, censoring: .budget), s) == SeedValue(seed: 0, value: 6, censored: true))
        #expect(try value(.timeToThreshold(never, count: .steps(lengthSeries: "episode_length"), censoring: .budget), s).value == 151)
        #expect(try value(.reachedThreshold(never), s).value == 0)
        let below = ThresholdCrossing(series: "episode_return", window: 1, threshold: 3, direction: .below)
        #expect(try value(.timeToThreshold(below, count: .units, censoring: .fail), s).value == 1)
    }

    @Test func problems() {
        let s = seed([1, 2, 3])
        #expect(throws: MetricProblem.self) { try Metric.mean(series: "td_error").evaluate(s).get() }
        if case .failure(.missing(let why)) = Metric.runningAverage(series: "episode_return", window: 2, unit: 10).evaluate(s) {
            #expect(why.contains("needs 10"))
        } else {
            Issue.record("expected a missing-data problem")
        }
        let nan = seed([1, .infinity, 3])
        if case .failure(.invalid(let why)) = Metric.mean(series: "episode_return").evaluate(nan) {
            #expect(why.contains("unit 2"))
        } else {
            Issue.record("expected an invalid-data problem")
        }
    }
}
