/// MAP propagation: Stephen Chung, "MAP Propagation Algorithm: Faster Learning with a
/// Team of Reinforcement Learning Agents", NeurIPS 2021 (arXiv:2010.07893). Reference
/// implementation: github.com/stephen-chung-mh/map_prop (`mapprop.py`).
///
/// Every unit of the network is a REINFORCE agent. Trained alone, each unit would credit
/// the global reward to its own noise, and the variance of that estimate grows with the
/// number of units. MAP propagation first moves the hidden values to (an approximation of)
/// their maximum a posteriori estimate given the input x and the sampled output a,
///
///     h* = argmax_h  log p(h_1, ..., h_{L-1}, a | x),
///
/// and only then applies each unit's local REINFORCE eligibility. The ascent is
/// `map_grad_ascent_steps` (20) steps of gradient ascent on the log-posterior; for hidden
/// layer l its gradient is
///
///     g_l = (m_l - h_l) / var_l  +  e_{l+1} W_{l+1}^T
///     e_{l+1} = (h_{l+1} - m_{l+1}) f'(u_{l+1}) / var_{l+1}          (Gaussian layer above)
///     e_L     = (onehot(a) - softmax(u_L / temp)) / temp              (softmax output)
///
/// — the first term pulls a unit toward the mean its inputs predict, the second pushes it
/// to better explain the layer above: information a unit gets from the units it projects to,
/// so the rule stays local. The step is `h_l <- h_l + update_adj * var_l * g_l`
/// (update_adj = 0.5). All hidden layers are updated simultaneously from the old values;
/// then every layer's potential and mean is recomputed from the new values, the output's
/// value (the action taken) held fixed.
///
/// After the last step the eligibilities `e_l` of every layer are recorded into the traces
/// and the update is the shared one of `TeamNetwork`:
/// `W_l += Adam(lr_l, signal * Tw_l)` with `Tw_l <- lambda Tw_l + h_{l-1} (outer) e_l`.
///
/// Critic gate: for a critic the signal is the TD error of its mean value, so its
/// eligibilities are divided by `(v - m_L)` of the output unit. At the MAP point the
/// eligibilities satisfy `e_l = (e_{l+1} W_{l+1}^T) f'(u_l)` (g_l = 0), i.e. they are the
/// output error backpropagated through the network; dividing by `v - m_L` turns them into
/// `(1/var_L) dm_L/du_l`, the gradient of the mean value (exactly so as `v -> m_L`).
///
/// Order within a reinforcement-learning step (as the reference): the forward sample is
/// drawn with the weights before this step's update; the first ascent step uses the
/// potentials of that forward pass; the refreshes after it use the updated weights.
extension TeamNetwork {
    /// Runs `steps` MAP ascent steps on every row with step size `updateAdjustment * var_l`
    /// for hidden layer l, then leaves the REINFORCE eligibility of the resulting values in
    /// every layer. With zero steps this is plain REINFORCE at the sampled values.
    ///
    /// Stability: this is gradient ascent with a fixed step on a locally concave objective,
    /// which converges when the step times the curvature stays below 2 for every layer,
    /// roughly `update_adj * (1 + var_l / var_{l+1} * |W_{l+1}|^2 * f'^2) < 2`. The reference
    /// settings satisfy it (e.g. CartPole's critic: 0.5 * (1 + 1 * 1.9) ≈ 1.5 for the last
    /// hidden layer at initialisation); a hidden variance much larger than the variance of
    /// the layer above makes the ascent oscillate and diverge.
    ///
    /// Paths: one row goes row by row (below: the paper's ascent as written); a batch goes
    /// through `mapPropagateGram` when it has two or more hidden layers, current first-layer
    /// potentials and enough steps for the Gram matrix to pay (equal in real arithmetic,
    /// different in the last bits), and through `mapPropagateBatched` (the same bits as row by
    /// row) otherwise; both are in `MAPPropagationBatched.swift`.
    public mutating func mapPropagate(steps: Int, updateAdjustment: Double) {
        if batchSize == 1 {
            mapPropagateRowByRow(steps: steps, updateAdjustment: updateAdjustment)
        } else if steps > 0, firstPotentialIsCurrent, hidden.count >= 2,
            Self.gramAscentPays(firstHidden: hidden[0], secondHidden: hidden[1], rows: batchSize, steps: steps)
        {
            mapPropagateGram(steps: steps, updateAdjustment: updateAdjustment)
        } else {
            mapPropagateBatched(steps: steps, updateAdjustment: updateAdjustment)
        }
    }

