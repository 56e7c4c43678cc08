/// The supervised-style tasks of the MAP propagation paper (reference `main_pre.py` of
/// github.com/stephen-chung-mh/map_prop): one-step tasks with an immediate reward, learned
/// by a network of units from batches of 128 samples.
public enum SupervisedTask: String, Sendable, CaseIterable {
    /// `Tasks/Multiplexer.swift`: 37 inputs, two actions, reward ±1.
    case multiplexer = "Multiplexer"
    /// `Tasks/RegressionTarget.swift`: 8 inputs, one Gaussian output, reward -(a - y)^2.
    case regression = "Regression"
}

/// How the network is trained on a supervised-style task.
public enum SupervisedRule: String, Sendable, CaseIterable {
    /// MAP propagation (`Rules/MAPPropagation.swift`).
    case mapPropagation = "map-prop"
    /// A team of REINFORCE units (`Rules/REINFORCETeam.swift`).
    case reinforceTeam = "reinforce-team"
    /// Deterministic hidden units, backprop (`Rules/BackpropActorCritic.swift`).
    case backprop = "backprop"
}

/// Settings of a supervised-style trial, with the reference's config keys
/// (`config/config_mp.ini`, `config/config_sr.ini`); defaults are the reference values of
/// the task.
///
/// | key | meaning | Multiplexer | Regression |
/// |---|---|---|---|
/// | `batch_size` | samples per batch (one update per batch) | 128 | 128 |
/// | `hidden` | units per hidden layer | [64, 32] | [64, 32] |
/// | `l_type` | hidden activation: 0 softplus, 1 ReLU | 0 | 0 |
/// | `temp` | softmax temperature (Multiplexer) | 1 | 1 |
/// | `var` | variance of each layer's units, output included (team rules) | [0.3, 1, 1] | [0.0075, 0.025, 0.025] |
/// | `update_adj` | MAP step size = this x the layer's variance (map-prop) | 0.5 | 0.5 |
/// | `map_grad_ascent_steps` | MAP ascent steps per batch (map-prop) | 20 | 20 |
/// | `lr` | per-layer learning rate (Adam), constant | [0.04, 4e-5, 4e-6] | [0.06, 6e-5, 6e-6] |
/// | `output_var` | variance of the Gaussian output unit (backprop, Regression) | – | 0.025 |
public struct SupervisedSettings: Sendable, Equatable {
    public var task: SupervisedTask
    public var rule: SupervisedRule
    public var batchSize = 128
    public var hidden = [64, 32]
    public var activation = HiddenActivation.softplus
    public var temperature = 1.0
    public var variances: [Double]
    public var updateAdjustment = 0.5
    public var mapSteps = 20
    public var learningRates: [Double]

    public static func keys(for rule: SupervisedRule) -> Set<String> {
        let common: Set<String> = ["batch_size", "hidden", "l_type", "temp", "lr"]
        switch rule {
        case .mapPropagation: return common.union(["var", "update_adj", "map_grad_ascent_steps"])
        case .reinforceTeam: return common.union(["var"])
        case .backprop: return common.union(["output_var"])
        }
    }

    public init(task: SupervisedTask, rule: SupervisedRule, parameters p: Hyperparameters = Hyperparameters()) throws {
        try p.rejectUnknownKeys(allowed: Self.keys(for: rule))
        self.task = task
        self.rule = rule
        batchSize = try p.int("batch_size", default: batchSize)
        guard batchSize > 0 else { throw ParameterError(key: p.name("batch_size"), message: "expected a positive integer") }
        hidden = try p.ints("hidden", default: hidden)
        guard hidden.allSatisfy({ $0 > 0 }) else { throw ParameterError(key: p.name("hidden"), message: "layer sizes must be positive") }
        let layerCount = hidden.count + 1
        let code = try p.int("l_type", default: 0)
        guard let a = HiddenActivation(rawValue: code) else {
            throw ParameterError(key: p.name("l_type"), message: "expected 0 (softplus) or 1 (ReLU), found \(code)")
        }
        activation = a
        temperature = try p.double("temp", default: temperature)
        guard temperature > 0 else { throw ParameterError(key: p.name("temp"), message: "expected a positive number") }

        let defaultVariances = task == .multiplexer ? [0.3, 1, 1] : [0.0075, 0.025, 0.025]
        let defaultRates = task == .multiplexer ? [0.04, 4e-5, 4e-6] : [0.06, 6e-5, 6e-6]
        let defaultsFit = layerCount == 3
        if rule == .backprop {
            let outputVariance = try p.double("output_var", default: defaultVariances[2])
            guard outputVariance > 0 else { throw ParameterError(key: p.name("output_var"), message: "expected a positive number") }
            variances = Array(repeating: 1, count: hidden.count) + [outputVariance]
        } else {
            variances = try p.doubles("var", count: layerCount, default: defaultsFit ? defaultVariances : nil)
            guard variances.allSatisfy({ $0 > 0 }) else { throw ParameterError(key: p.name("var"), message: "variances must be positive") }
        }
        if rule == .mapPropagation {
            updateAdjustment = try p.double("update_adj", default: updateAdjustment)
            mapSteps = try p.int("map_grad_ascent_steps", default: mapSteps)
            guard mapSteps >= 0 else { throw ParameterError(key: p.name("map_grad_ascent_steps"), message: "expected a non-negative integer") }
        } else {
            mapSteps = 0
        }
        learningRates = try p.doubles("lr", count: layerCount, default: defaultsFit ? defaultRates : nil)
    }
}

