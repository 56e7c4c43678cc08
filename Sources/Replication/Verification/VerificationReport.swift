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
    public var value: Double
    public var low: Double?
    public var high: Double?
    /// Confidence level of [low, high].
    public var level: Double?
    /// Number of seeds behind the number.
    public var n: Int
}

/// One named test statistic or p-value, e.g. ("Welch p", 0.46).
public struct Statistic: Sendable, Equatable {
    public var name: String
    public var value: Double
}

/// Everything the report shows about one check.
public struct CheckResult: Sendable, Equatable {
    public var id: String
    public var description: String
    public var provenance: Provenance
    public var source: String
    public var experiments: [String]
    /// What is measured per seed.
    public var metric: String
    /// The reference and the rule, as text.
    public var reference: String
    /// Our estimate(s) with intervals, as text ("—" when nothing could be computed).
    public var ours: String
    /// The test statistics and the decision, as text.
    public var test: String
    public var estimates: [Estimate]
    public var statistics: [Statistic]
    public var verdict: Verdict
    /// Why a check failed or is missing, and caveats (censored seeds, low power).
    public var notes: [String]
}

/// Per-seed state of one experiment's log, for the report.
public struct ExperimentStatus: Sendable, Equatable {
    public struct Seed: Sendable, Equatable {
        public var seed: Int
        public var status: RunStatus
        public var unitsDone: Int
        public var wallSeconds: Double
    }

    public var experiment: String
    public var label: String
    public var profile: String
    public var expectedUnits: Int
    public var seeds: [Seed]
    /// Seeds the experiment file lists but the log does not hold (when known).
    public var absentSeeds: [Int]
}

public struct VerificationReport: Sendable, Equatable {
    public var paper: String
    public var profile: String
    public var results: [CheckResult]
    /// Checks of the reference file that do not apply to this profile.
    public var skippedChecks: [String]
    /// Status of every experiment a check needed (or that was passed in), in id order;
    /// experiments without a log are listed in `absentExperiments`.
    public var experiments: [ExperimentStatus]
    public var absentExperiments: [String]

    public func count(_ verdict: Verdict) -> Int { results.filter { $0.verdict == verdict }.count }

    /// The process exit code of `threefactor verify`:
    /// - 0: every applicable check PASSed;
    /// - 1: at least one check FAILed (whatever else is MISSING) — a FAIL is a finding
    ///   about complete data, which more runs of OTHER experiments cannot undo, so it is
    ///   reported first;
    /// - 2: no FAIL, but at least one check is MISSING data — or no check applies to
    ///   this profile at all (nothing was verified, which must not look like success).
    public var exitCode: Int32 {
        if results.contains(where: { $0.verdict == .fail }) { return 1 }
        if results.isEmpty || results.contains(where: { $0.verdict == .missing }) { return 2 }
        return 0
    }

    /// One line: "3 PASS, 1 FAIL, 0 MISSING (exit code 1)".
    public var summaryLine: String {
        "\(count(.pass)) PASS, \(count(.fail)) FAIL, \(count(.missing)) MISSING of \(results.count) checks"
            + (skippedChecks.isEmpty ? "" : " (\(skippedChecks.count) not for profile \(profile))")
            + " — exit code \(exitCode)"
    }
}