    /// The ascent one row at a time (the reinforcement-learning agents' single row).
    mutating func mapPropagateRowByRow(steps: Int, updateAdjustment: Double) {
        let activation = self.activation, outputUnits = self.outputUnits
        let inputCount = self.inputCount, rows = batchSize
        let firstIsCurrent = firstPotentialIsCurrent
        withStorage { base, layers, inputRows in
            let top = layers.count - 1
            for r in 0..<rows {
                var firstPotentialIsCurrent = firstIsCurrent
                for _ in 0..<steps {
                    // Errors of every layer above the first, from the current values.
                    for l in stride(from: 1, through: top, by: 1) {
                        Self.computeEligibility(LayerView(base, layers[l]), row: r, outputUnits: outputUnits)
                    }
                    // h_l += step_l * ((m_l - h_l) / var_l + e_{l+1} W_{l+1}^T) for every
                    // hidden layer, from the old values: e_{l+1} was computed above, and going
                    // top-down, layer l+1's potential and mean are refreshed from the new h_l
                    // only after layer l+1 itself has been updated.
                    var l = top - 1
                    while l >= 0 {
                        let layer = LayerView(base, layers[l]), above = LayerView(base, layers[l + 1])
                        Self.ascend(layer, above: above, row: r, stepSize: updateAdjustment * layer.variance)
                        Self.refresh(above, input: layer.row(layer.value, r), row: r, activation: activation, outputUnits: outputUnits)
                        l -= 1
                    }
                    // Layer 1's input (the observation) does not change during the ascent, so
                    // its potential only needs recomputing after the weights changed.
                    if !firstPotentialIsCurrent {
                        let x = Self.input(of: 0, row: r, base: base, layers: layers, inputRows: inputRows, inputCount: inputCount)
                        Self.refresh(LayerView(base, layers[0]), input: x, row: r, activation: activation, outputUnits: outputUnits)
                        firstPotentialIsCurrent = true
                    }
                }
                for l in 0...top {
                    Self.computeEligibility(LayerView(base, layers[l]), row: r, outputUnits: outputUnits)
                }
            }
        }
        if steps > 0 { firstPotentialIsCurrent = true }
    }

    /// One ascent step of hidden layer `layer` (row r) on
    /// log p(h_l | h_{l-1}) + log p(h_{l+1} | h_l).
    @inline(__always)
    static func ascend(_ layer: LayerView, above: LayerView, row r: Int, stepSize: Double) {
        let h = layer.row(layer.value, r), m = layer.row(layer.mean, r), fromAbove = layer.row(layer.feedback, r)
        DenseKernels.pullBack(
            above.row(above.eligibility, r), transposedWeights: above.transposedWeights, rows: above.inputs,
            columns: above.outputs, into: fromAbove)
        let iv = layer.inverseVariance
        for i in 0..<layer.outputs {
            h[i] += stepSize * ((m[i] - h[i]) * iv + fromAbove[i])
        }
    }

    /// The critic gate: eligibilities of row r divided by `v - m` of output unit 0.
    public mutating func applyMAPCriticGate(row r: Int = 0) {
        let gate = 1 / (outputValue(row: r) - outputMean(row: r))
        gateEligibilities(row: r, hidden: gate, output: gate)
    }
}

/// MAP propagation as a `TeamNetworkRule`: the ascent above, then the REINFORCE
/// eligibilities at the MAP point; a value's eligibilities get the critic gate.
public struct MAPPropagation: TeamNetworkRule {
    /// MAP ascent steps per sample.
    public var steps: Int
    /// Step size of the ascent in units of each layer's variance.
    public var updateAdjustment: Double

    /// The rule with `steps` MAP ascent steps per sample and ascent step size
    /// `updateAdjustment` (in units of each layer's variance).
    public init(steps: Int, updateAdjustment: Double) {
        self.steps = steps
        self.updateAdjustment = updateAdjustment
    }

    /// The catalog entry of `map-prop`: both team-network loops.
    public static let descriptor = descriptor(
        name: "map-prop",
        summary: "MAP propagation: teams of stochastic units, hidden values moved to their MAP estimate, then REINFORCE",
        citation: "Chung, \"MAP Propagation Algorithm: Faster Learning with a Team of Reinforcement Learning Agents\", NeurIPS 2021, arXiv:2010.07893",
        equations: "Sources/ThreeFactor/Rules/MAPPropagation.swift (the ascent and eligibilities); the paper's Algorithm 1")

    public static var stochasticHiddenUnits: Bool { true }
    public static var assignsCreditAfterLearning: Bool { true }

    static let stepsParameter = ParameterSpec.integer(
        "map_grad_ascent_steps", default: 20, range: .nonNegative, unit: "steps", "MAP ascent steps per sample")

    public static var actorCriticParameters: [ParameterSpec] {
        [
            stepsParameter,
            .number("critic_update_adj", default: 0.5, range: .nonNegative, unit: "x variance", "critic's MAP step size in units of the layer's variance"),
            .number("actor_update_adj", default: 0.5, range: .nonNegative, unit: "x variance", "actor's MAP step size in units of the layer's variance"),
        ]
    }

    public static var supervisedParameters: [ParameterSpec] {
        [stepsParameter, .number("update_adj", default: 0.5, range: .nonNegative, unit: "x variance", "MAP step size in units of the layer's variance")]
    }

    public static func actorCritic(_ p: ParameterValues) throws -> (critic: Self, actor: Self) {
        let steps = try p.int("map_grad_ascent_steps")
        return (Self(steps: steps, updateAdjustment: try p.double("critic_update_adj")),
                Self(steps: steps, updateAdjustment: try p.double("actor_update_adj")))
    }

    public static func supervised(_ p: ParameterValues) throws -> Self {
        Self(steps: try p.int("map_grad_ascent_steps"), updateAdjustment: try p.double("update_adj"))
    }

    public func assignCredit(_ network: inout TeamNetwork, objective: TeamObjective) {
        network.mapPropagate(steps: steps, updateAdjustment: updateAdjustment)
        if objective == .value {
            for r in 0..<network.batchSize { network.applyMAPCriticGate(row: r) }
        }
    }
}
