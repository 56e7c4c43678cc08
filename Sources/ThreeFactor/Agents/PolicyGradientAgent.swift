/// How a rule of the policy-gradient family estimates, at each step, the direction in which
/// to move every weight: a postsynaptic factor per unit (the rule's own) that multiplies the
/// presynaptic activity and one global reward-prediction error (shared).
///
/// The rules of the noise-based reward-modulated learning paper are its implementations:
/// NRL (`NoiseBasedRewardModulated`), RMHL (`RewardModulatedHebbian`) and REINFORCE by
/// backprop (`BackpropREINFORCE`); `PolicyGradientAgent` runs any of them.
public protocol PolicyGradientEstimator: Sendable, Checkpointable {
    /// The estimator's own keys (beyond the agent's).
    static var parameters: [ParameterSpec] { get }
    /// True when the step's global factor varies from step to step (NRL's `D_t`) and is part
    /// of the agent's state; false when it is always 1.
    static var stepFactorVaries: Bool { get }

    /// The estimator for `network`, with its hyperparameters read from `p`.
    ///
    /// - Parameters:
    ///   - p: the experiment's values, read through the agent's table (the family's keys and
    ///     the estimator's `parameters`).
    ///   - network: the freshly initialised policy, for its shape.
    ///   - rewardMode: when the reward arrives; some defaults depend on it.
    ///   - stream: the agent's stream, from which the estimator splits its own
    ///     (e.g. its noise, at `PolicyStreamTag.noise`).
    init(_ p: ParameterValues, network: PolicyMLP, rewardMode: RewardMode, stream: RandomStream) throws

    /// The eligibility trace's decay per step (1: no decay).
    var traceDecay: Double { get }
    /// Per-layer factor of every weight update (1 per layer unless the rule scales layers).
    var updateLayerScale: [Double] { get }
    /// The pass whose activity is the presynaptic factor of the trace (delayed reward) and
    /// of the per-step update (immediate reward).
    var tracePresynaptic: PolicyMLP.PassKind { get }
    /// The pass whose activity is the presynaptic factor of the immediate-reward update.
    var immediatePresynaptic: PolicyMLP.PassKind { get }
    /// The postsynaptic factor of the last step, one value per unit (pass layout).
    var postsynaptic: [Double] { get }

    /// Runs the network on the observation, samples the action with `actions` (from the
    /// network's head: `PolicyMLP.sample(from:using:)`), and leaves the step's postsynaptic
    /// factor; returns the action and the step's global factor. A continuous action is the
    /// unclipped Gaussian sample in the network's units; the agent maps it to the task's box.
    mutating func step(_ network: inout PolicyMLP, observation: [Double], actions: inout RandomStream) -> (action: Action, factor: Double)
    /// Clears per-episode state (e.g. running averages).
    mutating func beginEpisode()
}

extension PolicyGradientEstimator {
    public static var stepFactorVaries: Bool { false }
    public var traceDecay: Double { 1 }
    public mutating func beginEpisode() {}
}

