/// The credit-assignment rule that trains an `ActorCriticAgent`.
public enum ActorCriticRule: String, Sendable, CaseIterable {
    /// MAP propagation (`Rules/MAPPropagation.swift`): MAP step, then REINFORCE eligibilities.
    case mapPropagation = "map-prop"
    /// Every unit a REINFORCE agent, no MAP step (`Rules/REINFORCETeam.swift`).
    case reinforceTeam = "reinforce-team"
    /// Deterministic hidden units trained by backprop (`Rules/BackpropActorCritic.swift`).
    case backprop = "backprop-ac"
}

/// Settings of the actor–critic agent, read from the keys of the reference code's config
/// files (`config/config_*.ini` of github.com/stephen-chung-mh/map_prop). Defaults are the
/// reference CartPole configuration (`config_cp.ini`).
///
/// | key | meaning | default |
/// |---|---|---|
/// | `gamma` | discount rate | 0.98 |
/// | `hidden` | units per hidden layer (both networks) | [64, 32] |
/// | `critic_l_type`, `actor_l_type` | hidden activation: 0 softplus, 1 ReLU | 0 |
/// | `temp` | softmax temperature of a discrete actor | 2 |
/// | `critic_var`, `actor_var` | variance of each layer's units, output included (team rules) | [0.03, 0.1, 0.1] |
/// | `critic_update_adj`, `actor_update_adj` | MAP step size = this x the layer's variance (map-prop) | 0.5 |
/// | `map_grad_ascent_steps` | MAP ascent steps per environment step (map-prop) | 20 |
/// | `critic_lambda_`, `actor_lambda_` | trace decay; the traces decay by this x gamma | 0.95 |
/// | `reward_lim` | clip rewards used for learning to ±reward_lim when > 0 | -1 (off) |
/// | `critic_lr_st`, `critic_lr_end` | per-layer learning rates, start and end | [2e-2, 2e-5, 2e-6], [2e-3, 2e-6, 2e-7] |
/// | `actor_lr_st`, `actor_lr_end` | per-layer learning rates, start and end | [1e-2, 1e-5, 1e-6], [1e-3, 1e-6, 1e-8] |
/// | `end_t` | steps of the linear learning-rate schedules | 50000 |
/// | `actor_output_var` | variance of a continuous policy's Gaussian output (backprop-ac) | 0.1 |
///
/// The reference keys `name`, `max_eps`, `n_run`, `env_name` belong to the experiment file
/// (`units`, `seeds`, `env`); `batch_size` is always 1 and is not accepted.
public struct ActorCriticSettings: Sendable, Equatable {
    public var rule: ActorCriticRule
    public var gamma = 0.98
    public var hidden = [64, 32]
    public var criticActivation = HiddenActivation.softplus
    public var actorActivation = HiddenActivation.softplus
    public var temperature = 2.0
    public var criticVariances = [0.03, 0.1, 0.1]
    public var actorVariances = [0.03, 0.1, 0.1]
    public var criticUpdateAdjustment = 0.5
    public var actorUpdateAdjustment = 0.5
    public var mapSteps = 20
    /// The configured lambdas; the traces decay by `lambda * gamma` (as the reference).
    public var criticLambda = 0.95
    public var actorLambda = 0.95
    public var rewardLimit = -1.0
    public var criticLearningRates: [LinearSchedule]
    public var actorLearningRates: [LinearSchedule]
    public var actorOutputVariance = 0.1

    public static let commonKeys: Set<String> = [
        "gamma", "hidden", "critic_l_type", "actor_l_type", "temp", "critic_lambda_", "actor_lambda_",
        "reward_lim", "critic_lr_st", "critic_lr_end", "actor_lr_st", "actor_lr_end", "end_t",
    ]

    public static func keys(for rule: ActorCriticRule) -> Set<String> {
        switch rule {
        case .mapPropagation:
            commonKeys.union(["critic_var", "actor_var", "critic_update_adj", "actor_update_adj", "map_grad_ascent_steps"])
        case .reinforceTeam: commonKeys.union(["critic_var", "actor_var"])
        case .backprop: commonKeys.union(["actor_output_var"])
        }
    }

