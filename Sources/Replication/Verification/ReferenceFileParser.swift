import Foundation

extension ReferenceFile {
    /// Reads and validates `data/reference/<paper>.toml`. The `paper` key must equal the
    /// file's base name.
    public static func load(path: String) throws -> ReferenceFile {
        let file = try read(ConfigFile.load(path), file: path)
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        if file.paper != base {
            throw ReferenceFileError(
                file: path, key: "paper",
                message: "is \"\(file.paper)\" but the file is named \(base).toml; they must agree")
        }
        return file
    }

    /// Parses and validates reference-file text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> ReferenceFile {
        try read(ConfigFile.parse(text, file: file), file: file)
    }

    static func read(_ root: [String: ConfigEntry], file: String) throws -> ReferenceFile {
        let top = ConfigReader(file: file, table: root, nonEmpty: true)
        let paper = try top.requiredString("paper")
        let checkTables = try top.tables("checks")
        let markTables = try top.tables("marks")
        let expectedTable = try top.subtable("expected_verdicts")
        let expectedAuthorsTable = try top.subtable("expected_verdicts_authors_code")
        try top.rejectUnknownKeys()

        if checkTables.isEmpty {
            throw ReferenceFileError(file: file, key: "checks", message: "the file has no [[checks]]; a reference file must hold at least one check")
        }
        var checks: [ReferenceCheck] = []
        var seen: Set<String> = []
        for (index, table) in checkTables.enumerated() {
            let check = try parseCheck(table.table, index: index + 1, file: file)
            if !seen.insert(check.id).inserted {
                throw ReferenceFileError(file: file, check: "check \"\(check.id)\"", key: "id", message: "is used by more than one check; ids must be unique")
            }
            checks.append(check)
        }
        var marks: [ReferenceMark] = []
        for (index, table) in markTables.enumerated() {
            let r = ConfigReader(file: file, table: table.table, check: "mark #\(index + 1)", nonEmpty: true)
            let mark = ReferenceMark(
                figure: try r.requiredString("figure"), label: try r.requiredString("label"),
                value: try r.requiredNumber("value"), unit: try r.number("unit"),
                provenance: try r.provenance("provenance"), source: try r.requiredString("source"))
            try r.rejectUnknownKeys()
            marks.append(mark)
        }
        var file = ReferenceFile(paper: paper, checks: checks, marks: marks)
        file.expectedVerdicts = try parseExpectedVerdicts(expectedTable, checks: checks)
        file.expectedAuthorsCodeVerdicts = try parseExpectedVerdicts(expectedAuthorsTable, checks: checks)
        return file
    }

    /// `[expected_verdicts.<profile>]`: check id = "PASS" | "FAIL" | "MISSING", for checks of
    /// that profile.
    static func parseExpectedVerdicts(_ table: ConfigReader?, checks: [ReferenceCheck]) throws -> [String: [String: Verdict]] {
        guard let table else { return [:] }
        var result: [String: [String: Verdict]] = [:]
        for profile in table.table.keys.sorted() {
            guard let t = try table.subtable(profile) else { continue }
            var verdicts: [String: Verdict] = [:]
            for id in t.table.keys.sorted() {
                guard let check = checks.first(where: { $0.id == id }), check.profiles.contains(profile) else {
                    throw t.error(id, "no check \"\(id)\" of profile \"\(profile)\" in this file")
                }
                let text = try t.requiredString(id)
                guard let v = Verdict(rawValue: text) else { throw t.error(id, "expected PASS, FAIL or MISSING, got \"\(text)\"") }
                verdicts[id] = v
            }
            result[profile] = verdicts
        }
        return result
    }

    static func parseCheck(_ table: [String: ConfigEntry], index: Int, file: String) throws -> ReferenceCheck {
        // Name the check by its id as soon as there is one.
        var label = "check #\(index)"
        if case .value(.string(let id))? = table["id"], !id.isEmpty { label = "check \"\(id)\"" }
        let r = ConfigReader(file: file, table: table, check: label, nonEmpty: true)
        let id = try r.requiredString("id")
        let description = try r.requiredString("description")
        let experiments = try r.requiredStrings("experiments")
        let profiles = try r.requiredStrings("profiles")
        let provenance = try r.provenance("provenance")
        let source = try r.requiredString("source")
        let metricReader = try r.required("metric", "a table ([checks.metric])", r.subtable)
        let comparisonReader = try r.required("comparison", "a table ([checks.comparison])", r.subtable)
        let authorsReader = try r.subtable("authors_code")
        try r.rejectUnknownKeys()

        if Set(profiles).count != profiles.count {
            throw r.error("profiles", "lists a profile twice")
        }
        let metric = try parseMetric(metricReader)
        try metricReader.rejectUnknownKeys()
        let comparison = try parseComparison(comparisonReader, checkID: id)
        try comparisonReader.rejectUnknownKeys()

        let needed: ClosedRange<Int>
        switch comparison {
        case .reported, .fraction: needed = 1...1
        case .band: needed = 1...2
        case .ordering, .factor: needed = 2...2
        }
        if !needed.contains(experiments.count) {
            let what = needed.lowerBound == needed.upperBound
                ? "exactly \(needed.lowerBound)" : "\(needed.lowerBound) or \(needed.upperBound)"
            throw r.error("experiments", "a \(comparison.kind) comparison reads \(what) experiment(s), found \(experiments.count)")
        }
        if experiments.count == 2 && experiments[0] == experiments[1] {
            throw r.error("experiments", "names the same experiment twice")
        }
        var authorsCode: AuthorsCodeReference?
        if let a = authorsReader {
            let runs = try a.requiredStrings("runs")
            guard runs.count == experiments.count else {
                throw a.error("runs", "names \(runs.count) file(s); expected one per experiment of the check (\(experiments.count))")
            }
            let margin = try a.number("margin")
            if let m = margin, !(m > 0 && m.isFinite) { throw a.error("margin", "expected a positive number, got \(m)") }
            var comparisonHasMargin = false
            if case .reported = comparison { comparisonHasMargin = true }
            if margin == nil && !comparisonHasMargin {
                throw a.error("margin", "is required: the \(comparison.kind) comparison has no margin of its own")
            }
            let windows = try a.int("windows") ?? 10
            guard (1...1000).contains(windows) else { throw a.error("windows", "expected an integer in 1...1000, got \(windows)") }
            let alpha = try a.number("alpha") ?? 0.05
            guard alpha > 0 && alpha < 0.5 else { throw a.error("alpha", "expected a number in (0, 0.5), got \(alpha)") }
            try a.rejectUnknownKeys()
            authorsCode = AuthorsCodeReference(runs: runs, margin: margin, windows: windows, alpha: alpha)
        }
        return ReferenceCheck(
            id: id, description: description, experiments: experiments, metric: metric,
            comparison: comparison, profiles: profiles, provenance: provenance, source: source, authorsCode: authorsCode)
    }

    static func parseMetric(_ r: ConfigReader) throws -> Metric {
        let kinds = ["mean", "final", "min", "max", "running_average", "auc", "units_to_threshold", "steps_to_threshold", "reached_threshold"]
        let kind = try r.choice("kind", kinds, what: "metric")
        let series = try r.string("series") ?? "episode_return"
        func crossing() throws -> ThresholdCrossing {
            let direction = try r.optionalChoice("direction", ThresholdDirection.allCases.map(\.rawValue), what: "direction") ?? "above"
            return ThresholdCrossing(
                series: series, window: try r.requiredPositiveInteger("window"),
                threshold: try r.requiredNumber("threshold"),
                direction: ThresholdDirection(rawValue: direction)!)
        }
        switch kind {
        case "mean": return .mean(series: series)
        case "final": return .final(series: series, window: try r.requiredPositiveInteger("window"))
        case "min": return .minimum(series: series)
        case "max": return .maximum(series: series)
        case "running_average":
            return .runningAverage(series: series, window: try r.requiredPositiveInteger("window"), unit: try r.requiredPositiveInteger("unit"))
        case "auc":
            let window = try r.positiveInteger("window") ?? 1
            let low = try r.number("low"), high = try r.number("high")
            var range: NormalisationRange? = nil
            switch (low, high) {
            case (nil, nil): break
            case let (l?, h?):
                guard h > l else { throw r.error("high", "must be greater than low (\(l)), found \(h)") }
                range = NormalisationRange(low: l, high: h)
            case (nil, _): throw r.error("low", "missing: normalising an AUC needs both low and high")
            case (_, nil): throw r.error("high", "missing: normalising an AUC needs both low and high")
            }
            return .areaUnderCurve(series: series, window: window, normalisation: range)
        case "units_to_threshold", "steps_to_threshold":
            let c = try crossing()
            let censoring = try r.optionalChoice("censored", CensoringPolicy.allCases.map(\.rawValue), what: "censoring policy") ?? "fail"
            let count: CrossingCount = kind == "units_to_threshold"
                ? .units : .steps(lengthSeries: try r.string("length_series") ?? "episode_length")
            return .timeToThreshold(c, count: count, censoring: CensoringPolicy(rawValue: censoring)!)
        default:  // reached_threshold
            return .reachedThreshold(try crossing())
        }
    }

    static func parseComparison(_ r: ConfigReader, checkID: String) throws -> Comparison {
        let kind = try r.choice("kind", ["reported", "band", "ordering", "factor", "fraction"], what: "comparison")
        switch kind {
        case "reported":
            let mean = try r.requiredNumber("mean")
            let std = try r.requiredNumber("std")
            guard std >= 0 else { throw r.error("std", "must be >= 0, found \(std)") }
            let stdKind = StandardDeviationKind(rawValue: try r.choice("std_kind", StandardDeviationKind.allCases.map(\.rawValue), what: "standard deviation kind"))!
            let n = try r.requiredInt("n")
            guard n >= 2 else { throw r.error("n", "must be >= 2 (a reported std needs two runs), found \(n)") }
            let alpha = try r.probability("alpha", default: 0.05, below: 0.5)
            let absolute = try r.number("margin")
            let relative = try r.number("relative_margin")
            let margin: EquivalenceMargin
            switch (absolute, relative) {
            case let (m?, nil):
                guard m > 0 else { throw r.error("margin", "must be > 0, found \(m)") }
                margin = .absolute(m)
            case let (nil, f?):
                guard f > 0 else { throw r.error("relative_margin", "must be > 0, found \(f)") }
                guard mean != 0 else { throw r.error("relative_margin", "cannot be relative to a reported mean of 0; give margin") }
                margin = .relative(f)
            case (nil, nil): throw r.error("margin", "missing: give the equivalence margin as margin (absolute) or relative_margin (fraction of the reported mean)")
            default: throw r.error("relative_margin", "give either margin or relative_margin, not both")
            }
            let rule = EquivalenceRule(rawValue: try r.optionalChoice("equivalence", EquivalenceRule.allCases.map(\.rawValue), what: "equivalence rule") ?? "tost")!
            return .reported(ReportedComparison(mean: mean, std: std, stdKind: stdKind, n: n, alpha: alpha, margin: margin, equivalence: rule))
        case "band":
            let statistic = Aggregate(rawValue: try r.choice("statistic", Aggregate.allCases.map(\.rawValue), what: "statistic"))!
            let low = try r.number("low"), high = try r.number("high")
            if low == nil && high == nil { throw r.error("low", "missing: a band needs low, high, or both") }
            if let l = low, let h = high, h < l { throw r.error("high", "must be >= low (\(l)), found \(h)") }
            return .band(BandComparison(
                statistic: statistic, low: low, high: high,
                confidence: try r.probability("confidence", default: 0.95, below: 1),
                resamples: try r.resamples(), bootstrapSeed: try r.seed()))
        case "ordering":
            let better = Better(rawValue: try r.choice("better", Better.allCases.map(\.rawValue), what: "direction"))!
            let test = OrderingTest(rawValue: try r.optionalChoice("test", OrderingTest.allCases.map(\.rawValue), what: "test") ?? "mann-whitney")!
            return .ordering(OrderingComparison(better: better, test: test, alpha: try r.probability("alpha", default: 0.05, below: 0.5)))
        case "factor":
            let statistic = Aggregate(rawValue: try r.choice("statistic", Aggregate.allCases.map(\.rawValue), what: "statistic"))!
            let factor = try r.requiredNumber("factor")
            guard factor > 1 else { throw r.error("factor", "must be > 1, found \(factor)") }
            let sides = FactorSides(rawValue: try r.optionalChoice("sides", FactorSides.allCases.map(\.rawValue), what: "sides") ?? "both")!
            return .factor(FactorComparison(
                statistic: statistic, factor: factor, sides: sides,
                confidence: try r.probability("confidence", default: 0.95, below: 1),
                resamples: try r.resamples(), bootstrapSeed: try r.seed()))
        default:  // fraction
            let predicate = Predicate(rawValue: try r.choice("predicate", Predicate.allCases.map(\.rawValue), what: "predicate"))!
            let value = try r.requiredNumber("value")
            let minFraction = try r.requiredNumber("min_fraction")
            guard minFraction > 0 && minFraction <= 1 else { throw r.error("min_fraction", "must be in (0, 1], found \(minFraction)") }
            return .fraction(FractionComparison(
                predicate: predicate, value: value, minFraction: minFraction,
                confidence: try r.probability("confidence", default: 0.95, below: 1)))
        }
    }
}

