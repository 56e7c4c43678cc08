/// A team of REINFORCE units: Williams, "Simple statistical gradient-following algorithms
/// for connectionist reinforcement learning", Machine Learning 8 (1992); the baseline of
/// Chung, "MAP Propagation Algorithm", NeurIPS 2021 (arXiv:2010.07893).
///
/// Every unit treats its own value as its action and follows the REINFORCE gradient of the
/// global reward: its eligibility is the derivative of the log-probability of the value it
/// sampled with respect to its potential,
///
///     e_l = (h_l - m_l) f'(u_l) / var_l                       Gaussian unit
///     e_L = (onehot(a) - softmax(u_L / temp)) / temp          softmax output unit
///
/// taken at the values of the forward sample (no MAP step), and the weights follow
/// `signal x (presynaptic value) x e_l` through the shared trace and Adam update of
/// `TeamNetwork`. In the actor–critic loop the signal is the TD error, as for MAP
/// propagation; the two rules differ only in where the eligibility is evaluated. The
/// estimate is unbiased but its variance grows with the number of units — the problem MAP
/// propagation addresses.
///
/// The critic (our construction; the reference repository does not ship the baselines):
/// the TD error is computed from mean values, so it is uncorrelated with the units' noise
/// and plain REINFORCE on it would not learn a value. The critic's hidden units instead
/// weight their eligibility by `(v - m̄)`, the deviation of the sampled output from the
/// noise-free output `m̄` (hidden units at their means, a baseline that depends on no
/// unit's noise): by the score-function identity `E[(v - m̄) e_l] = ∂E[v]/∂u_l`, so
/// `δ (v - m̄) e_l` is a REINFORCE estimate of the TD(λ) update `δ ∇V`. The output unit,
/// whose mean is the value, uses the same gate as MAP propagation, `1 / (v - m_L)`, which
/// for it is exact and local: `e_L / (v - m_L) = 1 / var_L`, i.e. the delta rule.
extension TeamNetwork {
    /// Leaves the REINFORCE eligibility of the current (sampled) values in every layer.
    public mutating func reinforceEligibilities() {
        for r in 0..<batchSize { reinforceEligibilities(row: r) }
    }

    /// The same for row r alone (rows are independent).
    public mutating func reinforceEligibilities(row r: Int) {
        let outputUnits = self.outputUnits
        withStorage { base, layers, _ in
            for layout in layers {
                Self.computeEligibility(LayerView(base, layout), row: r, outputUnits: outputUnits)
            }
        }
    }

    /// The output unit 0's noise-free value for row r: every hidden unit at its mean,
    /// computed from the current weights and input (scratch buffers; the sampled activity
    /// is untouched).
    public mutating func meanFieldOutput(row r: Int = 0) -> Double {
        let activation = self.activation, inputCount = self.inputCount
        return withStorage { base, layers, inputRows in
            var x = UnsafePointer(inputRows + r * inputCount)
            for l in 0..<layers.count {
                let layer = LayerView(base, layers[l])
                let u = layer.row(layer.meanField, r)
                DenseKernels.affine(x, weights: layer.weights, bias: layer.bias, rows: layer.inputs, columns: layer.outputs, into: u)
                if !layer.isOutput {
                    // In place: the slope is not needed here, write it to the same buffer first.
                    for k in 0..<layer.outputs {
                        switch activation {
                        case .softplus: u[k] = UnitFunctions.softplus(u[k])
                        case .relu: u[k] = max(u[k], 0)
                        }
                    }
                }
                x = UnsafePointer(u)
            }
            return x[0]
        }
    }

    /// The REINFORCE critic's gates for row r: hidden eligibilities times `(v - baseline)`,
    /// the output unit's divided by `(v - m_L)`.
    public mutating func applyREINFORCECriticGate(row r: Int = 0, baseline: Double) {
        let v = outputValue(row: r)
        gateEligibilities(row: r, hidden: v - baseline, output: 1 / (v - outputMean(row: r)))
    }
}

/// The REINFORCE team as a `TeamNetworkRule`: eligibilities at the sampled values; a
/// value's hidden eligibilities gated by `(v - m̄)`, its output's by `1 / (v - m_L)`.
public struct REINFORCETeam: ParameterFreeTeamNetworkRule {
    /// The REINFORCE team has no settings.
    public init() {}

    /// The catalog entry of `reinforce-team`: both team-network loops.
    public static let descriptor = descriptor(
        name: "reinforce-team",
        summary: "every unit a REINFORCE agent driven by the global signal (no MAP step): the baseline MAP propagation improves on",
        citation: "Williams, \"Simple statistical gradient-following algorithms for connectionist reinforcement learning\", Machine Learning 8, 1992; as the baseline of Chung, NeurIPS 2021",
        equations: "Sources/ThreeFactor/Rules/REINFORCETeam.swift")

    public static var stochasticHiddenUnits: Bool { true }
    public static var assignsCreditAfterLearning: Bool { false }

    public func assignCredit(_ network: inout TeamNetwork, objective: TeamObjective) {
        guard objective == .value else {
            network.reinforceEligibilities()
            return
        }
        for r in 0..<network.batchSize {
            let baseline = network.meanFieldOutput(row: r)
            network.reinforceEligibilities(row: r)
            network.applyREINFORCECriticGate(row: r, baseline: baseline)
        }
    }
}
