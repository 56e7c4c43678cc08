/// Noise-based reward-modulated learning (NRL).
///
/// García Fernández, Ahmad & van Gerven, "Noise-based reward-modulated learning",
/// arXiv:2503.23972 (v3, 2025, names the method NRL); equations and constants as in the
/// authors' code (github.com/jesusgf96/noise-based-reward-modulated-learning,
/// `training.py`, algorithm "ours").
///
/// The policy is a `PolicyMLP`. Every step runs the same weights twice: a clean pass, from
/// which the action is sampled, and a noisy pass with `xi_l ~ N(0, sigma^2 I)` added to
/// every layer's pre-activation. Their log-probability difference for the action taken,
///
///     D_t = log pi_noisy(a_t | s_t) - log pi_clean(a_t | s_t),
///
/// is a directional derivative of the log-policy along the noise, so
/// `D_t * xi / ||xi||^2` is, in expectation, the gradient of `log pi(a_t | s_t)` with
/// respect to the pre-activations divided by the number of noisy units — estimated
/// without backpropagation, from quantities local to each layer plus one global scalar.
///
/// Delayed reward (`reward_mode = "episodic"`, CartPole and Acrobot):
///
///     E_l <- gamma_e E_l + D_t (xi_l / ||xi||^2) (outer) x~_{l-1}      every step
///     delta = (R - Rbar) / |R|,   W_l <- W_l + eta [n_l] delta E_l     at the episode's end
///     Rbar <- Rbar + 0.66 (R - Rbar)
///
/// with `||xi||^2` the squared norm of ALL layers' noise together, `x~_{l-1}` the noisy
/// pass's presynaptic activity (the observation for `l = 1`), `gamma_e = 1` (no decay),
/// traces cleared at every episode start, `R` the undiscounted return and `Rbar`
/// initialised to the first return (see `RewardBaseline`). The factor `n_l` (the width of
/// layer `l`'s output) is in the authors' latest code and absent from the earlier one:
/// `output_width_factor` selects it; it defaults to `true` here (latest code) and the
/// experiment files pin it explicitly.
///
/// Immediate reward (`reward_mode = "immediate"`, Reaching1D), every step, no trace:
///
///     W_l <- W_l + eta (r_t - rbar) D_t (xi_l / ||xi_l||^2) (outer) x_{l-1},
///     rbar <- rbar + 0.66 (r_t - rbar)
///
/// with the PER-LAYER noise norm and the CLEAN pass's presynaptic activity; `rbar`
/// restarts at every trial, so a trial's first step makes no update. The width factor
/// defaults to `false` here (commented out in the authors' code for this task).
///
/// Option `noise_readable = false`: for hardware where the injected noise cannot be read,
/// `xi_l` is replaced by the difference of the noisy and clean pre-activations
/// `a~_l - a_l` (which for deeper layers also carries the noise propagated from below),
/// normalised the same way. `noise_normalisation` ("network" / "layer") overrides the
/// mode's default norm.
public struct NoiseBasedRewardModulated: EpisodicAgent {
    public static let ruleName = "nrl"
    public static let parameterKeys = PolicyRuleSettings.keys.union(
        ["noise_std", "trace_decay", "noise_normalisation", "output_width_factor", "noise_readable"])

    public enum NoiseNormalisation: String, Sendable, CaseIterable {
        /// `xi_l / ||xi||^2` with the norm over all layers (gym tasks).
        case network
        /// `xi_l / ||xi_l||^2` with each layer's own norm (Reaching1D).
        case layer
    }

    public let learningRate: Double
    public let noiseStd: Double
    public let traceDecay: Double
    public let rewardMode: RewardMode
    public let normalisation: NoiseNormalisation
    public let outputWidthFactor: Bool
    public let noiseReadable: Bool

    public internal(set) var network: PolicyMLP
    /// Eligibility traces `E_l`, laid out like the weights.
    public internal(set) var trace: [Double]
    /// The step's normalised perturbation `xi_l / ||xi||^2` (pass layout).
    var normalisedNoise: [Double]
    /// `n_l` per layer when the width factor is on, else 1.
    let layerScale: [Double]
    /// 1 per layer (the trace itself is accumulated unscaled).
    let unitLayerScale: [Double]
    var noiseStream: RandomStream
    var actionStream: RandomStream
    /// Baseline, return and reward-prediction errors (shared with the other NRL-family rules).
    var signal: RewardSignal
    public var baseline: RewardBaseline { signal.baseline }
    /// `D_t` of the last step (read by the immediate update in `observe`).
    var directionalDerivative = 0.0
    var diverged = false

