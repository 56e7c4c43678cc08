import Testing
@testable import ThreeFactor

@Suite struct REINFORCETeamTests {
    /// The REINFORCE eligibilities are an unbiased estimate of the gradient of the expected
    /// output: for every first- and second-layer weight, the average of
    /// (v - m̄) * x_i * e_j over 10,000 samples must lie within 4 standard errors of the
    /// pathwise gradient of E[v] (central differences with common random numbers). The
    /// test is not vacuous: at least one gradient exceeds 8 standard errors, so a flipped
    /// sign or a wrong scale would fail it.
    @Test func eligibilitiesEstimateTheGradientOfTheExpectedOutput() {
        let samples = 10_000
        let reference = TestNetworks.make(output: .gaussian, variances: [0.3, 0.5, 0.2], batchSize: samples)
        var net = reference
        net.forward()
        let baseline = net.meanFieldOutput()
        net.reinforceEligibilities()
        var significant = 0
        for l in 0..<2 {
            let rows = l == 0 ? 3 : 5, columns = l == 0 ? 5 : 4
            for i in 0..<rows {
                for j in 0..<columns {
                    var sum = 0.0, sumSquares = 0.0
                    for r in 0..<samples {
                        let x = l == 0 ? TestNetworks.input[i] : net.activity(.value, layer: 0, row: r)[i]
                        let g = (net.outputValue(row: r) - baseline) * x * net.activity(.eligibility, layer: l, row: r)[j]
                        sum += g
                        sumSquares += g * g
                    }
                    let mean = sum / Double(samples)
                    let standardError = ((sumSquares / Double(samples) - mean * mean) / Double(samples)).squareRoot()
                    let pathwise = TestNetworks.weightDerivative(reference, layer: l, index: i * columns + j, step: 1e-5) { n in
                        var n = n
                        n.forward()
                        var total = 0.0
                        for r in 0..<samples { total += n.outputMean(row: r) }
                        return total / Double(samples)
                    }
                    #expect(abs(mean - pathwise) < 4 * standardError, "layer \(l) w[\(i),\(j)]: \(mean) ± \(standardError) vs \(pathwise)")
                    if abs(pathwise) > 8 * standardError { significant += 1 }
                }
            }
        }
        #expect(significant > 0)
    }

    /// The critic's output unit is gated by 1/(v - m): its eligibility becomes 1/var_L,
    /// exactly the delta rule; hidden units are weighted by (v - baseline).
    @Test func criticGates() {
        var net = TestNetworks.make(output: .gaussian, variances: [0.3, 0.5, 0.2])
        net.forward()
        net.reinforceEligibilities()
        let before = (0..<3).map { net.activity(.eligibility, layer: $0) }
        let v = net.outputValue()
        net.applyREINFORCECriticGate(baseline: 0.25)
        #expect(abs(net.activity(.eligibility, layer: 2)[0] - 1 / 0.2) < 1e-9)
        for l in 0..<2 {
            let after = net.activity(.eligibility, layer: l)
            for k in 0..<after.count { #expect(after[k] == before[l][k] * (v - 0.25)) }
        }
    }

    /// The noise-free output is the deterministic forward pass.
    @Test func meanFieldOutputIsTheDeterministicForwardPass() {
        var net = TestNetworks.make(output: .gaussian)
        var deterministic = net
        deterministic.forward(hiddenNoise: false)
        net.forward()
        #expect(abs(net.meanFieldOutput() - deterministic.outputMean()) < 1e-12)
    }
}