    public init(rule: ActorCriticRule, parameters p: Hyperparameters = Hyperparameters()) throws {
        try p.rejectUnknownKeys(allowed: Self.keys(for: rule))
        self.rule = rule
        gamma = try p.double("gamma", default: gamma)
        guard (0...1).contains(gamma) else { throw ParameterError(key: p.name("gamma"), message: "expected a number in [0, 1], found \(gamma)") }
        hidden = try p.ints("hidden", default: hidden)
        guard hidden.allSatisfy({ $0 > 0 }) else { throw ParameterError(key: p.name("hidden"), message: "layer sizes must be positive") }
        let layerCount = hidden.count + 1
        func activation(_ key: String) throws -> HiddenActivation {
            let code = try p.int(key, default: 0)
            guard let a = HiddenActivation(rawValue: code) else {
                throw ParameterError(key: p.name(key), message: "expected 0 (softplus) or 1 (ReLU), found \(code)")
            }
            return a
        }
        criticActivation = try activation("critic_l_type")
        actorActivation = try activation("actor_l_type")
        temperature = try p.double("temp", default: temperature)
        guard temperature > 0 else { throw ParameterError(key: p.name("temp"), message: "expected a positive number") }
        func variances(_ key: String, _ def: [Double]) throws -> [Double] {
            let v = try p.doubles(key, count: layerCount, default: def.count == layerCount ? def : nil)
            guard v.allSatisfy({ $0 > 0 }) else { throw ParameterError(key: p.name(key), message: "variances must be positive") }
            return v
        }
        if rule != .backprop {
            criticVariances = try variances("critic_var", criticVariances)
            actorVariances = try variances("actor_var", actorVariances)
        } else {
            actorOutputVariance = try p.double("actor_output_var", default: actorOutputVariance)
            guard actorOutputVariance > 0 else { throw ParameterError(key: p.name("actor_output_var"), message: "expected a positive number") }
            // Hidden units are deterministic; only the output variance enters.
            criticVariances = Array(repeating: 1, count: layerCount)
            actorVariances = Array(repeating: 1, count: hidden.count) + [actorOutputVariance]
        }
        if rule == .mapPropagation {
            criticUpdateAdjustment = try p.double("critic_update_adj", default: criticUpdateAdjustment)
            actorUpdateAdjustment = try p.double("actor_update_adj", default: actorUpdateAdjustment)
            mapSteps = try p.int("map_grad_ascent_steps", default: mapSteps)
            guard mapSteps >= 0 else { throw ParameterError(key: p.name("map_grad_ascent_steps"), message: "expected a non-negative integer") }
        } else {
            mapSteps = 0
        }
        criticLambda = try p.double("critic_lambda_", default: criticLambda)
        actorLambda = try p.double("actor_lambda_", default: actorLambda)
        rewardLimit = try p.double("reward_lim", default: rewardLimit)
        let endT = try p.int("end_t", default: 50000)
        guard endT > 0 else { throw ParameterError(key: p.name("end_t"), message: "expected a positive integer") }
        func schedules(_ prefix: String, start: [Double], end: [Double]) throws -> [LinearSchedule] {
            let defaultsFit = start.count == layerCount
            let s = try p.doubles("\(prefix)_lr_st", count: layerCount, default: defaultsFit ? start : nil)
            let e = try p.doubles("\(prefix)_lr_end", count: layerCount, default: defaultsFit ? end : nil)
            return zip(s, e).map { LinearSchedule(start: $0, end: $1, steps: endT) }
        }
        criticLearningRates = try schedules("critic", start: [2e-2, 2e-5, 2e-6], end: [2e-3, 2e-6, 2e-7])
        actorLearningRates = try schedules("actor", start: [1e-2, 1e-5, 1e-6], end: [1e-3, 1e-6, 1e-8])
    }
}

/// The online actor–critic of the MAP propagation reference code (`main_rl.py`), with the
/// network rule as a setting: MAP propagation, a REINFORCE team, or backprop.
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
/// 4. credit assignment for this step's sample (20 MAP steps for map-prop) and the trace
///    update `T <- lambda gamma T + e`;
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
public struct ActorCriticAgent: EpisodicAgent {
    public let settings: ActorCriticSettings
    public private(set) var actor: TeamNetwork
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

    /// - Parameter stream: the agent's stream; split into the two networks' initial
    ///   weights and their noise.
    public init(settings: ActorCriticSettings, task: TaskShape, stream: RandomStream) throws {
        self.settings = settings
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

    public init(rule: ActorCriticRule, parameters: Hyperparameters, task: TaskShape, stream: RandomStream) throws {
        try self.init(settings: ActorCriticSettings(rule: rule, parameters: parameters), task: task, stream: stream)
    }

    public mutating func act(_ observation: [Double], episodeStart: Bool) -> Action {
        observation.withUnsafeBufferPointer {
            actor.setInput(row: 0, $0.baseAddress!)
            critic.setInput(row: 0, $0.baseAddress!)
        }
        let rule = settings.rule
        actor.forward(hiddenNoise: rule != .backprop)
        critic.forward(hiddenNoise: rule != .backprop)
        let value = critic.outputMean()
        valueSum += value
        valueCount += 1

        // Eligibilities of the sample under the weights that produced it (REINFORCE, backprop).
        switch rule {
        case .reinforceTeam:
            let baseline = critic.meanFieldOutput()
            critic.reinforceEligibilities()
            critic.applyREINFORCECriticGate(baseline: baseline)
            actor.reinforceEligibilities()
        case .backprop:
            critic.backpropagate(.outputMean)
            actor.backpropagate(.logProbabilityOfOutput)
        case .mapPropagation:
            break
        }

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
        if rule == .mapPropagation {
            critic.mapPropagate(steps: settings.mapSteps, updateAdjustment: settings.criticUpdateAdjustment)
            critic.applyMAPCriticGate()
            actor.mapPropagate(steps: settings.mapSteps, updateAdjustment: settings.actorUpdateAdjustment)
        }
        critic.accumulateTraces(decay: settings.criticLambda * settings.gamma)
        actor.accumulateTraces(decay: settings.actorLambda * settings.gamma)

        previousValue = value
        iteration += 1
        return currentAction()
    }

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

extension ActorCriticAgent: Checkpointable {
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
