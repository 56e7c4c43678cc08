import Testing
@testable import ThreeFactor

@Suite struct BackpropActorCriticTests {
    /// ∇V by backprop equals central differences of the deterministic output (relative 1e-6).
    @Test(arguments: [HiddenActivation.softplus, .relu])
    func valueGradientMatchesFiniteDifferences(activation: HiddenActivation) {
        let reference = TestNetworks.make(output: .gaussian, activation: activation)
        var net = reference
        net.forward(hiddenNoise: false)
        net.backpropagate(.outputMean)
        net.accumulateTraces(decay: 0)
        for l in 0..<net.layerCount {
            let trace = net.weightTrace(layer: l)
            for k in 0..<trace.count {
                let numeric = TestNetworks.weightDerivative(reference, layer: l, index: k) { n in
                    var n = n
                    n.forward(hiddenNoise: false)
                    return n.outputMean()
                }
                #expect(TestNetworks.relativeError(trace[k], numeric, floor: 1e-6) < 1e-6, "layer \(l) weight \(k)")
            }
            let biasTrace = net.biasTrace(layer: l)
            #expect(biasTrace == net.activity(.eligibility, layer: l))
        }
    }

    /// ∇ log π(a|x) by backprop equals central differences of the log-probability of the
    /// sampled action, for a softmax and for a Gaussian policy.
    @Test(arguments: [OutputUnits.softmax(temperature: 2), .gaussian])
    func policyGradientMatchesFiniteDifferences(output: OutputUnits) {
        let reference = TestNetworks.make(output: output, variances: [1, 1, 0.3])
        var net = reference
        net.forward(hiddenNoise: false)
        let top = net.layerCount - 1
        let action = net.activity(.value, layer: top)
        net.backpropagate(.logProbabilityOfOutput)
        net.accumulateTraces(decay: 0)
        for l in 0..<net.layerCount {
            let trace = net.weightTrace(layer: l)
            for k in 0..<trace.count {
                let numeric = TestNetworks.weightDerivative(reference, layer: l, index: k) { n in
                    var n = n
                    n.forward(hiddenNoise: false)
                    n.setValues(layer: top, action)  // the same action, under the perturbed weights
                    return n.logJoint()
                }
                #expect(TestNetworks.relativeError(trace[k], numeric, floor: 1e-6) < 1e-6, "layer \(l) weight \(k)")
            }
        }
    }
}
