/// Settings of the actor–critic agent, read from the keys of the reference code's config
/// files (`config/config_*.ini` of github.com/stephen-chung-mh/map_prop). Defaults are the
/// reference CartPole configuration (`config_cp.ini`). The reference keys `name`,
/// `max_eps`, `n_run`, `env_name` belong to the experiment file (`units`, `seeds`, `env`);
/// `batch_size` is always 1 and is not accepted.
public struct ActorCriticSettings: Sendable, Equatable {
    /// Discount rate γ of the TD error (`gamma`).
    public var gamma: Double
    /// Hidden layer sizes of both networks, input side first (`hidden`).
    public var hidden: [Int]
    /// The critic's hidden activation (`critic_l_type`).
    public var criticActivation: HiddenActivation
    /// The actor's hidden activation (`actor_l_type`).
    public var actorActivation: HiddenActivation
    /// Softmax temperature of a discrete actor (`temp`); must be positive.
    public var temperature: Double
    /// Variance of each critic layer's units, output last (`critic_var`); all 1 when hidden
    /// units are deterministic.
    public var criticVariances: [Double]
    /// Variance of each actor layer's units, output last (`actor_var`); with deterministic
    /// hidden units only the output's (`actor_output_var`) matters.
    public var actorVariances: [Double]
    /// The configured lambdas; the traces decay by `lambda * gamma` (as the reference).
    public var criticLambda: Double
    /// The actor's configured lambda (`actor_lambda_`); its traces decay by `actorLambda *
    /// gamma`.
    public var actorLambda: Double
    /// Rewards used for learning are clipped to ±`rewardLimit` when it is positive
    /// (`reward_lim`); the logged return is never clipped.
    public var rewardLimit: Double
    /// The critic's learning rate per layer, output last, decaying linearly from `critic_lr_st`
    /// to `critic_lr_end` over `end_t` steps.
    public var criticLearningRates: [LinearSchedule]
    /// The actor's learning rate per layer, output last, decaying linearly from `actor_lr_st`
    /// to `actor_lr_end` over `end_t` steps.
    public var actorLearningRates: [LinearSchedule]

    /// The loop's keys, whatever the rule.
    public static let parameters = ParameterTable([
        .number("gamma", default: 0.98, range: .unitInterval, "discount rate"),
        .integers("hidden", default: [64, 32], range: .width, unit: "units per layer", "hidden layer sizes (both networks)"),
        .integer("critic_l_type", default: 0, range: .closed(0, 1), "critic's hidden activation: 0 softplus, 1 ReLU"),
        .integer("actor_l_type", default: 0, range: .closed(0, 1), "actor's hidden activation: 0 softplus, 1 ReLU"),
        .number("temp", default: 2, range: .positive, "softmax temperature of a discrete actor"),
        .number("critic_lambda_", default: 0.95, range: .unitInterval, "critic's trace decay; the traces decay by this x gamma"),
        .number("actor_lambda_", default: 0.95, range: .unitInterval, "actor's trace decay; the traces decay by this x gamma"),
        .number("reward_lim", default: -1, "clip rewards used for learning to ±reward_lim when > 0 (the return is unclipped)"),
        .numbers("critic_lr_st", default: [2e-2, 2e-5, 2e-6], range: .nonNegative, unit: "per layer", "critic's learning rates at step 0 (one per layer, output last)"),
        .numbers("critic_lr_end", default: [2e-3, 2e-6, 2e-7], range: .nonNegative, unit: "per layer", "critic's learning rates from step end_t on"),
        .numbers("actor_lr_st", default: [1e-2, 1e-5, 1e-6], range: .nonNegative, unit: "per layer", "actor's learning rates at step 0 (one per layer, output last)"),
        .numbers("actor_lr_end", default: [1e-3, 1e-6, 1e-8], range: .nonNegative, unit: "per layer", "actor's learning rates from step end_t on"),
        .integer("end_t", default: 50000, range: .atLeast(1), unit: "steps", "length of the linear learning-rate schedules"),
    ])

    /// The keys of the units' variances: one per layer for stochastic units, only the
    /// policy's output for deterministic hidden units.
    public static func varianceParameters(stochasticHiddenUnits: Bool) -> [ParameterSpec] {
        stochasticHiddenUnits
            ? [
                .numbers("critic_var", default: [0.03, 0.1, 0.1], range: .positive, unit: "per layer", "variance of each critic layer's units, output included"),
                .numbers("actor_var", default: [0.03, 0.1, 0.1], range: .positive, unit: "per layer", "variance of each actor layer's units, output included"),
            ]
            : [.number("actor_output_var", default: 0.1, range: .positive, "variance of a continuous policy's Gaussian output")]
    }

