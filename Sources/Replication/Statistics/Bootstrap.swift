import ThreeFactor

/// Seeded percentile-bootstrap confidence intervals.
///
/// Every resample draws from a `RandomStream`, so an interval is a pure function of the
/// data and the stream's seed: a verification prints the same numbers every time.
public enum Bootstrap {
    /// A bootstrap confidence interval of a statistic.
    public struct Interval: Sendable, Equatable {
        /// The statistic on the original data.
        public var estimate: Double
        /// The interval's lower end (the `(1 - level) / 2` percentile of the resampled
        /// statistic).
        public var low: Double
        /// The interval's upper end (the `(1 + level) / 2` percentile).
        public var high: Double
        /// The confidence level, e.g. 0.95.
        public var level: Double
        /// The number of resamples drawn.
        public var resamples: Int
        /// Resamples on which the statistic was not finite (e.g. a ratio whose
        /// denominator was zero); they are left out of the percentiles and reported.
        public var undefinedResamples: Int
    }

    /// Percentile interval of `statistic` under the stratified bootstrap: every stratum
    /// (one sample per experiment) is resampled with replacement on its own, keeping its
    /// size, and `statistic` sees the resampled strata together. With one stratum this is
    /// the ordinary bootstrap; with several it is rliable's stratified bootstrap
    /// (Agarwal et al. 2021), which keeps every task represented in every resample.
    public static func percentileInterval(
        strata: [[Double]], level: Double, resamples: Int, stream: RandomStream,
        statistic: ([[Double]]) -> Double
    ) -> Interval {
        precondition(level > 0 && level < 1, "confidence level must be in (0, 1)")
        precondition(resamples > 0, "bootstrap needs at least one resample")
        precondition(strata.allSatisfy { !$0.isEmpty }, "bootstrap stratum is empty")
        var rng = stream
        var buffers = strata
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var undefined = 0
        for _ in 0..<resamples {
            for s in strata.indices {
                let source = strata[s]
                for k in source.indices { buffers[s][k] = source[rng.integer(below: source.count)] }
            }
            let v = statistic(buffers)
            if v.isFinite { values.append(v) } else { undefined += 1 }
        }
        values.sort()
        let alpha = 1 - level
        let low = values.isEmpty ? .nan : Descriptive.sortedQuantile(values, alpha / 2)
        let high = values.isEmpty ? .nan : Descriptive.sortedQuantile(values, 1 - alpha / 2)
        return Interval(
            estimate: statistic(strata), low: low, high: high, level: level,
            resamples: resamples, undefinedResamples: undefined)
    }
}
