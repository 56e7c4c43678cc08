import Foundation
import TOMLKit

/// A reference file that cannot be used, with everything needed to fix it: the file, the
/// check (by id, or by position when it has none), the key, and what was expected.
public struct ReferenceFileError: Error, CustomStringConvertible, Equatable {
    public var file: String
    /// `check "id"` or `check #3`; nil for top-level problems.
    public var check: String?
    /// Dotted key, e.g. "comparison.std".
    public var key: String?
    public var message: String

    public var description: String {
        var parts = [file]
        if let check { parts.append(check) }
        if let key { parts.append("key \"\(key)\"") }
        return parts.joined(separator: ": ") + ": " + message
    }
}

extension ReferenceFile {
    /// Reads and validates `data/reference/<paper>.toml`. The `paper` key must equal the
    /// file's base name.
    public static func load(path: String) throws -> ReferenceFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReferenceFileError(file: path, check: nil, key: nil, message: "cannot read the file (\(error.localizedDescription))")
        }
        let file = try parse(text, file: path)
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        if file.paper != base {
            throw ReferenceFileError(
                file: path, check: nil, key: "paper",
                message: "is \"\(file.paper)\" but the file is named \(base).toml; they must agree")
        }
        return file
    }

    /// Parses and validates reference-file text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> ReferenceFile {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ReferenceFileError(
                file: file, check: nil, key: nil,
                message: "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        var top = FieldReader(table: root, prefix: "", file: file, check: nil)
        let paper = try top.string("paper")
        let checkTables = try top.tableArray("checks")
        let markTables = try top.optionalTableArray("marks") ?? []
        try top.rejectUnknownKeys()

        if checkTables.isEmpty {
            throw ReferenceFileError(file: file, check: nil, key: "checks", message: "the file has no [[checks]]; a reference file must hold at least one check")
        }
        var checks: [ReferenceCheck] = []
        var seen: Set<String> = []
        for (index, table) in checkTables.enumerated() {
            let check = try parseCheck(table, index: index + 1, file: file)
            if !seen.insert(check.id).inserted {
                throw ReferenceFileError(file: file, check: "check \"\(check.id)\"", key: "id", message: "is used by more than one check; ids must be unique")
            }
            checks.append(check)
        }
        var marks: [ReferenceMark] = []
        for (index, table) in markTables.enumerated() {
            var r = FieldReader(table: table, prefix: "", file: file, check: "mark #\(index + 1)")
            let mark = ReferenceMark(
                figure: try r.string("figure"), label: try r.string("label"),
                value: try r.number("value"), unit: try r.optionalNumber("unit"),
                provenance: try r.provenance("provenance"), source: try r.string("source"))
            try r.rejectUnknownKeys()
            marks.append(mark)
        }
        return ReferenceFile(paper: paper, checks: checks, marks: marks)
    }

    static func parseCheck(_ table: TOMLTable, index: Int, file: String) throws -> ReferenceCheck {
        // Name the check by its id as soon as there is one.
        var label = "check #\(index)"
        if let id = table["id"]?.string, !id.isEmpty { label = "check \"\(id)\"" }
        var r = FieldReader(table: table, prefix: "", file: file, check: label)
        let id = try r.string("id")
        let description = try r.string("description")
        let experiments = try r.stringList("experiments")
        let profiles = try r.stringList("profiles")
        let provenance = try r.provenance("provenance")
        let source = try r.string("source")
        var metricReader = try r.subtable("metric")
        var comparisonReader = try r.subtable("comparison")
        try r.rejectUnknownKeys()

        if Set(profiles).count != profiles.count {
            throw r.error("profiles", "lists a profile twice")
        }
        let metric = try parseMetric(&metricReader)
        try metricReader.rejectUnknownKeys()
        let comparison = try parseComparison(&comparisonReader, checkID: id)
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
        return ReferenceCheck(
            id: id, description: description, experiments: experiments, metric: metric,
            comparison: comparison, profiles: profiles, provenance: provenance, source: source)
    }

    static func parseMetric(_ r: inout FieldReader) throws -> Metric {
        let kinds = ["mean", "final", "min", "max", "running_average", "auc", "units_to_threshold", "steps_to_threshold", "reached_threshold"]
        let kind = try r.choice("kind", kinds, what: "metric")
        let series = try r.optionalString("series") ?? "episode_return"
        func crossing() throws -> ThresholdCrossing {
            let direction = try r.optionalChoice("direction", ThresholdDirection.allCases.map(\.rawValue), what: "direction") ?? "above"
            return ThresholdCrossing(
                series: series, window: try r.positiveInteger("window"),
                threshold: try r.number("threshold"),
                direction: ThresholdDirection(rawValue: direction)!)
        }
        switch kind {
        case "mean": return .mean(series: series)
        case "final": return .final(series: series, window: try r.positiveInteger("window"))
        case "min": return .minimum(series: series)
        case "max": return .maximum(series: series)
        case "running_average":
            return .runningAverage(series: series, window: try r.positiveInteger("window"), unit: try r.positiveInteger("unit"))
        case "auc":
            let window = try r.optionalPositiveInteger("window") ?? 1
            let low = try r.optionalNumber("low"), high = try r.optionalNumber("high")
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
                ? .units : .steps(lengthSeries: try r.optionalString("length_series") ?? "episode_length")
            return .timeToThreshold(c, count: count, censoring: CensoringPolicy(rawValue: censoring)!)
        default:  // reached_threshold
            return .reachedThreshold(try crossing())
        }
    }

    static func parseComparison(_ r: inout FieldReader, checkID: String) throws -> Comparison {
        let kind = try r.choice("kind", ["reported", "band", "ordering", "factor", "fraction"], what: "comparison")
        switch kind {
        case "reported":
            let mean = try r.number("mean")
            let std = try r.number("std")
            guard std >= 0 else { throw r.error("std", "must be >= 0, found \(std)") }
            let stdKind = StandardDeviationKind(rawValue: try r.choice("std_kind", StandardDeviationKind.allCases.map(\.rawValue), what: "standard deviation kind"))!
            let n = try r.integer("n")
            guard n >= 2 else { throw r.error("n", "must be >= 2 (a reported std needs two runs), found \(n)") }
            let alpha = try r.probability("alpha", default: 0.05, below: 0.5)
            let absolute = try r.optionalNumber("margin")
            let relative = try r.optionalNumber("relative_margin")
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
            let low = try r.optionalNumber("low"), high = try r.optionalNumber("high")
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
            let factor = try r.number("factor")
            guard factor > 1 else { throw r.error("factor", "must be > 1, found \(factor)") }
            let sides = FactorSides(rawValue: try r.optionalChoice("sides", FactorSides.allCases.map(\.rawValue), what: "sides") ?? "both")!
            return .factor(FactorComparison(
                statistic: statistic, factor: factor, sides: sides,
                confidence: try r.probability("confidence", default: 0.95, below: 1),
                resamples: try r.resamples(), bootstrapSeed: try r.seed()))
        default:  // fraction
            let predicate = Predicate(rawValue: try r.choice("predicate", Predicate.allCases.map(\.rawValue), what: "predicate"))!
            let value = try r.number("value")
            let minFraction = try r.number("min_fraction")
            guard minFraction > 0 && minFraction <= 1 else { throw r.error("min_fraction", "must be in (0, 1], found \(minFraction)") }
            return .fraction(FractionComparison(
                predicate: predicate, value: value, minFraction: minFraction,
                confidence: try r.probability("confidence", default: 0.95, below: 1)))
        }
    }
}