    /// Reads the settings from values read through `parameters` plus
    /// `varianceParameters(stochasticHiddenUnits:)`. `stochasticHiddenUnits` is the rule's
    /// `TeamNetworkRule.stochasticHiddenUnits`: without it the variance keys are the output's
    /// only.
    public init(_ p: ParameterValues, stochasticHiddenUnits: Bool) throws {
        gamma = try p.double("gamma")
        hidden = try p.ints("hidden")
        let layerCount = hidden.count + 1
        criticActivation = HiddenActivation(rawValue: try p.int("critic_l_type"))!
        actorActivation = HiddenActivation(rawValue: try p.int("actor_l_type"))!
        temperature = try p.double("temp")
        if stochasticHiddenUnits {
            criticVariances = try p.doubles("critic_var", count: layerCount)
            actorVariances = try p.doubles("actor_var", count: layerCount)
        } else {
            // Hidden units are deterministic; only the policy's output variance enters.
            criticVariances = Array(repeating: 1, count: layerCount)
            actorVariances = Array(repeating: 1, count: hidden.count) + [try p.double("actor_output_var")]
        }
        criticLambda = try p.double("critic_lambda_")
        actorLambda = try p.double("actor_lambda_")
        rewardLimit = try p.double("reward_lim")
        let endT = try p.int("end_t")
        func schedules(_ prefix: String) throws -> [LinearSchedule] {
            let s = try p.doubles("\(prefix)_lr_st", count: layerCount)
            let e = try p.doubles("\(prefix)_lr_end", count: layerCount)
            return zip(s, e).map { LinearSchedule(start: $0, end: $1, steps: endT) }
        }
        criticLearningRates = try schedules("critic")
        actorLearningRates = try schedules("actor")
    }
}

/// The online actor–critic of the MAP propagation reference code (`main_rl.py`), for any
/// `TeamNetworkRule`: MAP propagation, a REINFORCE team, backprop, or a rule of your own.
///
/// Two separate networks, actor and critic. The critic's value estimate V(s) is the mean
/// of its output unit. One TD error drives both:
///
///     δ_t = r_t + γ V(s_{t+1}) (1 - terminal) - V(s_t)
///
/// Per environment step, in the reference's order:
/// 1. both networks sample for the new observation s_t (with the current weights);
/// 2. both learn from the previous step's δ with their traces as they stand;
/// 3. at the start of an episode the traces are cleared;
/// 4. credit assignment for this step's sample (20 MAP steps for map-prop; rules that take
///    the eligibility under the weights that drew the sample, REINFORCE and backprop, do
///    it before step 2) and the trace update `T <- lambda gamma T + e`;
/// 5. the action goes to the environment.
///
/// Episode boundaries, as the reference loop (batch_envs with rest 0) does them: after the
/// last step there is one more learning step, with δ = r - V(s_T-1) if the episode
/// terminated and δ = 0 if it was truncated (no bootstrapping from a cut episode); the
/// first step of the next episode learns with δ = 0. A zero δ still moves the weights by
/// Adam's momentum and counts as a step of the learning-rate schedules — kept because the
/// published curves were produced that way. The reference also runs a MAP inference on the
/// final observation, whose traces are only ever multiplied by a zero δ; it is skipped.
///
/// Continuous actions: the reference maps the output `o` by `o * (high - low) - low` and
/// clips to [low, high]. For MountainCarContinuous (low -1, high 1) that is
/// `clip(2 o + 1, -1, 1)`, not the affine map `o * (high - low) + low` one might expect; we
/// reproduce the quirk (the network learns around the offset).
///
/// Rewards used for learning are clipped to ±reward_lim when reward_lim > 0; the episode
/// return is always the environment's.
public struct ActorCriticAgent<Rule: TeamNetworkRule>: EpisodicAgent {
    /// The loop's settings.
    public let settings: ActorCriticSettings
    /// The rule as it assigns credit in the critic.
    public let criticRule: Rule
    /// The rule as it assigns credit in the actor.
    public let actorRule: Rule
    /// The policy network: its output is the action (softmax over discrete actions, Gaussian
    /// means for continuous ones).
    public private(set) var actor: TeamNetwork
    /// The value network: the mean of its single output unit is V(s).
    public private(set) var critic: TeamNetwork

    let discreteActions: Bool
    let actionDimensions: Int
    let actionLow: SIMD4<Double>
    let actionHigh: SIMD4<Double>

    /// The reference loop's step counter `i` (the learning-rate schedules' step).
    public private(set) var iteration = 0
    /// V(s_{t-1}): the critic's mean value for the previous observation.
    var previousValue = 0.0
    /// r_{t-1}, after clipping.
    var pendingReward = 0.0
    /// Learning rates of the current step (scratch, one per layer).
    var criticRates: [Double]
    var actorRates: [Double]
    // Per-episode diagnostics.
    var tdSquareSum = 0.0
    var tdCount = 0
    var valueSum = 0.0
    var valueCount = 0

