/// The reference values of one paper and the checks that compare a replication to them:
/// `data/reference/<paper>.toml`, read by `ReferenceFile.load(path:)`. The format is
/// described in `data/reference/README.md`.
public struct ReferenceFile: Sendable, Equatable {
    /// The paper module's id; must match the experiments file's.
    public var paper: String
    /// The checks, in file order.
    public var checks: [ReferenceCheck]
    /// Reference values to draw on figures (not checks).
    public var marks: [ReferenceMark]
    /// Per profile, the verdict each check had when last measured (`[expected_verdicts.<profile>]`):
    /// `verify --expect-verdicts` fails when one changes. A regression pin, not a reference:
    /// a FAIL pinned here is still a FAIL in every report.
    public var expectedVerdicts: [String: [String: Verdict]] = [:]
    /// The same for the comparison of ours with the authors' code
    /// (`[expected_verdicts_authors_code.<profile>]`).
    public var expectedAuthorsCodeVerdicts: [String: [String: Verdict]] = [:]

    /// A reference file from its parts.
    public init(paper: String, checks: [ReferenceCheck], marks: [ReferenceMark] = []) {
        self.paper = paper
        self.checks = checks
        self.marks = marks
    }
}

/// Where a reference value comes from: how far it can be trusted, and what a FAIL
/// against it means.
public enum Provenance: String, Sendable, Equatable, CaseIterable {
    /// A number printed in a table of the paper.
    case paperTable = "paper table"
    /// A number in the README of the authors' official code.
    case officialREADME = "official README"
    /// A number obtained by running the authors' code ourselves.
    case authorsCodeRun = "authors' code run"
    /// A qualitative claim of the abstract, turned into a statistical check.
    case claimInAbstract = "claim in abstract"
    /// A value measured on this toolkit itself: it detects regressions, it does not
    /// show agreement with the paper.
    case calibratedRegression = "our own calibrated run — regression only"

    /// Accepted spellings: the raw value, and for the last one also an ASCII hyphen
    /// instead of the em dash.
    static func parse(_ text: String) -> Provenance? {
        if let p = Provenance(rawValue: text) { return p }
        if text == "our own calibrated run - regression only" { return .calibratedRegression }
        return nil
    }
}

/// One check: a metric per seed of one or two experiments, compared with a reference by a
/// stated rule.
public struct ReferenceCheck: Sendable, Equatable {
    /// Unique within the file; names the check in the report.
    public var id: String
    /// One sentence: what the check shows.
    public var description: String
    /// The experiment ids the check reads: one, or two for an ordering or a ratio
    /// (then in the order "A", "B").
    public var experiments: [String]
    /// What is computed per seed.
    public var metric: Metric
    /// How the seeds' values are compared with the reference.
    public var comparison: Comparison
    /// The profiles (e.g. "full", "quick") whose runs this check applies to.
    public var profiles: [String]
    /// Where the reference value comes from.
    public var provenance: Provenance
    /// Which table, figure, README line or claim the reference comes from.
    public var source: String
    /// The authors' code's runs to hold ours against as well (`[checks.authors_code]`).
    public var authorsCode: AuthorsCodeReference?

    /// A check from its parts.
    public init(
        id: String, description: String, experiments: [String], metric: Metric,
        comparison: Comparison, profiles: [String], provenance: Provenance, source: String,
        authorsCode: AuthorsCodeReference? = nil
    ) {
        self.authorsCode = authorsCode
        self.id = id
        self.description = description
        self.experiments = experiments
        self.metric = metric
        self.comparison = comparison
        self.profiles = profiles
        self.provenance = provenance
        self.source = source
    }
}

/// A reference value drawn on a learning-curve figure: a dashed horizontal line, or a
/// marker when `unit` is given.
public struct ReferenceMark: Sendable, Equatable {
    /// The figure id the mark is drawn on.
    public var figure: String
    /// The legend label of the mark.
    public var label: String
    /// The reference value, in the series' units.
    public var value: Double
    /// The unit (x position) of a marker; nil for a horizontal line across the figure.
    public var unit: Double?
    /// Where the value comes from.
    public var provenance: Provenance
    /// Which table, figure, README line or claim the value comes from.
    public var source: String

    /// A mark from its parts.
    public init(
        figure: String, label: String, value: Double, unit: Double? = nil,
        provenance: Provenance, source: String
    ) {
        self.figure = figure
        self.label = label
        self.value = value
        self.unit = unit
        self.provenance = provenance
        self.source = source
    }
}

// MARK: Metrics

/// When a running average counts as having reached a threshold.
public enum ThresholdDirection: String, Sendable, Equatable, CaseIterable {
    /// running average >= threshold (returns, success rates).
    case above
    /// running average <= threshold (errors, costs).
    case below
}