/// One seed's run of a supervised-style task (the reference's `main_pre.py` loop). One unit
/// is one batch:
/// 1. draw `batch_size` samples; the network samples an output for each;
/// 2. each sample's reward (Multiplexer: ±1; Regression: -(a - y)^2);
/// 3. credit assignment: 20 MAP steps (map-prop), the sampled values (reinforce-team) or
///    backpropagated errors (backprop); for Regression the critic-style gate, as the
///    reference (`gate=True`);
/// 4. one Adam step of every layer along the batch average of signal x eligibility, with
///    signal = reward (Multiplexer) or y - (output mean) (Regression, the mean taken after
///    the MAP step, as the reference). No traces (lambda 0).
///
/// Series: `mean_reward`, the batch's mean reward, and `episode_return`, the same number
/// under the name the generic metrics and figures read (one "episode" = one batch).
public struct SupervisedTrial: Trial {
    public let settings: SupervisedSettings
    public private(set) var network: TeamNetwork
    var taskStream: RandomStream
    public private(set) var batchesDone = 0
    var input: [Double]
    var targets: [Double]
    var signals: [Double]
    var baselines: [Double]
    var lastMeanReward = 0.0

    public var seriesNames: [String] { ["mean_reward", "episode_return"] }

    public init(settings: SupervisedSettings, seed: UInt64) {
        self.settings = settings
        let agentStream = RandomStream(seed: seed, stream: StreamTag.agent)
        var initialization = agentStream.split(1)
        let inputCount = settings.task == .multiplexer ? Multiplexer.inputCount : RegressionTarget.inputCount
        let outputUnits: OutputUnits = settings.task == .multiplexer ? .softmax(temperature: settings.temperature) : .gaussian
        network = TeamNetwork(
            inputCount: inputCount, hidden: settings.hidden, outputCount: settings.task == .multiplexer ? 2 : 1,
            activation: settings.activation, outputUnits: outputUnits, variances: settings.variances,
            batchSize: settings.batchSize, initialization: &initialization, noise: agentStream.split(3))
        taskStream = RandomStream(seed: seed, stream: StreamTag.task)
        input = Array(repeating: 0, count: inputCount)
        targets = Array(repeating: 0, count: settings.batchSize)
        signals = targets
        baselines = targets
    }

    public var hasDiverged: Bool { !lastMeanReward.isFinite || !network.parametersAreFinite }

    public mutating func runUnit(record: inout [Double]) {
        let task = settings.task, rows = settings.batchSize
        for r in 0..<rows {
            input.withUnsafeMutableBufferPointer { x in
                targets[r] = task == .multiplexer
                    ? Multiplexer.sample(into: x.baseAddress!, rng: &taskStream)
                    : RegressionTarget.sample(into: x.baseAddress!, rng: &taskStream)
                network.setInput(row: r, x.baseAddress!)
            }
        }
        network.forward(hiddenNoise: settings.rule != .backprop)

        var totalReward = 0.0
        for r in 0..<rows {
            totalReward += task == .multiplexer
                ? Multiplexer.reward(action: network.chosenAction(row: r), target: targets[r])
                : RegressionTarget.reward(output: network.outputValue(row: r), target: targets[r])
        }
        lastMeanReward = totalReward / Double(rows)

        switch settings.rule {
        case .mapPropagation:
            network.mapPropagate(steps: settings.mapSteps, updateAdjustment: settings.updateAdjustment)
            if task == .regression {
                for r in 0..<rows { network.applyMAPCriticGate(row: r) }
            }
        case .reinforceTeam:
            if task == .regression {
                for r in 0..<rows { baselines[r] = network.meanFieldOutput(row: r) }
            }
            network.reinforceEligibilities()
            if task == .regression {
                for r in 0..<rows { network.applyREINFORCECriticGate(row: r, baseline: baselines[r]) }
            }
        case .backprop:
            network.backpropagate(task == .multiplexer ? .logProbabilityOfOutput : .outputMean)
        }

        for r in 0..<rows {
            signals[r] = task == .multiplexer
                ? Multiplexer.reward(action: network.chosenAction(row: r), target: targets[r])
                : targets[r] - network.outputMean(row: r)
        }
        signals.withUnsafeBufferPointer { s in
            settings.learningRates.withUnsafeBufferPointer { network.learnFromBatch(signals: s.baseAddress!, learningRates: $0) }
        }
        batchesDone += 1
        record[0] = lastMeanReward
        record[1] = lastMeanReward
    }

    public func save(to archive: inout StateArchive) {
        archive.append(batchesDone)
        archive.append(lastMeanReward)
        taskStream.save(to: &archive)
        network.save(to: &archive)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        batchesDone = try reader.int()
        lastMeanReward = try reader.double()
        try taskStream.load(from: &reader)
        try network.load(from: &reader)
    }
}

/// Builds a supervised trial from an experiment's settings: `env` names the task
/// ("Multiplexer" or "Regression"), `rule` the method.
public enum SupervisedTrials {
    public static func make(_ spec: TrialSpec) throws -> any Trial {
        guard let id = spec.env else { throw TrialError.missingEnvironment }
        guard let task = SupervisedTask(rawValue: id) else {
            throw ParameterError(
                key: "env", message: "unknown supervised task '\(id)'; valid: \(SupervisedTask.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let rule = SupervisedRule(rawValue: spec.rule) else {
            throw ParameterError(
                key: "rule", message: "unknown supervised rule '\(spec.rule)'; valid: \(SupervisedRule.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try spec.envOptions.rejectUnknownKeys(allowed: [])
        return SupervisedTrial(settings: try SupervisedSettings(task: task, rule: rule, parameters: spec.ruleParameters), seed: spec.seed)
    }
}
