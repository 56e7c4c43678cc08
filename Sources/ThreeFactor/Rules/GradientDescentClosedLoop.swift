/// GDM, the gradient descent method of closed-loop deep learning: ordinary error
/// back-propagation of the closed-loop error, the baseline of "Sign and Relevance
/// Learning" (Daryanavard & Porr, arXiv:2110.07292) and the method of "Closed-loop deep
/// learning: generating forward models with backpropagation" (Daryanavard & Porr, Neural
/// Computation 32(11):2122–2144, 2020).
///
///     delta_j = E * f'(h_j)                          (output layer, E into every output)
///     delta_j = (sum_k w_kj delta_k) * f'(h_j)       (hidden layers)
///     dw_ji   = eta * delta_j * x_i                  (times firstLayerScale in layer 0)
///
/// Sign convention. The network's output is added to the reflex, so in the closed loop it
/// counteracts the error it is trained on: if the network had produced `y + dy` the error
/// would have been about `E - dy`. With `E = T - y` for a fixed `T`, the change above is
/// `-eta * d(E^2 / 2) / dw` (for `y = sum_k o_k`, see `ClosedLoopNetwork`), i.e. gradient
/// descent on the squared closed-loop error; the first layer's step is
/// `firstLayerScale^2` times its gradient step.
public struct GradientDescentClosedLoop: ClosedLoopRule {
    /// Eta, the learning rate (`eta`, default 0.1).
    public var learningRate: Double

    /// The rule with learning rate `learningRate`.
    public init(learningRate: Double) {
        self.learningRate = learningRate
    }

    public var usesNetwork: Bool { true }

    /// The catalog entry of `gdm`: the closed-loop kind.
    public static let descriptor = RuleDescriptor(
        name: "gdm",
        summary: "closed-loop deep learning by error backpropagation of the closed-loop error (the baseline of SaR)",
        citation: "Daryanavard & Porr, \"Closed-loop deep learning: generating forward models with backpropagation\", Neural Computation 32(11):2122-2144, 2020",
        equations: "Sources/ThreeFactor/Rules/GradientDescentClosedLoop.swift",
        implementations: [
            .closedLoop(parameters: [.number("eta", default: 0.1, range: .nonNegative, "learning rate")], usesNetwork: true) { p in
                GradientDescentClosedLoop(learningRate: try p.double("eta"))
            },
        ])

    @inline(__always)
    public mutating func learn(_ network: inout ClosedLoopNetwork, error: Double) {
        // With E = 0 every delta is 0: nothing to learn.
        guard error != 0 else { return }
        network.backpropagate(error: error)
        network.applyUpdate(rate: learningRate, using: .deltas)
    }
}
