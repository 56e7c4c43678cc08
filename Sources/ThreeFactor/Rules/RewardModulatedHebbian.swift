/// Reward-modulated Hebbian learning (RMHL), the node-perturbation baseline of the
/// noise-based reward-modulated learning paper.
///
/// García Fernández, Ahmad & van Gerven, "Noise-based reward-modulated learning",
/// arXiv:2503.23972, baseline "RMHL" as in the authors' code
/// (github.com/jesusgf96/noise-based-reward-modulated-learning, `training.py`); the
/// running-average form is that of Legenstein, Chase, Schwartz & Maass, "A reward-modulated
/// Hebbian learning rule can explain experimentally observed network reorganization in a
/// brain control task", J. Neurosci. 30(25), 2010.
///
/// One NOISY network: `xi_l ~ N(0, sigma^2 I)` is added to every layer's pre-activation
/// and the action is sampled from the noisy policy — the noise is the exploration, and the
/// rule correlates it with reward. In expectation (node perturbation),
/// `E[(R - b) xi_l (outer) x_{l-1}] ~ sigma^2 dE[R]/dW_l`.
///
/// Delayed reward (`reward_mode = "episodic"`):
///
///     E_l <- gamma_e E_l + xi_l (outer) x~_{l-1}                        every step
///     delta = (R - Rbar) / |R|,   W_l <- W_l + eta delta E_l            at the episode's end
///     Rbar <- Rbar + 0.66 (R - Rbar)
///
/// with the same baseline and relative error as NRL (`RewardBaseline`) and `x~` the noisy
/// network's activity; no log-probability term, no noise normalisation, no width factor.
///
/// Immediate reward (`reward_mode = "immediate"`): every step
/// `W_l <- W_l + eta (r_t - rbar) xi_l (outer) x~_{l-1}`, `rbar` restarting every trial.
///
/// Continuous actions (Williams 1992's Gaussian unit, see `PolicyMLP.Head.gaussian`): the
/// noisy network's output is the mean, and the action is `u = mu~ + sigma_a z`, `z` from
/// the agent's action stream — the action noise is further exploration on top of the node
/// noise. The update still correlates only `xi_l` with the reward: `z` is independent of
/// `xi`, so Stein's lemma gives `E[(R - b) xi_l (outer) x~_{l-1}] = sigma^2 dJ/dW_l` for
/// `J` the expected reward of the Gaussian policy at the noisy means. Its variance grows
/// with `action_std` (reward variation from `z` that `xi` does not explain).
///
/// Option `postsynaptic = "running-average"` (Legenstein 2010): `xi_l` is replaced by
/// `a~_l - abar_l`, the noisy pre-activation minus a running average of the
/// pre-activation. As in the authors' code, `abar_l` averages the pre-activation BEFORE
/// this layer's noise is added (`abar_l <- abar_l + rate (a_l - abar_l)`, rate
/// `activity_average_rate`, default 0.66 like the reward baseline), is updated on every
/// step before it is used, and restarts from zero at every episode.
///
/// The loop (baseline, traces, updates) is `PolicyGradientAgent`'s; this estimator supplies
/// the postsynaptic factor `xi_l` (or `a~_l - abar_l`) and acts with the noisy policy.
public struct RewardModulatedHebbian: PolicyGradientEstimator {
    /// What stands for the postsynaptic factor (`postsynaptic`).
    public enum Postsynaptic: String, Sendable, CaseIterable {
        /// The injected noise `xi_l` itself.
        case noise
        /// `a~_l - abar_l` (Legenstein et al. 2010).
        case runningAverage = "running-average"
    }

    /// The catalog entry of `rmhl`: the episodic kind, discrete actions.
    public static let descriptor = PolicyGradientAgent<Self>.descriptor(
        name: "rmhl",
        summary: "reward-modulated Hebbian learning (node perturbation): the noisy network acts, noise x reward-prediction error",
        citation: "Legenstein, Chase, Schwartz & Maass, J. Neurosci. 30(25), 2010; as the baseline of García Fernández, Ahmad & van Gerven, arXiv:2503.23972",
        equations: "Sources/ThreeFactor/Rules/RewardModulatedHebbian.swift and Agents/PolicyGradientAgent.swift")

