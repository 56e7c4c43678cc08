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
/// Option `postsynaptic = "running-average"` (Legenstein 2010): `xi_l` is replaced by
/// `a~_l - abar_l`, the noisy pre-activation minus a running average of the
/// pre-activation. As in the authors' code, `abar_l` averages the pre-activation BEFORE
/// this layer's noise is added (`abar_l <- abar_l + rate (a_l - abar_l)`, rate
/// `activity_average_rate`, default 0.66 like the reward baseline), is updated on every
/// step before it is used, and restarts from zero at every episode.
public struct RewardModulatedHebbian: EpisodicAgent {
    public static let ruleName = "rmhl"
    public static let parameterKeys = PolicyRuleSettings.keys.union(
        ["noise_std", "trace_decay", "postsynaptic", "activity_average_rate"])

    public enum Postsynaptic: String, Sendable, CaseIterable {
        /// The injected noise `xi_l` itself.
        case noise
        /// `a~_l - abar_l` (Legenstein et al. 2010).
        case runningAverage = "running-average"
    }

    public let learningRate: Double
    public let noiseStd: Double
    public let traceDecay: Double
    public let rewardMode: RewardMode
    public let postsynaptic: Postsynaptic
    public let activityAverageRate: Double

    public internal(set) var network: PolicyMLP
    /// Eligibility traces `E_l`, laid out like the weights.
    public internal(set) var trace: [Double]
    /// The step's postsynaptic factor (`xi_l` or `a~_l - abar_l`), pass layout.
    var postsynapticFactor: [Double]
    /// `abar_l`, pass layout (running-average option only).
    var activityAverage: [Double]
    let unitLayerScale: [Double]
    var noiseStream: RandomStream
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
        noiseStd = try positiveNoiseStd(p)
        traceDecay = try p.double("trace_decay", default: 1.0)
        postsynaptic = Postsynaptic(rawValue: try p.string(
            "postsynaptic", default: Postsynaptic.noise.rawValue, choices: Postsynaptic.allCases.map(\.rawValue)))!
        activityAverageRate = try p.double("activity_average_rate", default: 0.66)

        var initialisation = stream.split(AgentStreamTag.initialWeights)
        network = PolicyMLP(
            inputs: task.observationCount, hiddenUnits: common.hiddenUnits, hiddenLayers: common.hiddenLayers,
            actions: actions, initialisation: &initialisation)
        noiseStream = stream.split(AgentStreamTag.noise)
        actionStream = stream.split(AgentStreamTag.actions)
        trace = Array(repeating: 0, count: network.weights.count)
        postsynapticFactor = Array(repeating: 0, count: network.noisy.noise.count)
        activityAverage = postsynapticFactor
        unitLayerScale = Array(repeating: 1, count: network.layerCount)
        signal = RewardSignal(mode: common.rewardMode, baselineRate: common.baselineRate)
    }

    // MARK: EpisodicAgent

    public mutating func act(_ observation: [Double], episodeStart: Bool) -> Action {
        if episodeStart { beginEpisode() }
        network.forwardNoisy(observation, sigma: noiseStd, noiseSource: &noiseStream)
        let action = network.sampleAction(from: network.noisy, using: &actionStream)
        formPostsynapticFactor()
        if rewardMode == .episodic {
            if traceDecay != 1 {
                for i in trace.indices { trace[i] *= traceDecay }
            }
            network.addOuterProducts(
                scale: 1, layerScale: unitLayerScale, post: postsynapticFactor, presynaptic: .noisy, into: &trace)
        }
        return .discrete(action)
    }

    public mutating func observe(reward: Double, nextObservation: [Double], terminated: Bool, truncated: Bool) {
        let stepError = signal.record(reward: reward)
        switch rewardMode {
        case .immediate:
            // W_l += eta (r_t - rbar) xi_l (outer) x~_{l-1}
            if let error = stepError {
                network.addOuterProductsToWeights(
                    scale: learningRate * error, layerScale: unitLayerScale,
                    post: postsynapticFactor, presynaptic: .noisy)
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
        for i in trace.indices { trace[i] = 0 }
        for i in activityAverage.indices { activityAverage[i] = 0 }
        signal.beginEpisode()
    }

    /// `xi_l`, or `a~_l - abar_l` after updating `abar_l` with the pre-noise
    /// pre-activation `a~_l - xi_l`.
    mutating func formPostsynapticFactor() {
        let first = network.unitOffset[1], end = network.unitOffset[network.layerSizes.count]
        let rate = activityAverageRate
        let useNoise = postsynaptic == .noise
        network.noisy.noise.withUnsafeBufferPointer { xi in
        network.noisy.preActivation.withUnsafeBufferPointer { a in
        activityAverage.withUnsafeMutableBufferPointer { abar in
        postsynapticFactor.withUnsafeMutableBufferPointer { u in
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

    mutating func endOfEpisodeUpdate() {
        guard let delta = signal.episodeError() else { return }
        network.addToWeights(trace, scale: learningRate * delta, layerScale: unitLayerScale)
        diverged = diverged || !delta.isFinite || !network.weightsAreFinite
    }
}

extension RewardModulatedHebbian: Checkpointable {
    public func save(to archive: inout StateArchive) {
        network.save(to: &archive)
        archive.append(trace)
        archive.append(postsynapticFactor)
        archive.append(activityAverage)
        noiseStream.save(to: &archive)
        actionStream.save(to: &archive)
        signal.save(to: &archive)
        archive.append(diverged)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try network.load(from: &reader)
        try reader.doubles(into: &trace)
        try reader.doubles(into: &postsynapticFactor)
        try reader.doubles(into: &activityAverage)
        try noiseStream.load(from: &reader)
        try actionStream.load(from: &reader)
        try signal.load(from: &reader)
        diverged = try reader.bool()
    }
}