/// The first unit at which the running average (trailing window, partial at the start)
/// of a series reaches a threshold.
public struct ThresholdCrossing: Sendable, Equatable {
    /// The series whose running average is tested, e.g. "episode_return".
    public var series: String
    /// The running average's trailing window, in units.
    public var window: Int
    /// The threshold.
    public var threshold: Double
    /// Whether the average must reach it from below (`above`) or from above (`below`).
    public var direction: ThresholdDirection

    /// A crossing from its parts.
    public init(series: String, window: Int, threshold: Double, direction: ThresholdDirection) {
        self.series = series
        self.window = window
        self.threshold = threshold
        self.direction = direction
    }
}

/// What "time until the threshold" is counted in.
public enum CrossingCount: Sendable, Equatable {
    /// Units (episodes) up to and including the crossing unit.
    case units
    /// Environment steps: the sum of `lengthSeries` (per-episode lengths) up to and
    /// including the crossing unit.
    case steps(lengthSeries: String)
}

/// What to do with a seed that never reached the threshold (a censored observation: we
/// only know its value exceeds the budget).
public enum CensoringPolicy: String, Sendable, Equatable, CaseIterable {
    /// The check FAILs and names the seeds: no statistic is computed from censored data.
    case fail
    /// The seed's value is the budget it used (all units, or all steps) — a LOWER BOUND
    /// of its true value — and the check reports how many seeds were censored. Sound for
    /// rank tests and for "at most" bands; optimistic for "at least" statements.
    case budget
}

/// A per-seed number computed from one seed's logged series.
public enum Metric: Sendable, Equatable {
    /// Mean of the series over all units.
    case mean(series: String)
    /// Mean of the last `window` units.
    case final(series: String, window: Int)
    /// The smallest value of the series over all units.
    case minimum(series: String)
    /// The largest value of the series over all units.
    case maximum(series: String)
    /// Running average (trailing window) at unit `unit` (1-based; a partial window
    /// when unit < window).
    case runningAverage(series: String, window: Int, unit: Int)
    /// Area under the running-average curve divided by the number of units (the mean of
    /// the curve); with `normalisation` mapped linearly so that `low` -> 0, `high` -> 1.
    case areaUnderCurve(series: String, window: Int, normalisation: NormalisationRange?)
    /// Units or steps until the running average first reaches a threshold.
    case timeToThreshold(ThresholdCrossing, count: CrossingCount, censoring: CensoringPolicy)
    /// 1 if the running average ever reaches the threshold, else 0.
    case reachedThreshold(ThresholdCrossing)
}

/// The values that the area under the curve maps to 0 and to 1.
public struct NormalisationRange: Sendable, Equatable {
    /// The value mapped to 0 (e.g. a random policy's return).
    public var low: Double
    /// The value mapped to 1 (e.g. the task's maximum return).
    public var high: Double
    /// A range from its parts.
    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }
}

// MARK: Comparisons

/// How per-seed values are summarised across seeds.
public enum Aggregate: String, Sendable, Equatable, CaseIterable {
    /// The arithmetic mean.
    case mean
    /// Interquartile mean (25 % trimmed mean), the rliable recommendation for few runs.
    case iqm
    /// The median.
    case median

    func apply(_ x: [Double]) -> Double {
        switch self {
        case .mean: Descriptive.mean(x)
        case .iqm: Descriptive.interquartileMean(x)
        case .median: Descriptive.median(x)
        }
    }
}

/// How a reported standard deviation was computed.
public enum StandardDeviationKind: String, Sendable, Equatable, CaseIterable {
    /// ddof 1 (divides by n − 1).
    case sample
    /// ddof 0 (divides by n; NumPy's default `std`).
    case population
}

/// The half-width of the equivalence region of a reported comparison.
public enum EquivalenceMargin: Sendable, Equatable {
    /// An absolute margin, in the metric's units.
    case absolute(Double)
    /// A fraction of |reported mean|.
    case relative(Double)

    func value(reportedMean: Double) -> Double {
        switch self {
        case .absolute(let m): m
        case .relative(let f): f * abs(reportedMean)
        }
    }
}

/// How agreement with a reported mean is decided.
public enum EquivalenceRule: String, Sendable, Equatable, CaseIterable {
    /// Two one-sided Welch tests at alpha: the (1 − 2 alpha) CI of the difference lies
    /// inside ±margin.
    case tost
    /// |our mean − reported mean| <= margin (no inference; for when the reported std is
    /// meaningless).
    case absolute
}

/// A reported mean ± std over n runs (e.g. the official README's table).
public struct ReportedComparison: Sendable, Equatable {
    /// The reported mean.
    public var mean: Double
    /// The reported standard deviation.
    public var std: Double
    /// Whether `std` is a sample or a population standard deviation.
    public var stdKind: StandardDeviationKind
    /// The number of runs behind the reported numbers.
    public var n: Int
    /// The significance level of Welch's test and of the TOST.
    public var alpha: Double
    /// The half-width of the equivalence region.
    public var margin: EquivalenceMargin
    /// How equivalence is decided.
    public var equivalence: EquivalenceRule