/// A policy network trained by a three-factor rule with a moving-average reward baseline
/// (García Fernández, Ahmad & van Gerven, "Noise-based reward-modulated learning",
/// arXiv:2503.23972; facts from the authors' `training.py`). The policy is a bias-free
/// LeakyReLU `PolicyMLP` with a softmax output; `Estimator` supplies the postsynaptic factor
/// `u_l` and the step's factor `f_t`.
///
/// Delayed reward (`reward_mode = "episodic"`):
///
///     E_l <- traceDecay E_l + f_t u_l (outer) x_{l-1}                  every step
///     delta = (R - Rbar) / |R|,   W_l <- W_l + eta s_l delta E_l       at the episode's end
///
/// Immediate reward (`reward_mode = "immediate"`), every step, no trace:
///
///     W_l <- W_l + eta s_l (r_t - rbar) f_t u_l (outer) x_{l-1}
///
/// with `s_l` the estimator's per-layer scale, the baseline of `RewardBaseline`, traces
/// cleared at every episode start. The first episode (or a trial's first step) only sets
/// the baseline.
///
/// Continuous actions (a `Box` of 1 to 4 dimensions with finite bounds `low < high`): the
/// policy is a Gaussian with fixed standard deviation (Williams 1992, Section 6; see
/// `PolicyMLP.Head.gaussian`). The network's output layer is linear with one unit per
/// action dimension, and works in normalised units in which the box is `[-1, 1]^d`:
///
///     u ~ N(mu(s), sigma_a^2 I),   mu(s) = a_L,   sigma_a = action_std,
///     action = c + h * clip(u, -1, 1),   c = (high + low) / 2,   h = (high - low) / 2,
///
/// so `action_std` is in units of the box's half-width and one default (0.5: at `mu = 0`
/// about 95 % of the samples fall inside the box) serves every task — the rescaling to
/// `[-1, 1]` that Stable-Baselines3's documentation recommends for continuous actions. The
/// log-probability, and so every rule's update, uses the UNCLIPPED sample `u`: the clip
/// belongs to the environment, as in the usual implementations of Gaussian policies
/// (CleanRL's `ppo_continuous_action.py` clips the sampled action only in the environment
/// step; Stable-Baselines3 clips the unsquashed Gaussian action before `env.step` and
/// stores the unclipped one). Clipping biases the gradient at the box's edges (every `u`
/// beyond an edge gives the same action), which is the known price of this simple choice;
/// a tanh-squashed Gaussian would avoid it at the cost of a Jacobian term. `mu` is not
/// bounded: a policy may push its mean beyond the box, and a mean several `sigma_a` beyond
/// an edge gets the same clipped action every step, so the return stops varying and the
/// rules (all driven by `R - Rbar`) stop learning — keep learning rates small enough that
/// one update does not throw the mean out of the box.
public struct PolicyGradientAgent<Estimator: PolicyGradientEstimator>: EpisodicAgent {
    /// Eta, the learning rate of every weight update (`learning_rate`).
    public let learningRate: Double
    /// Whether the agent learns once per episode from the return or every step from its reward.
    public let rewardMode: RewardMode
    /// The policy network.
    public internal(set) var network: PolicyMLP
    /// The rule's estimator and its state (e.g. its noise stream and running averages).
    public internal(set) var estimator: Estimator
    /// The eligibility trace `E_l` (for REINFORCE: the episode's summed gradient), laid out
    /// like the weights.
    public internal(set) var trace: [Double]
    /// `f_t` of the last step (read by the immediate update in `observe`).
    var stepFactor = 1.0
    let unitLayerScale: [Double]
    var actionStream: RandomStream
    /// Continuous actions: the box's centre `c` and half-width `h` per dimension (lanes
    /// beyond the action's dimension are 0); unused for discrete actions.
    let actionCentre: SIMD4<Double>
    let actionHalfWidth: SIMD4<Double>
    /// Baseline, return and reward-prediction errors.
    var signal: RewardSignal
    /// The moving-average reward baseline and its state.
    public var baseline: RewardBaseline { signal.baseline }
    var diverged = false

    /// The keys every rule of the family reads, with the paper's defaults.
    public static var commonParameters: [ParameterSpec] {
        [
            .number("learning_rate", default: nil, range: .nonNegative, "eta, the learning rate"),
            .integer("hidden_units", default: 128, range: .width, unit: "units", "width of every hidden layer"),
            .integer("hidden_layers", default: 1, range: .closed(0, 64), unit: "layers", "number of hidden layers"),
            .number("baseline_rate", default: 0.66, range: .leftOpen(0, 1), "rate of the moving-average reward baseline"),
            .string("reward_mode", default: RewardMode.episodic.rawValue, choices: RewardMode.allCases.map(\.rawValue),
                    "episodic: one update per episode from the return; immediate: one per step from its reward"),
            .number("action_std", default: 0.5, range: .positive, unit: "box half-widths",
                    "sigma_a, the Gaussian policy's standard deviation (continuous actions only)"),
        ]
    }

