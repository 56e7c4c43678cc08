// runningAverageCurve, areaUnderCurve and unitsToThreshold: Statistics/SampleEfficiency.swift.

/// One seed's value of a metric.
public struct SeedValue: Sendable, Equatable {
    /// The seed.
    public var seed: Int
    /// The metric's value for the seed.
    public var value: Double
    /// The seed never reached the threshold; `value` is a lower bound (budget + 1).
    public var censored: Bool
}

/// Why a metric could not be computed from a seed's log.
public enum MetricProblem: Error, Equatable {
    /// The log lacks what the metric needs (a series, enough units): MISSING.
    case missing(String)
    /// The data are there but give no usable number (non-finite values): FAIL.
    case invalid(String)
}

extension Metric {
    /// The series the metric reads.
    public var seriesNames: [String] {
        switch self {
        case .mean(let s), .final(let s, _), .minimum(let s), .maximum(let s),
             .runningAverage(let s, _, _), .areaUnderCurve(let s, _, _):
            return [s]
        case .timeToThreshold(let c, let count, _):
            if case .steps(let lengths) = count { return [c.series, lengths] }
            return [c.series]
        case .reachedThreshold(let c): return [c.series]
        }
    }

    /// The smallest number of units a seed must have for the metric to be defined.
    var unitsNeeded: Int {
        switch self {
        case .final(_, let window): window
        case .runningAverage(_, _, let unit): unit
        default: 1
        }
    }

    /// What is measured per seed, for the report (not which direction is better: that
    /// belongs to the comparison).
    public var summary: String {
        switch self {
        case .mean(let s): return "mean \(s) over all units"
        case .final(let s, let w): return w == 1 ? "last \(s)" : "mean \(s) over the last \(w) units"
        case .minimum(let s): return "min \(s)"
        case .maximum(let s): return "max \(s)"
        case .runningAverage(let s, let w, let u): return "running average (window \(w)) of \(s) at unit \(u)"
        case .areaUnderCurve(let s, let w, let r):
            let curve = w == 1 ? s : "running average (window \(w)) of \(s)"
            if let r { return "normalised AUC of \(curve), [\(format(r.low)), \(format(r.high))] -> [0, 1]" }
            return "AUC / units of \(curve)"
        case .timeToThreshold(let c, let count, _):
            let what: String
            switch count {
            case .units: what = "units"
            case .steps(let lengths): what = "steps (sum of \(lengths))"
            }
            return "\(what) until running average (window \(c.window)) of \(c.series) \(c.direction == .above ? ">=" : "<=") \(format(c.threshold))"
        case .reachedThreshold(let c):
            return "reached: running average (window \(c.window)) of \(c.series) \(c.direction == .above ? ">=" : "<=") \(format(c.threshold)) (1/0)"
        }
    }

    /// The metric's value for one seed.
    public func evaluate(_ log: SeedLog) -> Result<SeedValue, MetricProblem> {
        var data: [String: [Double]] = [:]
        for name in seriesNames {
            guard let s = log.series[name] else {
                let available = log.series.keys.sorted().joined(separator: ", ")
                return .failure(.missing("seed \(log.seed) has no series \"\(name)\" (it has: \(available))"))
            }
            guard s.count >= unitsNeeded else {
                return .failure(.missing("seed \(log.seed) has \(s.count) units of \"\(name)\"; the metric needs \(unitsNeeded)"))
            }
            if let bad = s.firstIndex(where: { !$0.isFinite }) {
                return .failure(.invalid("seed \(log.seed): \"\(name)\" is \(s[bad]) at unit \(bad + 1)"))
            }
            data[name] = s
        }
        func ok(_ v: Double, censored: Bool = false) -> Result<SeedValue, MetricProblem> {
            .success(SeedValue(seed: log.seed, value: v, censored: censored))
        }
        switch self {
        case .mean(let s): return ok(Descriptive.mean(data[s]!))
        case .final(let s, let w): return ok(Descriptive.mean(Array(data[s]!.suffix(w))))
        case .minimum(let s): return ok(data[s]!.min()!)
        case .maximum(let s): return ok(data[s]!.max()!)
        case .runningAverage(let s, let w, let u):
            let x = data[s]!
            return ok(Descriptive.mean(Array(x[max(0, u - w)..<u])))
        case .areaUnderCurve(let s, let w, let r):
            return ok(Replication.areaUnderCurve(data[s]!, window: w, normalisation: r))
        case .timeToThreshold(let c, let count, _):
            let x = data[c.series]!
            switch count {
            case .units:
                let (units, censored) = unitsToThreshold(x, window: c.window, threshold: c.threshold, direction: c.direction)
                return ok(Double(units), censored: censored)
            case .steps(let lengths):
                let l = data[lengths]!
                if let k = firstCrossing(x, window: c.window, threshold: c.threshold, direction: c.direction) { return ok(l[0...k].reduce(0, +)) }
                return ok(l.reduce(0, +) + 1, censored: true)
            }
        case .reachedThreshold(let c):
            let reached = firstCrossing(data[c.series]!, window: c.window, threshold: c.threshold, direction: c.direction) != nil
            return ok(reached ? 1 : 0)
        }
    }
}
