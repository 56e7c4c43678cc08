/// Sample efficiency of one run's learning curve: the area under it and the units it
/// takes to reach a threshold.
///
/// Goal: the two per-run numbers a benchmark needs besides the final score, shared by the
/// verifier's metrics (`Metric.areaUnderCurve`, `Metric.timeToThreshold`) and the
/// benchmark report so both compute them one way. rliable has no per-run AUC (its
/// sample-efficiency curves are IQMs at each checkpoint, Agarwal et al., NeurIPS 2021,
/// figure 9); the per-run numbers here become entries of a `ScoreMatrix` and get
/// rliable's aggregates and intervals from there.
///
/// Definitions (units are episodes, batches or control blocks, as logged):
/// - the curve is the trailing running average of the series (`runningAverageCurve`),
///   partial at the start;
/// - the area is the mean of the curve (area under it divided by the number of units),
///   mapped linearly with `normalisation` so that `low` → 0 and `high` → 1 (e.g. random
///   policy and solved score), which makes areas of different tasks comparable;
/// - units to a threshold is the 1-based unit at which the curve first reaches it (≥ for
///   `.above`, ≤ for `.below`); a run that never does is *censored* at budget + 1, a lower
///   bound, and must be reported as such.
///
/// Numerical hazards: the running sum accumulates rounding over long series (relative
/// 1e-16 × units, negligible for any logged run); a normalisation with high == low is
/// refused.
public func runningAverageCurve(_ x: [Double], window: Int) -> [Double] {
    precondition(window >= 1, "running-average window must be >= 1")
    var out = [Double](repeating: 0, count: x.count)
    var sum = 0.0
    for k in x.indices {
        sum += x[k]
        if k >= window { sum -= x[k - window] }
        out[k] = sum / Double(min(k + 1, window))
    }
    return out
}

/// Area under the running-average curve divided by its number of units, normalised when
/// a range is given.
public func areaUnderCurve(_ series: [Double], window: Int = 1, normalisation: NormalisationRange? = nil) -> Double {
    precondition(!series.isEmpty, "area under an empty curve")
    let area = Descriptive.mean(runningAverageCurve(series, window: window))
    guard let r = normalisation else { return area }
    precondition(r.high != r.low, "normalisation range is empty")
    return (area - r.low) / (r.high - r.low)
}

/// Units until the running average first reaches `threshold`: the 1-based crossing unit,
/// or `series.count + 1` with `censored` set when it never does.
public func unitsToThreshold(
    _ series: [Double], window: Int = 1, threshold: Double, direction: ThresholdDirection = .above
) -> (units: Int, censored: Bool) {
    if let k = firstCrossing(series, window: window, threshold: threshold, direction: direction) {
        return (k + 1, false)
    }
    return (series.count + 1, true)
}

/// 0-based index of the first unit whose running average reaches the threshold.
func firstCrossing(_ series: [Double], window: Int, threshold: Double, direction: ThresholdDirection) -> Int? {
    runningAverageCurve(series, window: window).firstIndex {
        direction == .above ? $0 >= threshold : $0 <= threshold
    }
}