    /// Every key of an experiment with this estimator: the family's `commonParameters` and the
    /// estimator's own.
    public static var parameters: ParameterTable { ParameterTable(commonParameters + Estimator.parameters) }

    /// The rule's catalog entry (episodic kind; discrete actions by the softmax, continuous
    /// ones by the Gaussian head).
    public static func descriptor(name: String, summary: String, citation: String, equations: String) -> RuleDescriptor {
        RuleDescriptor(
            name: name, summary: summary, citation: citation, equations: equations,
            implementations: [
                .episodic(actionSpaces: [.discrete, .continuous], parameters: parameters) { p, task, stream in
                    try PolicyGradientAgent(p, task: task, stream: stream)
                },
            ])
    }

    /// The agent with the family's and the estimator's hyperparameters read from `parameters`;
    /// the task must have a discrete action space.
    public init(parameters: Hyperparameters, task: TaskShape, stream: RandomStream) throws {
        try self.init(Self.parameters.read(parameters), task: task, stream: stream)
    }

    init(_ p: ParameterValues, task: TaskShape, stream: RandomStream) throws {
        let actions: Int, head: PolicyMLP.Head
        var centre = SIMD4<Double>(), halfWidth = SIMD4<Double>()
        switch task.actionSpace {
        case .discrete(let n):
            guard n >= 1 else { throw ParameterError(key: "action space", message: "needs at least one action, the task has \(task.actionSpace)") }
            actions = n
            head = .softmax
        case .box(let low, let high):
            guard (1...4).contains(low.count), high.count == low.count else {
                throw ParameterError(key: "action space", message: "continuous actions of 1 to 4 dimensions are supported, the task has \(task.actionSpace)")
            }
            for k in low.indices {
                guard low[k].isFinite, high[k].isFinite, low[k] < high[k] else {
                    throw ParameterError(key: "action space", message: "the Gaussian policy needs finite bounds low < high, the task has \(task.actionSpace)")
                }
                centre[k] = 0.5 * (high[k] + low[k])
                halfWidth[k] = 0.5 * (high[k] - low[k])
            }
            actions = low.count
            head = .gaussian(standardDeviation: try p.double("action_std"))
        }
        actionCentre = centre
        actionHalfWidth = halfWidth
        learningRate = try p.double("learning_rate")
        rewardMode = try p.choice("reward_mode", as: RewardMode.self)
        var initialisation = stream.split(PolicyStreamTag.initialWeights)
        network = PolicyMLP(
            inputs: task.observationCount, hiddenUnits: try p.int("hidden_units"), hiddenLayers: try p.int("hidden_layers"),
            actions: actions, head: head, initialisation: &initialisation)
        estimator = try Estimator(p, network: network, rewardMode: rewardMode, stream: stream)
        actionStream = stream.split(PolicyStreamTag.actions)
        trace = Array(repeating: 0, count: network.weights.count)
        unitLayerScale = Array(repeating: 1, count: network.layerCount)
        signal = RewardSignal(mode: rewardMode, baselineRate: try p.double("baseline_rate"))
    }

    /// Runs the estimator's step on `observation` and returns its action; in episodic mode it
    /// also accumulates the eligibility trace. At `episodeStart` the trace and the estimator's
    /// per-episode state are cleared.
    public mutating func act(_ observation: [Double], episodeStart: Bool) -> Action {
        if episodeStart {
            for i in trace.indices { trace[i] = 0 }
            estimator.beginEpisode()
            signal.beginEpisode()
        }
        let (action, factor) = estimator.step(&network, observation: observation, actions: &actionStream)
        stepFactor = factor
        if rewardMode == .episodic { accumulateTrace(factor: factor) }
        return environmentAction(action)
    }

    /// The action sent to the environment: a discrete action as drawn; a Gaussian sample
    /// `u` mapped to `c + h * clip(u, -1, 1)` (the log-probability used `u` itself).
    func environmentAction(_ action: Action) -> Action {
        guard case .continuous(let u) = action else { return action }
        let clipped = u.clamped(lowerBound: SIMD4(repeating: -1), upperBound: SIMD4(repeating: 1))
        return .continuous(actionCentre + actionHalfWidth * clipped)
    }