    /// The agent with the given settings and rules, at step 0.
    ///
    /// - Parameters:
    ///   - settings: the loop's settings.
    ///   - criticRule: the rule as it assigns credit in the critic.
    ///   - actorRule: the rule as it assigns credit in the actor.
    ///   - task: the task's observation length and action space, which shape the networks'
    ///     input and the actor's output.
    ///   - stream: the agent's stream; split into the two networks' initial
    ///     weights and their noise.
    public init(settings: ActorCriticSettings, critic criticRule: Rule, actor actorRule: Rule, task: TaskShape, stream: RandomStream) throws {
        self.settings = settings
        self.criticRule = criticRule
        self.actorRule = actorRule
        let outputUnits: OutputUnits
        let outputCount: Int
        switch task.actionSpace {
        case .discrete(let n):
            discreteActions = true
            actionDimensions = 1
            outputCount = n
            outputUnits = .softmax(temperature: settings.temperature)
            actionLow = .zero
            actionHigh = .zero
        case .box(let low, let high):
            guard (1...4).contains(low.count) else {
                throw ParameterError(key: "action space", message: "continuous actions of 1 to 4 dimensions are supported, found \(low.count)")
            }
            discreteActions = false
            actionDimensions = low.count
            outputCount = low.count
            outputUnits = .gaussian
            var lo = SIMD4<Double>(), hi = SIMD4<Double>()
            for k in 0..<low.count {
                lo[k] = low[k]
                hi[k] = high[k]
            }
            actionLow = lo
            actionHigh = hi
        }
        var actorInit = stream.split(1), criticInit = stream.split(2)
        actor = TeamNetwork(
            inputCount: task.observationCount, hidden: settings.hidden, outputCount: outputCount,
            activation: settings.actorActivation, outputUnits: outputUnits, variances: settings.actorVariances,
            initialization: &actorInit, noise: stream.split(3))
        critic = TeamNetwork(
            inputCount: task.observationCount, hidden: settings.hidden, outputCount: 1,
            activation: settings.criticActivation, outputUnits: .gaussian, variances: settings.criticVariances,
            initialization: &criticInit, noise: stream.split(4))
        criticRates = Array(repeating: 0, count: settings.hidden.count + 1)
        actorRates = criticRates
    }

    /// The agent with the rule's and the loop's hyperparameters read from `parameters`.
    public init(parameters: Hyperparameters, task: TaskShape, stream: RandomStream) throws {
        try self.init(Self.parameters.read(parameters), task: task, stream: stream)
    }

    init(_ p: ParameterValues, task: TaskShape, stream: RandomStream) throws {
        let rules = try Rule.actorCritic(p)
        try self.init(
            settings: ActorCriticSettings(p, stochasticHiddenUnits: Rule.stochasticHiddenUnits),
            critic: rules.critic, actor: rules.actor, task: task, stream: stream)
    }

    /// Every key of an actor–critic experiment with this rule.
    public static var parameters: ParameterTable {
        ParameterTable(
            ActorCriticSettings.parameters,
            ParameterTable(ActorCriticSettings.varianceParameters(stochasticHiddenUnits: Rule.stochasticHiddenUnits)),
            ParameterTable(Rule.actorCriticParameters))
    }

    /// The rule's entry for the episodic kind.
    public static var implementation: RuleImplementation {
        .episodic(actionSpaces: [.discrete, .continuous], parameters: parameters) { p, task, stream in
            try ActorCriticAgent(p, task: task, stream: stream)
        }
    }

    /// Samples both networks for `observation`, learns from the previous step's TD error,
    /// assigns credit for this sample and returns the actor's action (steps 1–5 above). At
    /// `episodeStart` the traces are cleared and the step learns with δ = 0.
    public mutating func act(_ observation: [Double], episodeStart: Bool) -> Action {
        observation.withUnsafeBufferPointer {
            actor.setInput(row: 0, $0.baseAddress!)
            critic.setInput(row: 0, $0.baseAddress!)
        }
        actor.forward(hiddenNoise: Rule.stochasticHiddenUnits)
        critic.forward(hiddenNoise: Rule.stochasticHiddenUnits)
        let value = critic.outputMean()
        valueSum += value
        valueCount += 1

        if !Rule.assignsCreditAfterLearning { assignCredit() }
        if iteration > 0 {
            var delta = 0.0
            if !episodeStart {
                delta = pendingReward + settings.gamma * value - previousValue
                recordTDError(delta)
            }
            learn(delta)
        }
        if episodeStart {
            critic.clearTraces()
            actor.clearTraces()
        }
        if Rule.assignsCreditAfterLearning { assignCredit() }
        critic.accumulateTraces(decay: settings.criticLambda * settings.gamma)
        actor.accumulateTraces(decay: settings.actorLambda * settings.gamma)

        previousValue = value
        iteration += 1
        return currentAction()
    }

