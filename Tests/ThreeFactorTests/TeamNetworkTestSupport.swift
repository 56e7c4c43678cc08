@testable import ThreeFactor

/// Small networks and finite differences shared by the rule tests.
enum TestNetworks {
    static let input: [Double] = [0.7, -1.2, 0.4]

    /// 3 inputs, hidden [5, 4], softmax over 2 actions (temperature 2) or one Gaussian unit.
    static func make(
        output: OutputUnits, outputCount: Int? = nil, variances: [Double] = [0.3, 0.5, 0.2],
        activation: HiddenActivation = .softplus, batchSize: Int = 1, seed: UInt64 = 7
    ) -> TeamNetwork {
        var initialization = RandomStream(seed: seed, stream: 1)
        var net = TeamNetwork(
            inputCount: 3, hidden: [5, 4], outputCount: outputCount ?? (output == .gaussian ? 1 : 2),
            activation: activation, outputUnits: output, variances: variances, batchSize: batchSize,
            initialization: &initialization, noise: RandomStream(seed: seed, stream: 2))
        // Non-zero biases so that every term of the rules is exercised.
        for l in 0..<net.layerCount {
            net.setBias(layer: l, (0..<net.bias(layer: l).count).map { 0.1 * Double($0 + 1) - 0.15 })
        }
        for r in 0..<batchSize {
            input.withUnsafeBufferPointer { net.setInput(row: r, $0.baseAddress!) }
        }
        return net
    }

    /// Central difference of `f` with respect to weight k of layer l.
    static func weightDerivative(
        _ net: TeamNetwork, layer l: Int, index k: Int, step: Double = 1e-6, _ f: (TeamNetwork) -> Double
    ) -> Double {
        var plus = net, minus = net
        var w = net.weights(layer: l)
        let w0 = w[k]
        w[k] = w0 + step
        plus.setWeights(layer: l, w)
        w[k] = w0 - step
        minus.setWeights(layer: l, w)
        return (f(plus) - f(minus)) / (2 * step)
    }

    static func relativeError(_ a: Double, _ b: Double, floor: Double = 1e-8) -> Double {
        abs(a - b) / max(abs(a), abs(b), floor)
    }
}