    public init(parameters p: Hyperparameters, task: TaskShape, stream: RandomStream) throws {
        try p.rejectUnknownKeys(allowed: Self.parameterKeys)
        let common = try PolicyRuleSettings(p)
        let actions = try PolicyRuleSettings.actionCount(task, rule: Self.ruleName)
        learningRate = common.learningRate
        rewardMode = common.rewardMode
        noiseStd = try positiveNoiseStd(p)
        traceDecay = try p.double("trace_decay", default: 1.0)
        let defaultNorm: NoiseNormalisation = rewardMode == .episodic ? .network : .layer
        normalisation = NoiseNormalisation(rawValue: try p.string(
            "noise_normalisation", default: defaultNorm.rawValue,
            choices: NoiseNormalisation.allCases.map(\.rawValue)))!
        outputWidthFactor = try p.bool("output_width_factor", default: rewardMode == .episodic)
        noiseReadable = try p.bool("noise_readable", default: true)

        var initialisation = stream.split(AgentStreamTag.initialWeights)
        network = PolicyMLP(
            inputs: task.observationCount, hiddenUnits: common.hiddenUnits, hiddenLayers: common.hiddenLayers,
            actions: actions, initialisation: &initialisation)
        noiseStream = stream.split(AgentStreamTag.noise)
        actionStream = stream.split(AgentStreamTag.actions)
        trace = Array(repeating: 0, count: network.weights.count)
        normalisedNoise = Array(repeating: 0, count: network.clean.noise.count)
        let sizes = network.layerSizes, widthFactor = outputWidthFactor
        layerScale = (1..<sizes.count).map { widthFactor ? Double(sizes[$0]) : 1 }
        unitLayerScale = Array(repeating: 1, count: network.layerCount)
        signal = RewardSignal(mode: common.rewardMode, baselineRate: common.baselineRate)
    }

    // MARK: EpisodicAgent

    public mutating func act(_ observation: [Double], episodeStart: Bool) -> Action {
        if episodeStart { beginEpisode() }
        network.forwardClean(observation)
        let action = network.sampleAction(from: network.clean, using: &actionStream)
        network.forwardNoisy(observation, sigma: noiseStd, noiseSource: &noiseStream)
        accumulate(action: action)
        return .discrete(action)
    }

    public mutating func observe(reward: Double, nextObservation: [Double], terminated: Bool, truncated: Bool) {
        let stepError = signal.record(reward: reward)
        switch rewardMode {
        case .immediate:
            // W_l += eta (r_t - rbar) D_t (xi_l / ||xi_l||^2) (outer) x_{l-1}
            if let error = stepError {
                network.addOuterProductsToWeights(
                    scale: learningRate * error * directionalDerivative, layerScale: layerScale,
                    post: normalisedNoise, presynaptic: .clean)
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
        signal.beginEpisode()
    }

    /// After both passes of a step: `D_t`, the normalised perturbation, and (episodic) the
    /// trace increment `D_t (xi_l / ||xi||^2) (outer) x~_{l-1}`.
    mutating func accumulate(action: Int) {
        directionalDerivative = network.logProbability(action, of: network.noisy)
            - network.logProbability(action, of: network.clean)
        normalisePerturbation()
        if rewardMode == .episodic {
            if traceDecay != 1 {
                for i in trace.indices { trace[i] *= traceDecay }
            }
            network.addOuterProducts(
                scale: directionalDerivative, layerScale: unitLayerScale,
                post: normalisedNoise, presynaptic: .noisy, into: &trace)
        }
    }

    /// `xi_l / ||xi||^2` (network norm) or `xi_l / ||xi_l||^2` (layer norm) into
    /// `normalisedNoise`; with `noise_readable = false`, `a~_l - a_l` stands for `xi_l`.
    mutating func normalisePerturbation() {
        let sizes = network.layerSizes, offsets = network.unitOffset
        let first = offsets[1], end = offsets[sizes.count]
        let readable = noiseReadable
        network.noisy.noise.withUnsafeBufferPointer { xi in
        network.noisy.preActivation.withUnsafeBufferPointer { noisyPre in
        network.clean.preActivation.withUnsafeBufferPointer { cleanPre in
        normalisedNoise.withUnsafeMutableBufferPointer { u in
            for i in first..<end { u[i] = readable ? xi[i] : noisyPre[i] - cleanPre[i] }
            switch normalisation {
            case .network:
                var s = 0.0
                for i in first..<end { s += u[i] * u[i] }
                let inv = 1 / s
                for i in first..<end { u[i] *= inv }
            case .layer:
                for l in 1..<sizes.count {
                    var s = 0.0
                    for i in offsets[l]..<offsets[l + 1] { s += u[i] * u[i] }
                    let inv = 1 / s
                    for i in offsets[l]..<offsets[l + 1] { u[i] *= inv }
                }
            }
        }}}}
    }

    /// At the end of an episode: `delta = (R - Rbar) / |R|`, `W_l += eta [n_l] delta E_l`,
    /// then the baseline update; the first episode only initialises the baseline.
    mutating func endOfEpisodeUpdate() {
        guard let delta = signal.episodeError() else { return }
        network.addToWeights(trace, scale: learningRate * delta, layerScale: layerScale)
        diverged = diverged || !delta.isFinite || !network.weightsAreFinite
    }
}

extension NoiseBasedRewardModulated: Checkpointable {
    public func save(to archive: inout StateArchive) {
        network.save(to: &archive)
        archive.append(trace)
        archive.append(normalisedNoise)
        noiseStream.save(to: &archive)
        actionStream.save(to: &archive)
        signal.save(to: &archive)
        archive.append(directionalDerivative)
        archive.append(diverged)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try network.load(from: &reader)
        try reader.doubles(into: &trace)
        try reader.doubles(into: &normalisedNoise)
        try noiseStream.load(from: &reader)
        try actionStream.load(from: &reader)
        try signal.load(from: &reader)
        directionalDerivative = try reader.double()
        diverged = try reader.bool()
    }
}