    /// The sample standard deviation (ddof 1) that Welch's test needs.
    public var sampleStd: Double {
        stdKind == .sample ? std : std * (Double(n) / Double(n - 1)).squareRoot()
    }
}

/// The aggregate over seeds must lie in [`low`, `high`]: its percentile-bootstrap CI must lie
/// inside the band.
public struct BandComparison: Sendable, Equatable {
    /// The aggregate over seeds.
    public var statistic: Aggregate
    /// The band's lower end; nil for none.
    public var low: Double?
    /// The band's upper end; nil for none.
    public var high: Double?
    /// The CI's confidence level, e.g. 0.95.
    public var confidence: Double
    /// The number of bootstrap resamples.
    public var resamples: Int
    /// The bootstrap stream's seed; nil derives one from the check's id.
    public var bootstrapSeed: UInt64?
}

/// Which direction of the metric is better.
public enum Better: String, Sendable, Equatable, CaseIterable {
    /// Larger values are better (returns) or smaller values are (errors, times to threshold).
    case higher, lower
}

/// The one-sided test over seeds that decides "A better than B".
public enum OrderingTest: String, Sendable, Equatable, CaseIterable {
    /// The Mann–Whitney U test (no normality assumed; the default).
    case mannWhitney = "mann-whitney"
    /// Welch's t-test.
    case welch
    /// Both tests must reject.
    case both
}

/// Experiment A is better than B: a one-sided test of the per-seed values rejects at `alpha`.
public struct OrderingComparison: Sendable, Equatable {
    /// Which direction is better.
    public var better: Better
    /// The test.
    public var test: OrderingTest
    /// The significance level.
    public var alpha: Double
}

/// Which side of the factor range a ratio comparison checks.
public enum FactorSides: String, Sendable, Equatable, CaseIterable {
    /// The ratio's CI lies in [1/factor, factor].
    case both
    /// The ratio's CI lies below factor (A at most factor × B).
    case upper
    /// The ratio's CI lies above 1/factor (A at least B / factor).
    case lower
}

/// A's aggregate is within a factor of B's: the percentile-bootstrap CI of the ratio `A / B`
/// lies in the range `sides` gives.
public struct FactorComparison: Sendable, Equatable {
    /// The aggregate over seeds.
    public var statistic: Aggregate
    /// The factor (> 1).
    public var factor: Double
    /// Which ends of [1/factor, factor] are checked.
    public var sides: FactorSides
    /// The CI's confidence level, e.g. 0.95.
    public var confidence: Double
    /// The number of bootstrap resamples.
    public var resamples: Int
    /// The bootstrap stream's seed; nil derives one from the check's id.
    public var bootstrapSeed: UInt64?
}

/// A comparison of a seed's value with a fixed value.
public enum Predicate: String, Sendable, Equatable, CaseIterable {
    /// Strictly greater.
    case greater = ">"
    /// Greater or equal.
    case greaterOrEqual = ">="
    /// Strictly less.
    case less = "<"
    /// Less or equal.
    case lessOrEqual = "<="

    func holds(_ x: Double, _ v: Double) -> Bool {
        switch self {
        case .greater: x > v
        case .greaterOrEqual: x >= v
        case .less: x < v
        case .lessOrEqual: x <= v
        }
    }
}

/// "At least `minFraction` of the seeds have metric `predicate` `value`".
public struct FractionComparison: Sendable, Equatable {
    /// How each seed's value is compared with `value`.
    public var predicate: Predicate
    /// The value compared with.
    public var value: Double
    /// The smallest fraction of seeds, in [0, 1], that must meet the condition.
    public var minFraction: Double
    /// The level of the Clopper–Pearson interval reported beside the fraction (the verdict uses
    /// the observed fraction).
    public var confidence: Double
}

/// How a check decides PASS or FAIL.
public enum Comparison: Sendable, Equatable {
    /// Against a reported mean/std/n: Welch's test AND an equivalence margin.
    case reported(ReportedComparison)
    /// A bootstrap CI of the aggregate lies inside a band.
    case band(BandComparison)
    /// Experiment A is better than B: a one-sided test over seeds.
    case ordering(OrderingComparison)
    /// A's aggregate is within a factor of B's: a bootstrap CI of the ratio.
    case factor(FactorComparison)
    /// A fraction of seeds satisfy a condition.
    case fraction(FractionComparison)

    /// The comparison's name in reports: "reported", "band", "ordering", "factor" or
    /// "fraction".
    public var kind: String {
        switch self {
        case .reported: "reported"
        case .band: "band"
        case .ordering: "ordering"
        case .factor: "factor"
        case .fraction: "fraction"
        }
    }
}
