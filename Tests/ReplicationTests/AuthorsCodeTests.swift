import Foundation
import Testing
import ThreeFactor
@testable import Replication

/// A check held against the authors' code as well as the paper: the three comparisons
/// (authors' code vs paper, ours vs authors' code, curve by curve), their one-line reading,
/// the exit code's "+4 when not equivalent", and the run files' validation. Every run is
/// synthetic (`SyntheticExperiment`), so each verdict can be made to go either way.
@Suite struct AuthorsCodeTests {
    /// A synthetic experiment as a run of the authors' code (its curves as JSON fields).
    static func authorsRun(_ e: SyntheticExperiment) -> AuthorsCodeRun {
        let log = e.log()
        return AuthorsCodeRun(
            provenance: "authors' code, re-run", repository: "github.com/example/official", commit: String(repeating: "ab", count: 20),
            date: "2026-12-02", versions: ["python": "3.11"], protocol: "synthetic", experiment: e.id,
            seeds: log.seeds.map(\.seed), curves: log.seeds.map { $0.series["episode_return"]! })
    }

    /// A reported check whose paper mean is `paperMean` (sd 5, n 10, margin 10) on
    /// experiment "ours", with the authors' code's runs in "official.json".
    static func reference(paperMean: Double) throws -> ReferenceFile {
        try VerifierTests.reference(VerifierTests.check(
            "headline", experiments: ["ours"], metric: "kind = \"mean\"",
            comparison: "kind = \"reported\"\nmean = \(paperMean)\nstd = 5\nstd_kind = \"population\"\nn = 10\nmargin = 10",
            profiles: "[\"quick\"]") + "[checks.authors_code]\nruns = [\"official.json\"]\n")
    }

    static func verify(paperMean: Double, ours: SyntheticExperiment, authors: SyntheticExperiment) throws -> VerificationReport {
        Verifier.run(reference: try reference(paperMean: paperMean), logs: [ours.log()], profile: "quick",
                     authorsCode: ["official.json": authorsRun(authors)])
    }

    /// The paper's number is far above what both codes reach; ours and the authors' code come
    /// from the same process: "not reproduced; the authors' code does not reproduce it
    /// either; ours is equivalent" — exit 1, without the +4.
    @Test func aPaperNumberNeitherCodeReachesIsTheNumbersFaultNotOurs() throws {
        let ours = SyntheticExperiment(id: "ours", plateauMean: 400, plateauSD: 4, noiseSD: 5, streamSeed: 1)
        let authors = SyntheticExperiment(id: "ours", plateauMean: 400, plateauSD: 4, noiseSD: 5, streamSeed: 2)
        let mean = Descriptive.mean(ours.log().seeds.map { Descriptive.mean($0.series["episode_return"]!) })
        let report = try Self.verify(paperMean: mean + 60, ours: ours, authors: authors)
        let r = report.results[0]
        #expect(r.verdict == .fail)
        let a = try #require(r.authors)
        #expect(a.paper == .fail)
        #expect(a.replication == .pass, "\(a.replicationText)")
        #expect(a.curves == .pass, "\(a.curvesText)")
        #expect(a.reading == "the paper's result is not reproduced; the authors' code does not reproduce it either; ours is equivalent to the authors' code, curve by curve too")
        #expect(report.exitCode == 1)
        #expect(report.summaryLine.contains("equivalent to the authors' code in 1 of 1"))
        #expect(report.terminalTable().contains("[headline] the paper's result is not reproduced"))
        #expect(report.markdownTable().contains("### Against the authors' code, re-run"))
    }

    /// Ours learns to a lower plateau than the authors' code, which reproduces the paper:
    /// ours FAILs against both, the curves differ (to the last window), and the exit code says
    /// so (1 + 4).
    @Test func anImplementationThatDiffersFromTheAuthorsCodeIsFlagged() throws {
        let ours = SyntheticExperiment(id: "ours", plateauMean: 340, plateauSD: 4, noiseSD: 5, streamSeed: 1)
        let authors = SyntheticExperiment(id: "ours", plateauMean: 400, plateauSD: 4, noiseSD: 5, streamSeed: 2)
        let mean = Descriptive.mean(authors.log().seeds.map { Descriptive.mean($0.series["episode_return"]!) })
        let report = try Self.verify(paperMean: mean, ours: ours, authors: authors)
        let a = try #require(report.results[0].authors)
        #expect(report.results[0].verdict == .fail)
        #expect(a.paper == .pass, "\(a.paperText)")
        #expect(a.replication == .fail)
        #expect(a.curves == .fail)
        #expect(a.curvesText.contains("ours units 181–200 (p = "), "\(a.curvesText)")
        #expect(a.reading.hasPrefix("the paper's result is not reproduced by ours, though the authors' code reproduces it; ours is not shown equivalent"))
        #expect(report.exitCode == 5)
    }