/// Typed access to one TOML table that remembers every key it was asked about, so that
/// any other key can be reported as unknown (a misspelt optional key must not be
/// silently ignored).
struct FieldReader {
    let table: TOMLTable
    /// "metric." or "comparison." for nested tables.
    let prefix: String
    let file: String
    let check: String?
    private(set) var known: [String] = []

    init(table: TOMLTable, prefix: String, file: String, check: String?) {
        self.table = table
        self.prefix = prefix
        self.file = file
        self.check = check
    }

    func error(_ key: String, _ message: String) -> ReferenceFileError {
        ReferenceFileError(file: file, check: check, key: prefix + key, message: message)
    }

    private mutating func value(_ key: String) -> TOMLValueConvertible? {
        if !known.contains(key) { known.append(key) }
        return table[key]
    }

    private func found(_ v: TOMLValueConvertible) -> String {
        "found \(v.type.description) \(v.debugDescription)"
    }

    private mutating func required(_ key: String, _ expected: String) throws -> TOMLValueConvertible {
        guard let v = value(key) else { throw error(key, "missing; expected \(expected)") }
        return v
    }

    mutating func string(_ key: String) throws -> String {
        let v = try required(key, "a string")
        guard let s = v.string else { throw error(key, "expected a string, \(found(v))") }
        guard !s.isEmpty else { throw error(key, "must not be empty") }
        return s
    }

