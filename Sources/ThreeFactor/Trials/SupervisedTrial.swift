/// The supervised-style tasks of the MAP propagation paper (reference `main_pre.py` of
/// github.com/stephen-chung-mh/map_prop): one-step tasks with an immediate reward, learned
/// by a network of units from batches of 128 samples.
public enum SupervisedTask: String, Sendable, CaseIterable {
    /// `Tasks/Multiplexer.swift`: 37 inputs, two actions, reward ±1.
    case multiplexer = "Multiplexer"
    /// `Tasks/RegressionTarget.swift`: 8 inputs, one Gaussian output, reward -(a - y)^2.
    case regression = "Regression"
}

extension SupervisedTask {
    /// The reference configuration's variance of each layer's units, output included
    /// (`config_mp.ini`, `config_sr.ini`).
    public var defaultVariances: [Double] { self == .multiplexer ? [0.3, 1, 1] : [0.0075, 0.025, 0.025] }
    /// The reference configuration's per-layer learning rates (Adam, constant).
    public var defaultLearningRates: [Double] { self == .multiplexer ? [0.04, 4e-5, 4e-6] : [0.06, 6e-5, 6e-6] }
    var inputCount: Int { self == .multiplexer ? Multiplexer.inputCount : RegressionTarget.inputCount }

    static func defaultsText(_ value: (SupervisedTask) -> String) -> String {
        allCases.map { "\($0.rawValue) \(value($0))" }.joined(separator: ", ")
    }
}

/// Settings of a supervised-style trial, with the reference's config keys
/// (`config/config_mp.ini`, `config/config_sr.ini`); defaults are the reference values of
/// the task.
public struct SupervisedSettings: Sendable, Equatable {
    /// Which task.
    public var task: SupervisedTask
    /// Samples per batch; one update per batch (`batch_size`).
    public var batchSize: Int
    /// Hidden layer sizes (`hidden`).
    public var hidden: [Int]
    /// The hidden units' activation (`l_type`).
    public var activation: HiddenActivation
    /// Softmax temperature of the Multiplexer's output (`temp`).
    public var temperature: Double
    /// Variance of each layer's units, output last; 1 for deterministic hidden units.
    public var variances: [Double]
    /// Adam's learning rate per layer, output last, constant (`lr`).
    public var learningRates: [Double]

    /// The loop's keys, whatever the rule.
    public static let parameters = ParameterTable([
        .integer("batch_size", default: 128, range: .batch, unit: "samples", "samples per batch (one update per batch)"),
        .integers("hidden", default: [64, 32], range: .width, unit: "units per layer", "hidden layer sizes"),
        .integer("l_type", default: 0, range: .closed(0, 1), "hidden activation: 0 softplus, 1 ReLU"),
        .number("temp", default: 1, range: .positive, "softmax temperature (Multiplexer)"),
        .derived(
            "lr", .numbers, default: SupervisedTask.defaultsText { "\($0.defaultLearningRates)" }, range: .nonNegative,
            unit: "per layer", "per-layer learning rates (Adam), constant, output last"),
    ])

    /// The keys of the units' variances: one per layer for stochastic units, only the
    /// output's for deterministic hidden units.
    public static func varianceParameters(stochasticHiddenUnits: Bool) -> [ParameterSpec] {
        stochasticHiddenUnits
            ? [.derived(
                "var", .numbers, default: SupervisedTask.defaultsText { "\($0.defaultVariances)" }, range: .positive,
                unit: "per layer", "variance of each layer's units, output included")]
            : [.derived(
                "output_var", .number, default: SupervisedTask.defaultsText { "\($0.defaultVariances.last!)" }, range: .positive,
                "variance of the Gaussian output unit (Regression)")]
    }

    /// Reads the settings from values read through `parameters` plus
    /// `varianceParameters(stochasticHiddenUnits:)`; the task's reference defaults apply to two
    /// hidden layers only (other shapes must give `var` and `lr`).
    public init(task: SupervisedTask, _ p: ParameterValues, stochasticHiddenUnits: Bool) throws {
        self.task = task
        batchSize = try p.int("batch_size")
        hidden = try p.ints("hidden")
        let layerCount = hidden.count + 1
        activation = HiddenActivation(rawValue: try p.int("l_type"))!
        temperature = try p.double("temp")
        // The task's reference defaults are for two hidden layers.
        let defaultsFit = layerCount == 3
        if stochasticHiddenUnits {
            variances = try p.doubles("var", count: layerCount, derived: defaultsFit ? task.defaultVariances : [])
        } else {
            let outputVariance = try p.double("output_var", derived: task.defaultVariances[2])
            variances = Array(repeating: 1, count: hidden.count) + [outputVariance]
        }
        learningRates = try p.doubles("lr", count: layerCount, derived: defaultsFit ? task.defaultLearningRates : [])
    }
}