/// Reference-file rules on top of the generic reader.
extension ConfigReader {
    func positiveInteger(_ k: String) throws -> Int? {
        guard let i = try int(k) else { return nil }
        guard i >= 1 else { throw error(k, "must be >= 1, found \(i)") }
        return i
    }

    func requiredPositiveInteger(_ k: String) throws -> Int { try required(k, "an integer", positiveInteger) }

    func optionalChoice(_ k: String, _ allowed: [String], what: String) throws -> String? {
        guard let s = try string(k) else { return nil }
        guard allowed.contains(s) else {
            throw error(k, "unknown \(what) \"\(s)\"; expected one of: \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return s
    }

    func choice(_ k: String, _ allowed: [String], what: String) throws -> String {
        try required(k, "a string") { try optionalChoice($0, allowed, what: what) }
    }

    func provenance(_ k: String) throws -> Provenance {
        let s = try requiredString(k)
        guard let p = Provenance.parse(s) else {
            throw error(k, "unknown provenance \"\(s)\"; expected one of: \(Provenance.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return p
    }

    /// A probability-like parameter in (0, `below`), with a default.
    func probability(_ k: String, default def: Double, below: Double) throws -> Double {
        guard let x = try number(k) else { return def }
        guard x > 0 && x < below else { throw error(k, "must be in (0, \(below)), found \(x)") }
        return x
    }

    func resamples() throws -> Int {
        let n = try positiveInteger("resamples") ?? 10_000
        guard n >= 1000 else { throw error("resamples", "must be >= 1000 for stable percentile intervals, found \(n)") }
        guard n <= 1_000_000 else { throw error("resamples", "must be at most 1000000, found \(n)") }
        return n
    }

    func seed() throws -> UInt64? {
        guard let i = try int("bootstrap_seed") else { return nil }
        guard i >= 0 else { throw error("bootstrap_seed", "must be >= 0, found \(i)") }
        return UInt64(i)
    }
}
