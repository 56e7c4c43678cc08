import Testing
@testable import ThreeFactor

/// GDM against finite differences.
///
/// Sign convention under test: with `E = T - y`, `y = sum_k o_k` (the error injected into
/// every output) for a fixed input, GDM's change is `dw = -eta * d(E^2 / 2) / dw` in every
/// layer but the first, and `firstLayerScale^2` times that in the first (its sum is divided
/// by the scale, its change multiplied by it).
@Suite struct GradientDescentClosedLoopTests {
    static let input = [3.0, -2.0, 5.0, 0.5]
    static let layers = [4, 3, 3, 2]
    static let scale = 10.0
    static let target = 0.7

    static func network() -> ClosedLoopNetwork {
        var rng = RandomStream(seed: 11)
        var net = ClosedLoopNetwork(inputCount: input.count, layerSizes: layers, firstLayerScale: scale, rng: &rng)
        // Weights of both signs, so that the test does not depend on the authors' [0, 1).
        var w = net.weights
        for k in 0..<w.count { w[k] = rng.uniform(-1.5, 1.5) }
        net.setWeights(w)
        return net
    }

    static func loss(_ weights: [Double]) -> Double {
        var net = network()
        net.setWeights(weights)
        net.forward(input)
        var y = 0.0
        for k in 0..<layers[layers.count - 1] { y += net.output(k) }
        return 0.5 * (target - y) * (target - y)
    }

    @Test func updateIsMinusTheGradientOfHalfTheSquaredError() {
        var net = Self.network()
        net.forward(Self.input)
        var y = 0.0
        for k in 0..<Self.layers[Self.layers.count - 1] { y += net.output(k) }
        let error = Self.target - y
        #expect(abs(error) > 0.1)
        let eta = 1e-3
        let before = net.weights
        var rule = GradientDescentClosedLoop(learningRate: eta)
        rule.learn(&net, error: error)
        let firstLayerCount = Self.layers[0] * Self.input.count
        let h = 1e-6
        var worst = 0.0
        for k in 0..<before.count {
            var plus = before, minus = before
            plus[k] += h
            minus[k] -= h
            let gradient = (Self.loss(plus) - Self.loss(minus)) / (2 * h)
            let expected = -eta * gradient * (k < firstLayerCount ? Self.scale * Self.scale : 1)
            let observed = net.weights[k] - before[k]
            let relative = abs(observed - expected) / max(abs(expected), 1e-9)
            worst = max(worst, relative)
            #expect(relative < 1e-5, "weight \(k): observed \(observed), finite differences \(expected)")
        }
        #expect(worst < 1e-5)
    }

    @Test func deltasAreTheErrorTimesTheOutputSensitivity() {
        // delta_j = E * d(sum_k o_k)/dh_j; check it on the output layer directly.
        var net = Self.network()
        net.forward(Self.input)
        net.backpropagate(error: 2)
        let outputs = Self.layers[Self.layers.count - 1]
        let offset = net.neuronCount - outputs
        for k in 0..<outputs {
            let o = net.output(k)
            #expect(net.deltas[offset + k] == 2 * (0.5 + o) * (0.5 - o))
        }
    }
}