    public static var parameters: [ParameterSpec] {
        [
            .perturbationNoise,
            .traceDecay,
            .string("postsynaptic", default: Postsynaptic.noise.rawValue, choices: Postsynaptic.allCases.map(\.rawValue),
                    "postsynaptic factor: the noise xi_l, or a~_l minus its running average (Legenstein 2010)"),
            .number("activity_average_rate", default: 0.66, range: .unitInterval, "rate of the running average of the pre-activation (running-average only)"),
        ]
    }

    /// Standard deviation σ of the injected noise (`noise_std`).
    public let noiseStd: Double
    public let traceDecay: Double
    /// What stands for the postsynaptic factor.
    public let postsynapticKind: Postsynaptic
    /// The rate of the running average of the pre-activation (`activity_average_rate`; used by
    /// the running-average option only).
    public let activityAverageRate: Double
    public let updateLayerScale: [Double]
    /// The step's postsynaptic factor (`xi_l` or `a~_l - abar_l`), pass layout.
    public private(set) var postsynaptic: [Double]
    /// `abar_l`, pass layout (running-average option only).
    var activityAverage: [Double]
    var noiseStream: RandomStream

    public var tracePresynaptic: PolicyMLP.PassKind { .noisy }
    /// The noisy pass: the network that acted is the one whose activity is correlated with the
    /// reward.
    public var immediatePresynaptic: PolicyMLP.PassKind { .noisy }

    public init(_ p: ParameterValues, network: PolicyMLP, rewardMode: RewardMode, stream: RandomStream) throws {
        noiseStd = try p.double("noise_std")
        traceDecay = try p.double("trace_decay")
        postsynapticKind = try p.choice("postsynaptic", as: Postsynaptic.self)
        activityAverageRate = try p.double("activity_average_rate")
        updateLayerScale = Array(repeating: 1, count: network.layerCount)
        postsynaptic = Array(repeating: 0, count: network.noisy.noise.count)
        activityAverage = postsynaptic
        noiseStream = stream.split(PolicyStreamTag.noise)
    }

    public mutating func beginEpisode() {
        for i in activityAverage.indices { activityAverage[i] = 0 }
    }

    /// The noisy network acts; the factor is 1.
    public mutating func step(_ network: inout PolicyMLP, observation: [Double], actions: inout RandomStream) -> (action: Action, factor: Double) {
        network.forwardNoisy(observation, sigma: noiseStd, noiseSource: &noiseStream)
        let action = network.sample(from: network.noisy, using: &actions)
        formPostsynapticFactor(network)
        return (action, 1)
    }

    /// `xi_l`, or `a~_l - abar_l` after updating `abar_l` with the pre-noise
    /// pre-activation `a~_l - xi_l`.
    mutating func formPostsynapticFactor(_ network: PolicyMLP) {
        let first = network.unitOffset[1], end = network.unitOffset[network.layerSizes.count]
        let rate = activityAverageRate
        let useNoise = postsynapticKind == .noise
        network.noisy.noise.withUnsafeBufferPointer { xi in
        network.noisy.preActivation.withUnsafeBufferPointer { a in
        activityAverage.withUnsafeMutableBufferPointer { abar in
        postsynaptic.withUnsafeMutableBufferPointer { u in
            if useNoise {
                for i in first..<end { u[i] = xi[i] }
            } else {
                for i in first..<end {
                    abar[i] += rate * ((a[i] - xi[i]) - abar[i])
                    u[i] = a[i] - abar[i]
                }
            }
        }}}}
    }

    public func save(to archive: inout StateArchive) {
        archive.append(postsynaptic)
        archive.append(activityAverage)
        noiseStream.save(to: &archive)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try reader.doubles(into: &postsynaptic)
        try reader.doubles(into: &activityAverage)
        try noiseStream.load(from: &reader)
    }
}
