/// The backpropagation baseline of Chung, "MAP Propagation Algorithm", NeurIPS 2021
/// (arXiv:2010.07893): an actor–critic of the same shape whose hidden units are
/// deterministic (each at its mean `f(u)`), trained by error backpropagation
/// (Rumelhart, Hinton & Williams 1986) with Adam.
///
/// Variant (our construction; the reference repository does not ship its baselines):
/// online actor–critic with TD(lambda) and accumulating eligibility traces, the same loop,
/// TD error, trace decay `lambda * gamma`, boundary handling, learning-rate schedules and
/// Adam as the MAP propagation agent:
///
///     critic:  Tw <- lambda Tw + ∇_W V(s_t),          W += Adam(lr, δ_t Tw)
///     actor:   Tw <- lambda Tw + ∇_W log π(a_t|s_t),  W += Adam(lr, δ_t Tw)
///
/// with the gradients obtained by backpropagating the output error through the network:
///
///     e_L = ∂(objective)/∂u_L                         (1 for V; (onehot(a) - π)/temp for a
///                                                      softmax policy; (a - m)/var for a
///                                                      Gaussian policy)
///     e_l = (e_{l+1} W_{l+1}^T) ⊙ f'(u_l)
///     ∇_{W_l} = h_{l-1} (outer) e_l,   ∇_{b_l} = e_l
///
/// The policy keeps the team's stochastic output unit (softmax with temperature, or a
/// Gaussian with the configured variance), so the two methods explore alike; only the
/// hidden layers differ. The gradients are taken with the weights that produced the action
/// (before the step's update).
extension TeamNetwork {
    /// What the output error is the derivative of.
    public enum BackpropObjective: Sendable {
        /// The output unit's mean (a critic's value, a regression output): e_L = 1.
        case outputMean
        /// The log-probability of the sampled output (a policy): e_L = the output unit's
        /// REINFORCE eligibility.
        case logProbabilityOfOutput
        /// Whatever the output layer's eligibility holds (set with `setEligibility`).
        case outputEligibilityAsSet
    }

    /// Leaves in every layer of every row the gradient of `objective` with respect to the
    /// layer's potential (the network must have been run with `forward(hiddenNoise: false)`).
    ///
    /// All rows at once, layer by layer (the block pull-back of `BatchedDenseKernels.swift`
    /// gives every row the same bits as one row at a time).
    public mutating func backpropagate(_ objective: BackpropObjective) {
        let outputUnits = self.outputUnits, rows = batchSize
        withStorage { base, layers, _ in
            let top = layers.count - 1
            let output = LayerView(base, layers[top])
            switch objective {
            case .outputMean: output.eligibility.update(repeating: 1, count: rows * output.outputs)
            case .logProbabilityOfOutput:
                for r in 0..<rows { Self.computeEligibility(output, row: r, outputUnits: outputUnits) }
            case .outputEligibilityAsSet:
                break
            }
            var l = top - 1
            while l >= 0 {
                let layer = LayerView(base, layers[l]), above = LayerView(base, layers[l + 1])
                let e = layer.eligibility, slope = layer.slope
                DenseKernels.pullBack(
                    rowsOf: above.eligibility, count: rows, transposedWeights: above.transposedWeights, rows: above.inputs,
                    columns: above.outputs, into: e)
                for k in 0..<(rows * layer.outputs) { e[k] *= slope[k] }
                l -= 1
            }
        }
    }
}

/// Backpropagation as a `TeamNetworkRule`: deterministic hidden units, the output error
/// backpropagated (a policy's log-probability, or a value's mean).
public struct Backpropagation: ParameterFreeTeamNetworkRule {
    /// Backprop has no settings.
    public init() {}

    /// The catalog entry of `backprop`: both team-network loops.
    public static let descriptor = descriptor(
        name: "backprop",
        summary: "deterministic hidden units trained by error backpropagation with Adam (TD(lambda) in the actor-critic)",
        citation: "Rumelhart, Hinton & Williams, \"Learning representations by back-propagating errors\", Nature 323, 1986; as the baseline of Chung, NeurIPS 2021",
        equations: "Sources/ThreeFactor/Rules/BackpropActorCritic.swift")

    public static var stochasticHiddenUnits: Bool { false }
    public static var assignsCreditAfterLearning: Bool { false }

    public func assignCredit(_ network: inout TeamNetwork, objective: TeamObjective) {
        network.backpropagate(objective == .value ? .outputMean : .logProbabilityOfOutput)
    }
}