    mutating func optionalString(_ key: String) throws -> String? {
        guard value(key) != nil else { return nil }
        return try string(key)
    }

    mutating func number(_ key: String) throws -> Double {
        let v = try required(key, "a number")
        if let x = v.double { guard x.isFinite else { throw error(key, "must be finite, found \(x)") }; return x }
        if let i = v.int { return Double(i) }
        throw error(key, "expected a number, \(found(v))")
    }

    mutating func optionalNumber(_ key: String) throws -> Double? {
        guard value(key) != nil else { return nil }
        return try number(key)
    }

    mutating func integer(_ key: String) throws -> Int {
        let v = try required(key, "an integer")
        guard let i = v.int else { throw error(key, "expected an integer, \(found(v))") }
        return i
    }

    mutating func positiveInteger(_ key: String) throws -> Int {
        let i = try integer(key)
        guard i >= 1 else { throw error(key, "must be >= 1, found \(i)") }
        return i
    }

    mutating func optionalPositiveInteger(_ key: String) throws -> Int? {
        guard value(key) != nil else { return nil }
        return try positiveInteger(key)
    }

    mutating func stringList(_ key: String) throws -> [String] {
        let v = try required(key, "an array of strings")
        guard let array = v.array else { throw error(key, "expected an array of strings, \(found(v))") }
        var out: [String] = []
        for element in array {
            guard let s = element.string, !s.isEmpty else {
                throw error(key, "expected an array of non-empty strings, found element \(element.type.description) \(element.debugDescription)")
            }
            out.append(s)
        }
        guard !out.isEmpty else { throw error(key, "must not be empty") }
        return out
    }

    mutating func choice(_ key: String, _ allowed: [String], what: String) throws -> String {
        let s = try string(key)
        guard allowed.contains(s) else {
            throw error(key, "unknown \(what) \"\(s)\"; expected one of: \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return s
    }

    mutating func optionalChoice(_ key: String, _ allowed: [String], what: String) throws -> String? {
        guard value(key) != nil else { return nil }
        return try choice(key, allowed, what: what)
    }

    mutating func provenance(_ key: String) throws -> Provenance {
        let s = try string(key)
        guard let p = Provenance.parse(s) else {
            throw error(key, "unknown provenance \"\(s)\"; expected one of: \(Provenance.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return p
    }

    /// A probability-like parameter in (0, `below`), with a default.
    mutating func probability(_ key: String, default def: Double, below: Double) throws -> Double {
        guard value(key) != nil else { return def }
        let x = try number(key)
        guard x > 0 && x < below else { throw error(key, "must be in (0, \(below)), found \(x)") }
        return x
    }

    mutating func resamples() throws -> Int {
        let n = try optionalPositiveInteger("resamples") ?? 10_000
        guard n >= 1000 else { throw error("resamples", "must be >= 1000 for stable percentile intervals, found \(n)") }
        return n
    }

    mutating func seed() throws -> UInt64? {
        guard value("bootstrap_seed") != nil else { return nil }
        let i = try integer("bootstrap_seed")
        guard i >= 0 else { throw error("bootstrap_seed", "must be >= 0, found \(i)") }
        return UInt64(i)
    }

    mutating func subtable(_ key: String) throws -> FieldReader {
        let v = try required(key, "a table ([checks.\(key)])")
        guard let t = v.table else { throw error(key, "expected a table, \(found(v))") }
        return FieldReader(table: t, prefix: prefix + key + ".", file: file, check: check)
    }

    mutating func tableArray(_ key: String) throws -> [TOMLTable] {
        let v = try required(key, "an array of tables ([[\(key)]])")
        return try tables(key, v)
    }

    mutating func optionalTableArray(_ key: String) throws -> [TOMLTable]? {
        guard let v = value(key) else { return nil }
        return try tables(key, v)
    }

    private func tables(_ key: String, _ v: TOMLValueConvertible) throws -> [TOMLTable] {
        guard let array = v.array else { throw error(key, "expected an array of tables ([[\(key)]]), \(found(v))") }
        return try array.map { element in
            guard let t = element.table else { throw error(key, "expected an array of tables ([[\(key)]]), found an element of type \(element.type.description)") }
            return t
        }
    }

    /// Throws for the first key (in file order) that no accessor asked about.
    func rejectUnknownKeys() throws {
        for key in table.keys where !known.contains(key) {
            throw error(key, "unknown key; allowed here: \(known.joined(separator: ", "))")
        }
    }
}
