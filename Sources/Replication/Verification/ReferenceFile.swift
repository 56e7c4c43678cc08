/// The reference values of one paper and the checks that compare a replication to them:
/// `data/reference/<paper>.toml`, read by `ReferenceFile.load(path:)`. The format is
/// described in `data/reference/README.md`.
public struct ReferenceFile: Sendable, Equatable {
    public var paper: String
    public var checks: [ReferenceCheck]
    /// Reference values to draw on figures (not checks).
    public var marks: [ReferenceMark]

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

public struct ReferenceCheck: Sendable, Equatable {
    /// Unique within the file; names the check in the report.
    public var id: String
    public var description: String
    /// The experiment ids the check reads: one, or two for an ordering or a ratio
    /// (then in the order "A", "B").
    public var experiments: [String]
    public var metric: Metric
    public var comparison: Comparison
    /// The profiles (e.g. "full", "quick") whose runs this check applies to.
    public var profiles: [String]
    public var provenance: Provenance
    /// Which table, figure, README line or claim the reference comes from.
    public var source: String

    public init(
        id: String, description: String, experiments: [String], metric: Metric,
        comparison: Comparison, profiles: [String], provenance: Provenance, source: String
    ) {
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
    public var figure: String
    public var label: String
    public var value: Double
    public var unit: Double?
    public var provenance: Provenance
    public var source: String

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
    public var series: String
    public var window: Int
    public var threshold: Double
    public var direction: ThresholdDirection

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
    case minimum(series: String)
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

public struct NormalisationRange: Sendable, Equatable {
    public var low: Double
    public var high: Double
    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }
}

// MARK: Comparisons

/// How per-seed values are summarised across seeds.
public enum Aggregate: String, Sendable, Equatable, CaseIterable {
    case mean
    /// Interquartile mean (25 % trimmed mean), the rliable recommendation for few runs.
    case iqm
    case median

    func apply(_ x: [Double]) -> Double {
        switch self {
        case .mean: Descriptive.mean(x)
        case .iqm: Descriptive.interquartileMean(x)
        case .median: Descriptive.median(x)
        }
    }
}

public enum StandardDeviationKind: String, Sendable, Equatable, CaseIterable {
    /// ddof 1 (divides by n − 1).
    case sample
    /// ddof 0 (divides by n; NumPy's default `std`).
    case population
}

public enum EquivalenceMargin: Sendable, Equatable {
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
    public var mean: Double
    public var std: Double
    public var stdKind: StandardDeviationKind
    public var n: Int
    public var alpha: Double
    public var margin: EquivalenceMargin
    public var equivalence: EquivalenceRule

    /// The sample standard deviation (ddof 1) that Welch's test needs.
    public var sampleStd: Double {
        stdKind == .sample ? std : std * (Double(n) / Double(n - 1)).squareRoot()
    }
}

public struct BandComparison: Sendable, Equatable {
    public var statistic: Aggregate
    public var low: Double?
    public var high: Double?
    public var confidence: Double
    public var resamples: Int
    public var bootstrapSeed: UInt64?
}

public enum Better: String, Sendable, Equatable, CaseIterable {
    case higher, lower
}

public enum OrderingTest: String, Sendable, Equatable, CaseIterable {
    case mannWhitney = "mann-whitney"
    case welch
    /// Both tests must reject.
    case both
}

public struct OrderingComparison: Sendable, Equatable {
    public var better: Better
    public var test: OrderingTest
    public var alpha: Double
}

public enum FactorSides: String, Sendable, Equatable, CaseIterable {
    /// The ratio's CI lies in [1/factor, factor].
    case both
    /// The ratio's CI lies below factor (A at most factor × B).
    case upper
    /// The ratio's CI lies above 1/factor (A at least B / factor).
    case lower
}

public struct FactorComparison: Sendable, Equatable {
    public var statistic: Aggregate
    public var factor: Double
    public var sides: FactorSides
    public var confidence: Double
    public var resamples: Int
    public var bootstrapSeed: UInt64?
}

public enum Predicate: String, Sendable, Equatable, CaseIterable {
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
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
    public var predicate: Predicate
    public var value: Double
    public var minFraction: Double
    public var confidence: Double
}

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