    /// A seed of the authors' code that stopped on a NaN: their side FAILs (a diverged run
    /// has no final level), the reading says which seeds diverged, the final levels are
    /// compared on the seeds that completed and the curves up to the earliest divergence.
    @Test func aDivergedRunOfTheAuthorsCodeFailsTheirSideAndIsNamed() throws {
        let ours = SyntheticExperiment(id: "ours", plateauMean: 400, plateauSD: 4, noiseSD: 5, streamSeed: 1)
        let authors = SyntheticExperiment(id: "ours", plateauMean: 400, plateauSD: 4, noiseSD: 5, streamSeed: 2)
        var run = Self.authorsRun(authors)
        run.statuses = run.seeds.indices.map { $0 == 0 ? "diverged" : "complete" }
        run.curves[0] = Array(run.curves[0].prefix(37))
        let mean = Descriptive.mean(ours.log().seeds.map { Descriptive.mean($0.series["episode_return"]!) })
        let report = Verifier.run(reference: try Self.reference(paperMean: mean), logs: [ours.log()], profile: "quick",
                                  authorsCode: ["official.json": run])
        let a = try #require(report.results[0].authors)
        #expect(report.results[0].verdict == .pass)
        #expect(a.paper == .fail)
        #expect(a.replication == .fail)
        #expect(a.paperText.contains("experiment ours seed \(run.seeds[0]) diverged after 37 of 200 units"), "\(a.paperText)")
        #expect(a.replicationText.hasPrefix("authors' code: experiment ours seed \(run.seeds[0]) diverged after 37 of 200 units; ours: ours "), "\(a.replicationText)")
        #expect(a.replicationText.contains("(n = \(run.seeds.count - 1)); Welch p = "), "\(a.replicationText)")
        #expect(a.curves == .pass, "\(a.curvesText)")
        #expect(a.curvesText.contains("ours: 37 units"), "\(a.curvesText)")
        #expect(a.reading.hasSuffix("; the authors' code diverged (NaN) in 1 of \(run.seeds.count) seeds of ours"), "\(a.reading)")

        // Every seed diverged: nothing to compare, still a FAIL that names them.
        run.statuses = run.seeds.map { _ in "diverged" }
        let none = Verifier.run(reference: try Self.reference(paperMean: mean), logs: [ours.log()], profile: "quick",
                                authorsCode: ["official.json": run])
        let b = try #require(none.results[0].authors)
        #expect(b.replication == .fail)
        #expect(b.replicationText.hasPrefix("authors' code: experiment ours seed \(run.seeds[0]) diverged after 37 of 200 units; "), "\(b.replicationText)")
        #expect(b.curves != nil, "the units before the NaN are still compared")
    }

    @Test func holmAdjustmentMatchesItsDefinition() {
        // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, max(0.06, 0.04·1) = 0.06.
        let adjusted = holmAdjusted([0.01, 0.04, 0.03, 0.005])
        for (x, y) in zip(adjusted, [0.03, 0.06, 0.06, 0.02]) { #expect(abs(x - y) < 1e-15) }
        #expect(holmAdjusted([0.5, 0.9]) == [1, 1])
    }

    @Test func theReferenceFileStatesWhatTheComparisonNeeds() throws {
        let ordering = VerifierTests.check("order", experiments: ["a", "b"], metric: "kind = \"mean\"",
                                           comparison: "kind = \"ordering\"\nbetter = \"higher\"")
        #expect {
            try VerifierTests.reference(ordering + "[checks.authors_code]\nruns = [\"a.json\", \"b.json\"]\n")
        } throws: { "\($0)".hasSuffix("key \"authors_code.margin\": is required: the ordering comparison has no margin of its own") }
        #expect {
            try VerifierTests.reference(ordering + "[checks.authors_code]\nruns = [\"a.json\"]\nmargin = 3\n")
        } throws: { "\($0)".contains("expected one per experiment of the check (2)") }
        let ok = try VerifierTests.reference(ordering + "[checks.authors_code]\nruns = [\"a.json\", \"b.json\"]\nmargin = 3\nwindows = 5\n")
        #expect(ok.checks[0].authorsCode == AuthorsCodeReference(runs: ["a.json", "b.json"], margin: 3, windows: 5))
    }

    @Test func aBrokenRunFileIsOneLineNamingTheFileAndKey() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, String)] = [
            ("{}", "key \"provenance\" is missing"),
            (#"{"provenance": "paper table", "repository": "r", "commit": "c", "date": "d", "versions": {}, "protocol": "p", "experiment": "e", "seeds": [0], "curves": [[1]]}"#,
             "key \"provenance\": expected \"authors' code, re-run\""),
            (#"{"provenance": "authors' code, re-run", "repository": "r", "commit": "c", "date": "d", "versions": {}, "protocol": "p", "experiment": "e", "seeds": [0, 1], "curves": [[1]]}"#,
             "key \"curves\": expected one curve per seed (2), got 1"),
            (#"{"provenance": "authors' code, re-run", "repository": "r", "commit": "c", "date": "d", "versions": {}, "protocol": "p", "experiment": "e", "seeds": [0], "curves": [[]]}"#,
             "key \"curves\": the curve of seed 0 is empty or not finite"),
            (#"{"provenance": "authors' code, re-run", "repository": "r", "commit": "c", "date": "d", "versions": {}, "protocol": "p", "experiment": "e", "seeds": [0], "curves": [[1]], "statuses": ["complete", "diverged"]}"#,
             "key \"statuses\": expected one status per seed (1), got 2"),
            (#"{"provenance": "authors' code, re-run", "repository": "r", "commit": "c", "date": "d", "versions": {}, "protocol": "p", "experiment": "e", "seeds": [0], "curves": [[1]], "statuses": ["crashed"]}"#,
             "key \"statuses\": expected \"complete\" or \"diverged\", got \"crashed\""),
            ("not json", "is not a JSON run file of the authors' code"),
        ]
        for (i, (text, expected)) in cases.enumerated() {
            let path = "\(dir)/\(i).json"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect { try AuthorsCodeRun.load(path) } throws: {
                "\($0)" == "\(path): \(expected)" || ("\($0)".hasPrefix("\(path): ") && "\($0)".contains(expected) && !"\($0)".contains("\n"))
            }
        }
        #expect { try AuthorsCodeRun.load("\(dir)/none.json") } throws: { "\($0)".hasPrefix("\(dir)/none.json: no such file") }
    }
}
