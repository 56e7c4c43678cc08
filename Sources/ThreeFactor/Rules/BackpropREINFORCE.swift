/// REINFORCE trained by backpropagation (BP), the gradient baseline of the noise-based
/// reward-modulated learning paper.
///
/// García Fernández, Ahmad & van Gerven, "Noise-based reward-modulated learning",
/// arXiv:2503.23972, baseline "BP" as in the authors' code
/// (github.com/jesusgf96/noise-based-reward-modulated-learning, `training.py`); the
/// estimator is Williams, "Simple statistical gradient-following algorithms for
/// connectionist reinforcement learning", Machine Learning 8, 1992.
///
/// The clean policy acts (no noise anywhere). With the same moving-average baseline and
/// relative error as NRL (`RewardBaseline`), and no critic:
///
/// Delayed reward (`reward_mode = "episodic"`): at the episode's end one plain SGD step on
///
///     loss = - sum_t log pi(a_t | s_t) * delta,   delta = (R - Rbar) / |R|,
///
/// i.e. `W_l <- W_l + eta delta sum_t d log pi(a_t|s_t) / dW_l`. The per-step gradients
/// are accumulated during the episode with the weights fixed, which is what one
/// `loss.backward()` over the episode computes.
///
/// Immediate reward (`reward_mode = "immediate"`): one SGD step per step on
/// `-log pi(a_t|s_t) (r_t - rbar)`, `rbar` restarting every trial.
///
/// The gradient is backpropagated by hand through the bias-free MLP
/// (`PolicyMLP.logProbabilityNodeGradient`): `onehot(a) - pi` at the output, LeakyReLU's
/// derivative (1 for `a >= 0`, 0.1 below) on the way down.
///
/// Continuous actions: Williams's Gaussian unit (1992, Section 6; `PolicyMLP.Head.gaussian`)
/// with fixed `sigma_a = action_std`: the clean mean `mu` acts through `u = mu + sigma_a z`
/// and the output's node gradient is `(u - mu) / sigma_a^2` for the unclipped `u`,
/// backpropagated as above. Numerical hazard: its size is `|z| / sigma_a`, so a small
/// `action_std` calls for a proportionally smaller learning rate.
///
/// The loop (baseline, gradient sum, updates) is `PolicyGradientAgent`'s; this estimator
/// supplies the postsynaptic factor `d log pi(a_t|s_t) / d a_l`, and its trace is the sum
/// of the episode's gradients (no decay).
public struct BackpropREINFORCE: PolicyGradientEstimator {
    /// The catalog entry of `bp-reinforce`: the episodic kind, discrete actions.
    public static let descriptor = PolicyGradientAgent<Self>.descriptor(
        name: "bp-reinforce",
        summary: "REINFORCE by backpropagation with the same moving-average baseline (the gradient baseline of NRL)",
        citation: "Williams, \"Simple statistical gradient-following algorithms for connectionist reinforcement learning\", Machine Learning 8, 1992; as the baseline of García Fernández, Ahmad & van Gerven, arXiv:2503.23972",
        equations: "Sources/ThreeFactor/Rules/BackpropREINFORCE.swift and Agents/PolicyGradientAgent.swift")

    public static var parameters: [ParameterSpec] { [] }

    public let updateLayerScale: [Double]
    /// `d log pi(a_t|s_t) / d a_l` of the last step, pass layout.
    public private(set) var postsynaptic: [Double]

    public var tracePresynaptic: PolicyMLP.PassKind { .clean }
    /// The clean pass: REINFORCE's per-step gradient uses the activity that chose the action.
    public var immediatePresynaptic: PolicyMLP.PassKind { .clean }

    public init(_ p: ParameterValues, network: PolicyMLP, rewardMode: RewardMode, stream: RandomStream) throws {
        updateLayerScale = Array(repeating: 1, count: network.layerCount)
        postsynaptic = Array(repeating: 0, count: network.clean.noise.count)
    }

    /// The clean policy acts; the factor is 1.
    public mutating func step(_ network: inout PolicyMLP, observation: [Double], actions: inout RandomStream) -> (action: Action, factor: Double) {
        network.forwardClean(observation)
        let action = network.sample(from: network.clean, using: &actions)
        network.logProbabilityNodeGradient(action, of: network.clean, into: &postsynaptic)
        return (action, 1)
    }

    public func save(to archive: inout StateArchive) {
        archive.append(postsynaptic)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try reader.doubles(into: &postsynaptic)
    }
}