    /// `E_l <- traceDecay E_l + f_t u_l (outer) x_{l-1}` with the estimator's last factor.
    public mutating func accumulateTrace(factor: Double) {
        let decay = estimator.traceDecay
        if decay != 1 {
            for i in trace.indices { trace[i] *= decay }
        }
        network.addOuterProducts(
            scale: factor, layerScale: unitLayerScale, post: estimator.postsynaptic,
            presynaptic: estimator.tracePresynaptic, into: &trace)
    }

    /// Immediate mode: updates the weights from this step's reward-prediction error. Episodic
    /// mode: at the episode's end, updates them from the return's relative error and the trace.
    public mutating func observe(reward: Double, nextObservation: [Double], terminated: Bool, truncated: Bool) {
        let stepError = signal.record(reward: reward)
        switch rewardMode {
        case .immediate:
            if let error = stepError {
                network.addOuterProductsToWeights(
                    scale: learningRate * error * stepFactor, layerScale: estimator.updateLayerScale,
                    post: estimator.postsynaptic, presynaptic: estimator.immediatePresynaptic)
            }
            if terminated || truncated { diverged = diverged || !network.weightsAreFinite }
        case .episodic:
            if terminated || truncated { endOfEpisodeUpdate() }
        }
    }

    /// `W_l += eta s_l delta E_l`; the first episode only initialises the baseline.
    mutating func endOfEpisodeUpdate() {
        guard let delta = signal.episodeError() else { return }
        network.addToWeights(trace, scale: learningRate * delta, layerScale: estimator.updateLayerScale)
        diverged = diverged || !delta.isFinite || !network.weightsAreFinite
    }

    public var diagnosticNames: [String] { signal.diagnosticNames }

    public mutating func endEpisode(diagnostics: inout [Double]) {
        signal.writeDiagnostics(&diagnostics, weightNorm: network.weightNorm)
    }

    public var hasDiverged: Bool { diverged }
}

extension PolicyGradientAgent: Checkpointable {
    /// Appends the network, trace, estimator, action stream and reward signal to `archive`.
    public func save(to archive: inout StateArchive) {
        network.save(to: &archive)
        archive.append(trace)
        estimator.save(to: &archive)
        actionStream.save(to: &archive)
        signal.save(to: &archive)
        if Estimator.stepFactorVaries { archive.append(stepFactor) }
        archive.append(diverged)
    }

    /// Restores what `save(to:)` wrote, into an agent built from the same settings.
    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try network.load(from: &reader)
        try reader.doubles(into: &trace)
        try estimator.load(from: &reader)
        try actionStream.load(from: &reader)
        try signal.load(from: &reader)
        if Estimator.stepFactorVaries { stepFactor = try reader.double() }
        diverged = try reader.bool()
    }
}

/// The child streams of a policy-gradient agent's stream: weights, noise and action
/// sampling each draw from their own, so that, for one seed, every rule of the family
/// starts from the same weights and a change in how much noise a rule draws does not shift
/// its action draws.
public enum PolicyStreamTag {
    /// The tag of the stream the initial weights are drawn from.
    public static let initialWeights: UInt64 = 0
    /// The tag of the stream the estimator's noise is drawn from.
    public static let noise: UInt64 = 1
    /// The tag of the stream the actions are sampled from.
    public static let actions: UInt64 = 2
}

extension ParameterSpec {
    /// The standard deviation of node perturbation's noise (NRL, RMHL). For continuous
    /// actions it is in the network's normalised units, like `action_std`.
    public static let perturbationNoise = ParameterSpec.number(
        "noise_std", default: nil, range: .positive, "sigma, the standard deviation of the noise added to every pre-activation")
    /// The per-step decay of an eligibility trace (NRL, RMHL).
    public static let traceDecay = ParameterSpec.number(
        "trace_decay", default: 1, range: .unitInterval, "gamma_e, the eligibility trace's decay per step")
}