/// One seed's run of a supervised-style task (the reference's `main_pre.py` loop). One unit
/// is one batch:
/// 1. draw `batch_size` samples; the network samples an output for each;
/// 2. each sample's reward (Multiplexer: ±1; Regression: -(a - y)^2);
/// 3. credit assignment by the rule (`TeamNetworkRule`): 20 MAP steps (map-prop), the
///    sampled values (reinforce-team) or backpropagated errors (backprop); Regression
///    rewards the output's mean (`TeamObjective.value`: the critic-style gate, as the
///    reference's `gate=True`), the Multiplexer the sampled action;
/// 4. one Adam step of every layer along the batch average of signal x eligibility, with
///    signal = reward (Multiplexer) or y - (output mean) (Regression, the mean taken after
///    the MAP step, as the reference). No traces (lambda 0).
///
/// Series: `mean_reward`, the batch's mean reward, and `episode_return`, the same number
/// under the name the generic metrics and figures read (one "episode" = one batch).
public struct SupervisedTrial<Rule: TeamNetworkRule>: Trial {
    /// The trial's settings.
    public let settings: SupervisedSettings
    /// The rule.
    public let rule: Rule
    /// The network the rule trains.
    public private(set) var network: TeamNetwork
    var taskStream: RandomStream
    /// Batches completed.
    public private(set) var batchesDone = 0
    var input: [Double]
    var targets: [Double]
    var signals: [Double]
    var lastMeanReward = 0.0

    public var seriesNames: [String] { ["mean_reward", "episode_return"] }

    /// A trial at batch 0; the initial weights, the units' noise and the task's samples come
    /// from `seed`'s streams.
    public init(settings: SupervisedSettings, rule: Rule, seed: UInt64) {
        self.settings = settings
        self.rule = rule
        let agentStream = RandomStream(seed: seed, stream: StreamTag.agent)
        var initialization = agentStream.split(1)
        let inputCount = settings.task.inputCount
        let outputUnits: OutputUnits = settings.task == .multiplexer ? .softmax(temperature: settings.temperature) : .gaussian
        network = TeamNetwork(
            inputCount: inputCount, hidden: settings.hidden, outputCount: settings.task == .multiplexer ? 2 : 1,
            activation: settings.activation, outputUnits: outputUnits, variances: settings.variances,
            batchSize: settings.batchSize, initialization: &initialization, noise: agentStream.split(3))
        taskStream = RandomStream(seed: seed, stream: StreamTag.task)
        input = Array(repeating: 0, count: inputCount)
        targets = Array(repeating: 0, count: settings.batchSize)
        signals = targets
    }

    /// The trial with the rule's and the loop's hyperparameters read from `parameters`.
    public init(task: SupervisedTask, parameters: Hyperparameters, seed: UInt64) throws {
        try self.init(task: task, Self.parameters.read(parameters), seed: seed)
    }

    init(task: SupervisedTask, _ p: ParameterValues, seed: UInt64) throws {
        self.init(
            settings: try SupervisedSettings(task: task, p, stochasticHiddenUnits: Rule.stochasticHiddenUnits),
            rule: try Rule.supervised(p), seed: seed)
    }

    /// Every key of a supervised-style experiment with this rule.
    public static var parameters: ParameterTable {
        ParameterTable(
            SupervisedSettings.parameters,
            ParameterTable(SupervisedSettings.varianceParameters(stochasticHiddenUnits: Rule.stochasticHiddenUnits)),
            ParameterTable(Rule.supervisedParameters))
    }

    /// The rule's entry for the supervised kind.
    public static var implementation: RuleImplementation {
        RuleImplementation(
            kind: SupervisedTrials.kindName, actionSpaces: [.discrete, .continuous], parameters: parameters,
            factory: SupervisedTrials.Factory { try SupervisedTrial(task: $0, $1, seed: $2) })
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
        network.forward(hiddenNoise: Rule.stochasticHiddenUnits)

        var totalReward = 0.0
        for r in 0..<rows {
            totalReward += task == .multiplexer
                ? Multiplexer.reward(action: network.chosenAction(row: r), target: targets[r])
                : RegressionTarget.reward(output: network.outputValue(row: r), target: targets[r])
        }
        lastMeanReward = totalReward / Double(rows)

        rule.assignCredit(&network, objective: task == .multiplexer ? .policy : .value)

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

/// The supervised-style experiment kind: `env` names the task ("Multiplexer" or
/// "Regression"), `rule` any `TeamNetworkRule`.
public enum SupervisedTrials {
    /// The kind's name in experiment files.
    public static let kindName = "supervised"

    /// What a rule registers for this kind: a trial for a task from the checked
    /// hyperparameters and the seed.
    public struct Factory: Sendable {
        /// Builds the rule's trial for a task from its checked hyperparameters and the seed.
        public let make: @Sendable (SupervisedTask, ParameterValues, UInt64) throws -> any Trial
    }

    /// The supervised kind's catalog entry.
    public static let kind = ExperimentKind(
        name: kindName,
        summary: "MAP propagation's supervised-style tasks (env Multiplexer or Regression), one unit per batch",
        unit: "batch",
        headlineSeries: SeriesDescription(name: "mean_reward", label: "mean reward per batch", higherIsBetter: true)
    ) { spec, implementation in
        guard let id = spec.env, let task = SupervisedTask(rawValue: id) else { throw TrialError.missingEnvironment }
        try spec.envOptions.rejectUnknownKeys(allowed: [])
        let p = try implementation.parameters.read(spec.ruleParameters)
        return try implementation.factory(as: Factory.self).make(task, p, spec.seed)
    }

    static let tasks = [
        TaskEntry(id: SupervisedTask.multiplexer.rawValue, summary: "37-bit multiplexer (5 address + 32 data bits), reward ±1 (Chung 2021)", kind: kindName, actionSpace: .discrete(2)),
        TaskEntry(
            id: SupervisedTask.regression.rawValue, summary: "scalar regression y = relu(relu(x W0) W1), x ~ N(0, I_8), reward -(a - y)^2 (Chung 2021)",
            kind: kindName, actionSpace: .box(low: [-.infinity], high: [.infinity])),
    ]
}
