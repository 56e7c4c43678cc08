/// Summary statistics of a sample of per-seed values.
public enum Descriptive {
    /// The arithmetic mean; an empty sample is a programming error.
    public static func mean(_ x: [Double]) -> Double {
        precondition(!x.isEmpty, "mean of an empty sample")
        return x.reduce(0, +) / Double(x.count)
    }

    /// Variance with `ddof` degrees of freedom removed (1: the unbiased sample
    /// variance; 0: the population variance, as NumPy's default `std` reports).
    public static func variance(_ x: [Double], ddof: Int = 1) -> Double {
        precondition(x.count > ddof, "variance needs more than \(ddof) values")
        let m = mean(x)
        // Two passes: the correction term removes the rounding error of the mean.
        var squares = 0.0, sum = 0.0
        for v in x {
            squares += (v - m) * (v - m)
            sum += v - m
        }
        return (squares - sum * sum / Double(x.count)) / Double(x.count - ddof)
    }

    /// Sample standard deviation (ddof 1 unless stated).
    public static func standardDeviation(_ x: [Double], ddof: Int = 1) -> Double {
        variance(x, ddof: ddof).squareRoot()
    }

    /// Standard error of the mean, s / sqrt(n) with the sample standard deviation.
    public static func standardError(_ x: [Double]) -> Double {
        standardDeviation(x) / Double(x.count).squareRoot()
    }

    /// The median (the 0.5 quantile, averaging the two middle values of an even sample).
    public static func median(_ x: [Double]) -> Double {
        quantile(x, 0.5)
    }

    /// The q-quantile with linear interpolation between order statistics (NumPy's
    /// default, "type 7").
    public static func quantile(_ x: [Double], _ q: Double) -> Double {
        precondition(!x.isEmpty, "quantile of an empty sample")
        return sortedQuantile(x.sorted(), q)
    }

    static func sortedQuantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + fraction * (sorted[above] - sorted[below])
    }

    /// Mean after cutting `floor(proportion * n)` values from each end of the sorted
    /// sample (SciPy's `trim_mean`).
    public static func trimmedMean(_ x: [Double], proportionToCut: Double) -> Double {
        precondition(!x.isEmpty, "trimmed mean of an empty sample")
        let sorted = x.sorted()
        let cut = Int((proportionToCut * Double(x.count)).rounded(.down))
        return mean(Array(sorted[cut..<(sorted.count - cut)]))
    }

    /// The interquartile mean: the mean of the middle half of the values (25 % trimmed
    /// mean, computed as rliable does with `trim_mean(x, 0.25)`).
    ///
    /// Agarwal et al., "Deep reinforcement learning at the edge of the statistical
    /// precipice", NeurIPS 2021: with few runs the IQM is far less sensitive to one
    /// outlying run than the mean and far more statistically efficient than the median.
    public static func interquartileMean(_ x: [Double]) -> Double {
        trimmedMean(x, proportionToCut: 0.25)
    }

    /// Ranks 1...n, tied values sharing the average of their ranks, and the size of
    /// every group of tied values (for the tie correction of rank tests).
    public static func averageRanks(_ x: [Double]) -> (ranks: [Double], tieGroupSizes: [Int]) {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var ranks = [Double](repeating: 0, count: x.count)
        var groups: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && x[order[end]] == x[order[start]] { end += 1 }
            let averageRank = Double(start + 1 + end) / 2
            for i in start..<end { ranks[order[i]] = averageRank }
            groups.append(end - start)
            start = end
        }
        return (ranks, groups)
    }
}
