/// The outcome of one check.
public enum Verdict: String, Sendable, Equatable, CaseIterable {
    /// The replication agrees with the reference by the check's stated rule.
    case pass = "PASS"
    /// It does not, or a run needed by the check diverged.
    case fail = "FAIL"
    /// A needed experiment has no log for the profile, or a seed is incomplete: running
    /// (or resuming) the experiment is what would fix it.
    case missing = "MISSING"
}

/// A number the check computed from our runs, with its interval when there is one.
public struct Estimate: Sendable, Equatable {
    /// What the number is, e.g. "mean", "IQM", "ratio of means", or an experiment id.
    public var label: String
    /// The number.
    public var value: Double
    /// The interval's lower end, when there is an interval.
    public var low: Double?
    /// The interval's upper end, when there is an interval.
    public var high: Double?
    /// Confidence level of [low, high].
    public var level: Double?
    /// Number of seeds behind the number.
    public var n: Int
}

/// One named test statistic or p-value, e.g. ("Welch p", 0.46).
public struct Statistic: Sendable, Equatable {
    /// The statistic's name.
    public var name: String
    /// Its value.
    public var value: Double
}

/// Everything the report shows about one check.
public struct CheckResult: Sendable, Equatable {
    /// The check's id.
    public var id: String
    /// What the check shows.
    public var description: String
    /// Where the reference comes from.
    public var provenance: Provenance
    /// Which table, figure, README line or claim the reference comes from.
    public var source: String
    /// The experiments the check read.
    public var experiments: [String]
    /// What is measured per seed.
    public var metric: String
    /// The reference and the rule, as text.
    public var reference: String
    /// Our estimate(s) with intervals, as text ("—" when nothing could be computed).
    public var ours: String
    /// The test statistics and the decision, as text.
    public var test: String
    /// The numbers behind `ours`.
    public var estimates: [Estimate]
    /// The test statistics and p-values.
    public var statistics: [Statistic]
    /// The check's verdict.
    public var verdict: Verdict
    /// Why a check failed or is missing, and caveats (censored seeds, low power).
    public var notes: [String]
    /// The comparisons with the authors' code, for a check that names its runs.
    public var authors: AuthorsCodeResult? = nil
}

/// Per-seed state of one experiment's log, for the report.
public struct ExperimentStatus: Sendable, Equatable {
    /// One seed's state.
    public struct Seed: Sendable, Equatable {
        /// The seed.
        public var seed: Int
        /// How its run ended (or stands).
        public var status: RunStatus
        /// Units completed.
        public var unitsDone: Int
        /// Wall-clock seconds it has run.
        public var wallSeconds: Double
    }

    /// The experiment's id.
    public var experiment: String
    /// Its legend label.
    public var label: String
    /// The profile.
    public var profile: String
    /// Units each seed must complete.
    public var expectedUnits: Int
    /// The seeds the log holds.
    public var seeds: [Seed]
    /// Seeds the experiment file lists but the log does not hold (when known).
    public var absentSeeds: [Int]
}

/// The result of verifying one profile of a paper: the checks' verdicts and the state of the
/// runs they read; `report.md` is rendered from it.
public struct VerificationReport: Sendable, Equatable {
    /// The paper module's id.
    public var paper: String
    /// The profile verified.
    public var profile: String
    /// One result per applicable check, in file order.
    public var results: [CheckResult]
    /// Checks of the reference file that do not apply to this profile.
    public var skippedChecks: [String]
    /// Status of every experiment a check needed (or that was passed in), in id order;
    /// experiments without a log are listed in `absentExperiments`.
    public var experiments: [ExperimentStatus]
    /// The experiments a check needed that have no log.
    public var absentExperiments: [String]

    /// The number of results with `verdict`.
    public func count(_ verdict: Verdict) -> Int { results.filter { $0.verdict == verdict }.count }

    /// The process exit code of `threefactor verify`:
    /// - 0: every applicable check PASSed;
    /// - 1: at least one check FAILed (whatever else is MISSING) — a FAIL is a finding
    ///   about complete data, which more runs of OTHER experiments cannot undo, so it is
    ///   reported first;
    /// - 2: no FAIL, but at least one check is MISSING data — or no check applies to
    ///   this profile at all (nothing was verified, which must not look like success).
    ///
    /// Plus 4 when, for a check whose authors' code was re-run, ours is not shown equivalent
    /// to that code (`AuthorsCodeResult.replication` FAILs, or the learning curves differ):
    /// `exit & 3` says whether the paper's results are reproduced, `exit & 4` whether the
    /// implementation is faithful to the authors' code. Whether the authors' code itself
    /// reproduces the paper is reported, not part of the code: it is a fact about the paper.
    public var exitCode: Int32 {
        var code: Int32 = 0
        if results.contains(where: { $0.verdict == .fail }) {
            code = 1
        } else if results.isEmpty || results.contains(where: { $0.verdict == .missing }) {
            code = 2
        }
        if results.contains(where: { $0.authors.map { $0.replication == .fail || $0.curves == .fail } ?? false }) { code += 4 }
        return code
    }

    /// One line: "3 PASS, 1 FAIL, 0 MISSING (exit code 1)".
    public var summaryLine: String {
        let compared = results.compactMap(\.authors)
        let faithful = compared.filter { $0.replication == .pass && $0.curves != .fail }.count
        return "\(count(.pass)) PASS, \(count(.fail)) FAIL, \(count(.missing)) MISSING of \(results.count) checks"
            + (skippedChecks.isEmpty ? "" : " (\(skippedChecks.count) not for profile \(profile))")
            + (compared.isEmpty ? "" : "; equivalent to the authors' code in \(faithful) of \(compared.count)")
            + " — exit code \(exitCode)"
    }
}
