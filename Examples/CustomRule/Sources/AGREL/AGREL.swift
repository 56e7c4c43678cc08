import ThreeFactor

/// Attention-gated reinforcement learning (AGREL): Roelfsema & van Ooyen, "Attention-gated
/// reinforcement learning of internal representations for classification", Neural
/// Computation 17(10):2176–2214, 2005 (doi:10.1162/0899766054615699).
///
/// A layered network of deterministic units (hidden means `y_l = f(u_l)`) selects one
/// action `a` from its output layer `Z` (here: softmax(Z / temp), the toolkit's categorical
/// output unit). Two factors gate plasticity besides the synapse's own activity:
///
/// 1. **attention** — only the *selected* output unit sends feedback. Its feedback reaches
///    the hidden units over connections equal to the feedforward ones, so the hidden units
///    that drove the chosen action become eligible and the others do not;
/// 2. **a global reinforcement signal** `δ` — a neuromodulator broadcast to every synapse.
///
/// Per sample, the eligibility of each layer's units (the postsynaptic factor) is
///
///     e_L,k = [k = a]                                   output: the chosen unit only
///     e_l,j = f'(u_l,j) · Σ_k W_{l+1,jk} e_{l+1,k}       hidden: gated feedback
///                                                       (= f'(u_1,j) W_2,ja with one hidden layer)
///
/// and every weight moves along the product of the three factors, presynaptic activity ×
/// postsynaptic eligibility × global signal:
///
///     ΔW_l,ij ∝ δ · y_{l-1,i} · e_l,j                    (the paper's Eqs. 2.8–2.10;
///                                                        δ ∂Z_a/∂W: the gradient of Z_a only)
///
/// which the toolkit's `TeamNetwork` applies through its shared trace and Adam update
/// (`Tw ← λγ Tw + y_{l-1} ⊗ e_l`, `W ← W + Adam(lr, δ Tw)`).
///
/// How it runs in the toolkit's two loops (`TeamNetworkRule.descriptor` gives both):
/// - **episodic actor–critic** (CartPole-v1): the actor is AGREL; `δ` is the loop's TD error
///   `r + γV(s') − V(s)` from a separate critic network. The paper's `δ = r − Z_a` (and its
///   expansive `f(δ)`) compares the reward with the chosen unit's own activity; the loop's
///   global signal cannot depend on the actor, so we take the critic's TD error — the
///   temporal-difference form AGREL grew into (AuGMEnT, Rombouts, Bohte & Roelfsema 2015).
///   The critic has one output unit, which is always "the selected one": for it the rule is
///   the gradient of V, i.e. TD(λ) with backpropagated feedback.
/// - **supervised** (the 37-bit Multiplexer, one action per sample, reward ±1): `δ` is the
///   reward itself, centred by the task (±1 with a uniform random policy earning 0).
///
/// Continuous actions (a Gaussian output layer) have no selected unit: there every output
/// unit is attended and the rule is the policy gradient with backpropagated feedback.
///
/// Hyperparameters (besides the loops' own, `custom-rule describe agrel`): `attention`, the
/// share of the output eligibility that is attention-gated — 1 is AGREL, 0 subtracts the
/// policy's expectation from every output unit, `e_L = onehot(a) − π`, which makes the
/// update the REINFORCE gradient of log π(a) (temp × the `backprop` rule's eligibility). In
/// between, `e_L = onehot(a) − (1 − attention) π`.
public struct AGREL: TeamNetworkRule {
    /// Share of the output eligibility that is attention-gated (1: AGREL).
    public var attention: Double

    public init(attention: Double = 1) {
        self.attention = attention
    }

    /// The rule's keys, declared once (the same in both loops).
    public static let parameters: [ParameterSpec] = [
        .number(
            "attention", default: 1, range: .closed(0, 1),
            "share of the output eligibility gated by the selected action: 1 AGREL (e = onehot(a)), 0 policy gradient (e = onehot(a) - pi)"),
    ]

    public static let descriptor = descriptor(
        name: "agrel",
        summary: "attention-gated reinforcement learning: only the selected output unit feeds back; a global reward/TD error gates plasticity",
        citation: "Roelfsema & van Ooyen, \"Attention-gated reinforcement learning of internal representations for classification\", Neural Computation 17(10), 2005, doi:10.1162/0899766054615699",
        equations: "Examples/CustomRule/Sources/AGREL/AGREL.swift (the paper's Eqs. 2.8-2.10)")

    public static var stochasticHiddenUnits: Bool { false }
    public static var assignsCreditAfterLearning: Bool { false }
    public static var actorCriticParameters: [ParameterSpec] { parameters }
    public static var supervisedParameters: [ParameterSpec] { parameters }

    public static func actorCritic(_ p: ParameterValues) throws -> (critic: Self, actor: Self) {
        let rule = Self(attention: try p.double("attention"))
        return (rule, rule)
    }

    public static func supervised(_ p: ParameterValues) throws -> Self {
        Self(attention: try p.double("attention"))
    }

    public func assignCredit(_ network: inout TeamNetwork, objective: TeamObjective) {
        guard objective == .policy, case .softmax(let temperature) = network.outputUnits else {
            // A value (one output unit, always attended) or a Gaussian policy: every output
            // unit sends feedback.
            network.backpropagate(objective == .value ? .outputMean : .logProbabilityOfOutput)
            return
        }
        // e_L = onehot(a) - (1 - attention) softmax(u_L / temp), carried down through W^T and
        // f' by the shared backward pass.
        let top = network.layerCount - 1
        let share = 1 - attention
        for r in 0..<network.batchSize {
            let a = network.chosenAction(row: r)
            for k in 0..<network.outputCount {
                network.setEligibility(layer: top, row: r, unit: k, (k == a ? 1 : 0) - share * network.outputMean(row: r, unit: k))
            }
        }
        network.backpropagate(.outputEligibilityAsSet)
    }
}
