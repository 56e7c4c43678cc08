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
public struct BackpropREINFORCE: EpisodicAgent {
    public static let ruleName = "bp-reinforce"
    public static let parameterKeys = PolicyRuleSettings.keys

    public let learningRate: Double
    public let rewardMode: RewardMode

    public internal(set) var network: PolicyMLP
    /// `sum_t d log pi(a_t|s_t) / dW`, laid out like the weights (episodic mode).
    public internal(set) var gradientSum: [Double]
    /// `d log pi(a_t|s_t) / d a_l` of the last step, pass layout.
    var nodeGradient: [Double]
    let unitLayerScale: [Double]
    var actionStream: RandomStream
    /// Baseline, return and reward-prediction errors (shared with the other NRL-family rules).
    var signal: RewardSignal
    public var baseline: RewardBaseline { signal.baseline }
    var diverged = false

    public init(parameters p: Hyperparameters, task: TaskShape, stream: RandomStream) throws {
        try p.rejectUnknownKeys(allowed: Self.parameterKeys)
        let common = try PolicyRuleSettings(p)
        let actions = try PolicyRuleSettings.actionCount(task, rule: Self.ruleName)
        learningRate = common.learningRate
        rewardMode = common.rewardMode
        var initialisation = stream.split(AgentStreamTag.initialWeights)
        network = PolicyMLP(
            inputs: task.observationCount, hiddenUnits: common.hiddenUnits, hiddenLayers: common.hiddenLayers,
            actions: actions, initialisation: &initialisation)
        actionStream = stream.split(AgentStreamTag.actions)
        gradientSum = Array(repeating: 0, count: network.weights.count)
        nodeGradient = Array(repeating: 0, count: network.clean.noise.count)
        unitLayerScale = Array(repeating: 1, count: network.layerCount)
        signal = RewardSignal(mode: common.rewardMode, baselineRate: common.baselineRate)
    }

    // MARK: EpisodicAgent

    public mutating func act(_ observation: [Double], episodeStart: Bool) -> Action {
        if episodeStart { beginEpisode() }
        network.forwardClean(observation)
        let action = network.sampleAction(from: network.clean, using: &actionStream)
        network.logProbabilityNodeGradient(action, of: network.clean, into: &nodeGradient)
        if rewardMode == .episodic {
            network.addOuterProducts(
                scale: 1, layerScale: unitLayerScale, post: nodeGradient, presynaptic: .clean, into: &gradientSum)
        }
        return .discrete(action)
    }

    public mutating func observe(reward: Double, nextObservation: [Double], terminated: Bool, truncated: Bool) {
        let stepError = signal.record(reward: reward)
        switch rewardMode {
        case .immediate:
            // W_l += eta (r_t - rbar) d log pi(a_t|s_t) / dW_l
            if let error = stepError {
                network.addOuterProductsToWeights(
                    scale: learningRate * error, layerScale: unitLayerScale, post: nodeGradient, presynaptic: .clean)
            }
            if terminated || truncated { diverged = diverged || !network.weightsAreFinite }
        case .episodic:
            if terminated || truncated { endOfEpisodeUpdate() }
        }
    }

    public var diagnosticNames: [String] { signal.diagnosticNames }

    public mutating func endEpisode(diagnostics: inout [Double]) {
        signal.writeDiagnostics(&diagnostics, weightNorm: network.weightNorm)
    }

    public var hasDiverged: Bool { diverged }

    // MARK: The rule

    mutating func beginEpisode() {
        for i in gradientSum.indices { gradientSum[i] = 0 }
        signal.beginEpisode()
    }

    /// One SGD step on `-sum_t log pi(a_t|s_t) delta`; the first episode only initialises
    /// the baseline.
    mutating func endOfEpisodeUpdate() {
        guard let delta = signal.episodeError() else { return }
        network.addToWeights(gradientSum, scale: learningRate * delta, layerScale: unitLayerScale)
        diverged = diverged || !delta.isFinite || !network.weightsAreFinite
    }
}

extension BackpropREINFORCE: Checkpointable {
    public func save(to archive: inout StateArchive) {
        network.save(to: &archive)
        archive.append(gradientSum)
        archive.append(nodeGradient)
        actionStream.save(to: &archive)
        signal.save(to: &archive)
        archive.append(diverged)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try network.load(from: &reader)
        try reader.doubles(into: &gradientSum)
        try reader.doubles(into: &nodeGradient)
        try actionStream.load(from: &reader)
        try signal.load(from: &reader)
        diverged = try reader.bool()
    }
}
