import Testing
@testable import ThreeFactor

@Suite struct REINFORCETeamTests {
    /// The REINFORCE eligibilities are an unbiased estimate of the gradient of the expected
    /// output. Over 10,000 samples of the team (one input), for every first- and
    /// second-layer weight, the average of (v - m̄) x_i e_j must lie within 4 standard
    /// errors of the pathwise gradient of E[v]: the average over the same samples of
    /// dm_out/dW through the sampled network (reparametrisation; the backprop kernel, itself
    /// checked against finite differences), spot-checked by central differences with common
    /// random numbers. Not vacuous: several gradients exceed 8 standard errors, so a flipped
    /// sign or a wrong scale fails.
    @Test func eligibilitiesEstimateTheGradientOfTheExpectedOutput() {
        let samples = 10_000
        let reference = TestNetworks.make(output: .gaussian, variances: [0.3, 0.5, 0.2], batchSize: samples)
        var team = reference
        team.forward()
        let baseline = team.meanFieldOutput()
        var pathwise = team
        team.reinforceEligibilities()
        pathwise.backpropagate(.outputMean)
        // Flat copies: [row][unit].
        let sizes = [5, 4]
        let hidden0 = (0..<samples).map { team.activity(.value, layer: 0, row: $0) }
        let scores = (0..<samples).map { r in (0..<2).map { team.activity(.eligibility, layer: $0, row: r) } }
        let paths = (0..<samples).map { r in (0..<2).map { pathwise.activity(.eligibility, layer: $0, row: r) } }
        let advantage = (0..<samples).map { team.outputValue(row: $0) - baseline }
        var significant = 0
        var pathwiseMeans: [[Double]] = [[], []]
        for l in 0..<2 {
            let rows = l == 0 ? 3 : 5, columns = sizes[l]
            for i in 0..<rows {
                for j in 0..<columns {
                    var sum = 0.0, sumSquares = 0.0, pathSum = 0.0
                    for r in 0..<samples {
                        let x = l == 0 ? TestNetworks.input[i] : hidden0[r][i]
                        let g = advantage[r] * x * scores[r][l][j]
                        sum += g
                        sumSquares += g * g
                        pathSum += x * paths[r][l][j]
                    }
                    let mean = sum / Double(samples), exact = pathSum / Double(samples)
                    let standardError = ((sumSquares / Double(samples) - mean * mean) / Double(samples)).squareRoot()
                    #expect(abs(mean - exact) < 4 * standardError, "layer \(l) w[\(i),\(j)]: \(mean) ± \(standardError) vs \(exact)")
                    if abs(exact) > 8 * standardError { significant += 1 }
                    pathwiseMeans[l].append(exact)
                }
            }
        }
        #expect(significant >= 5)
        // The pathwise average is the derivative of the sample mean of m_out under common
        // random numbers (one weight per layer).
        for (l, k) in [(0, 7), (1, 6)] {
            let numeric = TestNetworks.weightDerivative(reference, layer: l, index: k, step: 1e-5) { n in
                var n = n
                n.forward()
                var total = 0.0
                for r in 0..<samples { total += n.outputMean(row: r) }
                return total / Double(samples)
            }
            #expect(TestNetworks.relativeError(pathwiseMeans[l][k], numeric, floor: 1e-6) < 1e-6)
        }
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
