/// Exact (Clopper–Pearson) confidence interval of a binomial proportion k/n.
public func clopperPearsonInterval(successes k: Int, trials n: Int, level: Double) -> (low: Double, high: Double) {
    precondition(n > 0 && k >= 0 && k <= n, "need 0 <= k <= n, n > 0")
    let alpha = 1 - level
    let low = k == 0 ? 0 : BetaDistribution.quantile(alpha / 2, Double(k), Double(n - k + 1))
    let high = k == n ? 1 : BetaDistribution.quantile(1 - alpha / 2, Double(k + 1), Double(n - k))
    return (low, high)
}
