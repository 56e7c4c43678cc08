import ThreeFactor

/// Seeded percentile-bootstrap confidence intervals, plain and stratified.
///
/// Every resample draws from a `RandomStream`, so an interval is a pure function of the
/// data and the stream's seed: a verification prints the same numbers every time. The
/// draws can instead be supplied (`Draws.supplied`), which is how the known-answer tests
/// replay the very resamples that rliable drew and compare intervals exactly.
///
/// Stratified bootstrap (Agarwal et al., "Deep reinforcement learning at the edge of the
/// statistical precipice", NeurIPS 2021; google-research/rliable, `rliable/library.py`,
/// `StratifiedBootstrap` and `StratifiedIndependentBootstrap`): every stratum (a task, or
/// one experiment's seeds) is resampled with replacement on its own, keeping its size, so
/// every task is represented in every resample. With one stratum this is the ordinary
/// bootstrap.
///
/// The percentile interval takes the type-7 quantiles (NumPy's default `np.percentile`,
/// which `arch`'s `conf_int(method="percentile")` calls) at (1 − level)/2 and
/// 1 − (1 − level)/2 of the resampled statistics.
///
/// Numerical hazards: a statistic that is not finite on some resamples (a ratio whose
/// denominator was resampled to zero) would poison the percentiles; such resamples are
/// left out and counted in `undefinedResamples`, which a caller must report. A
/// statistic that takes few distinct values (a fraction of 10 runs) gives intervals on
/// its lattice; that is the bootstrap's answer, not an error.
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

    /// Where the resample indices come from.
    public enum Draws: Sendable {
        /// `resamples` resamples drawn from the stream: for each resample, for each
        /// stratum in order, for each position in order, `integer(below: stratum size)`.
        case stream(RandomStream, resamples: Int)
        /// Given indices: `indices[r][s][k]` is the element of stratum `s` placed at
        /// position `k` of resample `r` (each inner array as long as its stratum, every
        /// index within it). The number of resamples is `indices.count`.
        case supplied([[[Int]]])

        var resamples: Int {
            switch self {
            case .stream(_, let n): n
            case .supplied(let indices): indices.count
            }
        }
    }

    /// Percentile intervals of a vector-valued statistic of resampled indices: the core
    /// every other entry point uses.
    ///
    /// `statistic` receives, for each stratum, the indices of the elements that form the
    /// resample (on the original data: `0..<size` for every stratum), and returns one
    /// value per component; every call must return the same number of components. Each
    /// component gets its own interval from the same resamples.
    public static func percentileIntervals(
        strataSizes: [Int], level: Double, draws: Draws,
        statistic: ([[Int]]) -> [Double]
    ) -> [Interval] {
        precondition(level > 0 && level < 1, "confidence level must be in (0, 1)")
        precondition(draws.resamples > 0, "bootstrap needs at least one resample")
        precondition(strataSizes.allSatisfy { $0 > 0 }, "bootstrap stratum is empty")
        let identity = strataSizes.map { Array(0..<$0) }
        let estimate = statistic(identity)
        var values = [[Double]](repeating: [], count: estimate.count)
        for c in values.indices { values[c].reserveCapacity(draws.resamples) }
        var undefined = [Int](repeating: 0, count: estimate.count)

        func record(_ v: [Double]) {
            precondition(v.count == estimate.count, "the statistic changed its number of components")
            for c in v.indices {
                if v[c].isFinite { values[c].append(v[c]) } else { undefined[c] += 1 }
            }
        }
        switch draws {
        case .stream(let stream, let resamples):
            var rng = stream
            var buffers = identity
            for _ in 0..<resamples {
                for s in strataSizes.indices {
                    let size = strataSizes[s]
                    for k in 0..<size { buffers[s][k] = rng.integer(below: size) }
                }
                record(statistic(buffers))
            }
        case .supplied(let indices):
            for resample in indices {
                precondition(resample.count == strataSizes.count, "supplied resample has \(resample.count) strata, the data \(strataSizes.count)")
                for s in strataSizes.indices {
                    precondition(resample[s].count == strataSizes[s], "supplied stratum \(s) has \(resample[s].count) indices for \(strataSizes[s]) elements")
                    precondition(resample[s].allSatisfy { $0 >= 0 && $0 < strataSizes[s] }, "supplied index out of range in stratum \(s)")
                }
                record(statistic(resample))
            }
        }
        let alpha = 1 - level
        return estimate.indices.map { c in
            let sorted = values[c].sorted()
            return Interval(
                estimate: estimate[c],
                low: sorted.isEmpty ? .nan : Descriptive.sortedQuantile(sorted, alpha / 2),
                high: sorted.isEmpty ? .nan : Descriptive.sortedQuantile(sorted, 1 - alpha / 2),
                level: level, resamples: draws.resamples, undefinedResamples: undefined[c])
        }
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
        precondition(strata.allSatisfy { !$0.isEmpty }, "bootstrap stratum is empty")
        var buffers = strata
        return percentileIntervals(
            strataSizes: strata.map(\.count), level: level,
            draws: .stream(stream, resamples: resamples)
        ) { indices in
            for s in strata.indices {
                for (k, i) in indices[s].enumerated() { buffers[s][k] = strata[s][i] }
            }
            return [statistic(buffers)]
        }[0]
    }
}