    /// Records the step's (clipped) reward; after the episode's last step it makes the final
    /// learning step, with δ = r - V(s) when the episode terminated and δ = 0 when it was
    /// truncated.
    public mutating func observe(reward: Double, nextObservation: [Double], terminated: Bool, truncated: Bool) {
        let limit = settings.rewardLimit
        pendingReward = limit > 0 ? min(max(reward, -limit), limit) : reward
        guard terminated || truncated else { return }
        // The reference loop's extra step on the final observation: V(s_T) is multiplied by
        // zero on termination, and the whole δ is zeroed on truncation.
        var delta = 0.0
        if terminated {
            delta = pendingReward - previousValue
            recordTDError(delta)
        }
        learn(delta)
        iteration += 1
    }

    /// Eligibilities of this step's sample, critic first (as the reference).
    mutating func assignCredit() {
        criticRule.assignCredit(&critic, objective: .value)
        actorRule.assignCredit(&actor, objective: .policy)
    }

    mutating func learn(_ delta: Double) {
        for l in 0..<criticRates.count {
            criticRates[l] = settings.criticLearningRates[l].value(at: iteration)
            actorRates[l] = settings.actorLearningRates[l].value(at: iteration)
        }
        criticRates.withUnsafeBufferPointer { critic.learnFromTraces(signal: delta, learningRates: $0) }
        actorRates.withUnsafeBufferPointer { actor.learnFromTraces(signal: delta, learningRates: $0) }
    }

    mutating func recordTDError(_ delta: Double) {
        tdSquareSum += delta * delta
        tdCount += 1
    }

    func currentAction() -> Action {
        if discreteActions { return .discrete(actor.chosenAction()) }
        var a = SIMD4<Double>()
        for k in 0..<actionDimensions {
            let low = actionLow[k], high = actionHigh[k]
            a[k] = min(max(actor.outputValue(unit: k) * (high - low) - low, low), high)
        }
        return .continuous(a)
    }

    public var diagnosticNames: [String] { ["td_error_rms", "mean_value"] }

    /// td_error_rms: root mean square of the TD errors learned from in the episode (the
    /// zeroed boundary errors excluded); mean_value: mean critic estimate V(s_t) over the
    /// episode's steps.
    public mutating func endEpisode(diagnostics: inout [Double]) {
        diagnostics[0] = tdCount > 0 ? (tdSquareSum / Double(tdCount)).squareRoot() : 0
        diagnostics[1] = valueCount > 0 ? valueSum / Double(valueCount) : 0
        tdSquareSum = 0
        tdCount = 0
        valueSum = 0
        valueCount = 0
    }

    public var hasDiverged: Bool { !actor.parametersAreFinite || !critic.parametersAreFinite }
}

extension ActorCriticAgent {
    /// The agent with this one's settings and the given state: a lockstep lane read back
    /// (`LockstepActorCritic.agent(lane:)`).
    func withState(
        actor: TeamNetwork, critic: TeamNetwork, iteration: Int, previousValue: Double, pendingReward: Double,
        tdSquareSum: Double, tdCount: Int, valueSum: Double, valueCount: Int
    ) -> Self {
        var agent = self
        agent.actor = actor
        agent.critic = critic
        agent.iteration = iteration
        agent.previousValue = previousValue
        agent.pendingReward = pendingReward
        agent.tdSquareSum = tdSquareSum
        agent.tdCount = tdCount
        agent.valueSum = valueSum
        agent.valueCount = valueCount
        return agent
    }
}

extension ActorCriticAgent: Checkpointable {
    /// Appends the loop's counters and both networks (weights, Adam moments, traces, noise
    /// streams) to `archive`.
    public func save(to archive: inout StateArchive) {
        archive.append(iteration)
        archive.append(previousValue)
        archive.append(pendingReward)
        archive.append(tdSquareSum)
        archive.append(tdCount)
        archive.append(valueSum)
        archive.append(valueCount)
        actor.save(to: &archive)
        critic.save(to: &archive)
    }

    /// Restores what `save(to:)` wrote, into an agent built from the same settings.
    public mutating func load(from reader: inout StateArchive.Reader) throws {
        iteration = try reader.int()
        previousValue = try reader.double()
        pendingReward = try reader.double()
        tdSquareSum = try reader.double()
        tdCount = try reader.int()
        valueSum = try reader.double()
        valueCount = try reader.int()
        try actor.load(from: &reader)
        try critic.load(from: &reader)
    }
}
