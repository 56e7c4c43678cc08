/// The closed-loop learning loop of the line follower (kind `closed-loop`): one run per
/// seed, no episodes. Every control step, as in the authors' simulator (`run.cpp`):
///
/// 1. read the error `E` and the 144 predictors at the current pose;
/// 2. pass the predictors through the filter bank (720 network inputs);
/// 3. the rule learns from `E` on the network's last forward pass (the one that chose the
///    action whose consequence `E` is); at the very first step a forward pass is made first;
/// 4. forward pass on the new inputs; `y = sum_k c_k o_k` (`output_weights` c);
/// 5. steering `u = reflex_gain * E + network_gain * y`; wheel commands
///    `forward_speed + u` (left) and `forward_speed - u` (right); one control period.
///
/// The simulator's defaults are `u = E + 5 (o0 + 2 o1)`, forward speed 30.
///
/// Unit: a block of `block_steps` control steps (default 100 = 3 s of simulated time).
/// Series per block:
/// - `abs_error_mean`: mean of `|E|` over the block's steps;
/// - `abs_error_moving_average`: the success test's moving average of `|E|` at the
///   block's end (see `SuccessTest`);
/// - `abs_error_integral`: sum of `|E|` over all steps so far (per step, not times dt);
/// - `success`: 1 once the success test (`success_test`, default the simulator's) has
///   passed, else 0;
/// - `steps_to_success`: the step at which it passed, -1 until then (no NaN in logs);
/// - `success_<other>_test`, `steps_to_success_<other>_test`: the same for the other of
///   the authors' two tests (`robot` when the configured one is `simulator` and vice
///   versa), so one run answers both;
/// - `off_line_steps`: steps of the block on which the robot was off the line (the point
///   between its near sensors farther than `off_line_distance`, default 10 units, from the
///   centreline): a robot that has left the track sees no error at all, so this tells a
///   quiet learner from a lost one;
/// - `weight_distance_layer_<k>` (k = 0 first hidden layer … last = output layer; absent
///   for `reflex-only`): Euclidean distance of layer k's weights from their initial values;
/// - `episode_return`: `-abs_error_mean`, so generic learning-curve tools (which plot a
///   return that rises as learning progresses) work unchanged.
///
/// Streams: the environment (start pose, motor noise) draws from the seed's
/// `StreamTag.environment` stream and the initial weights from its `StreamTag.agent`
/// stream. The motor noise takes two draws per step whatever happens, so all methods see
/// the same start and the same noise sequence for the same seed.
public struct ClosedLoopTrial<Rule: ClosedLoopRule>: Trial {
    /// The robot and its world.
    public internal(set) var env: LineFollower
    /// The filters between the predictors and the network.
    public private(set) var filterBank: FilterBank
    /// The network the rule trains (not consulted by a rule without one).
    public internal(set) var network: ClosedLoopNetwork
    /// The rule and its state.
    public private(set) var rule: Rule
    /// The experiment's settings.
    public let settings: ClosedLoopSettings
    /// The configured success test (`success_test`), which gives the `success` series.
    public private(set) var successTest: SuccessTest
    /// The other of the two success tests, logged alongside.
    public private(set) var otherSuccessTest: SuccessTest
    /// Control steps taken so far.
    public private(set) var stepsDone = 0
    /// The sum of `|E|` over all steps so far (per step, not times dt).
    public private(set) var absErrorIntegral = 0.0
    /// Whether the robot was on the line at the last step.
    public private(set) var onLine = true
    var observation: [Double]
    var networkInput: [Double]
    var firstStep = true
    var nonFinite = false
    /// Where the robot's centre was after every step, when `recordsPath` is set.
    public var recordsPath = false
    /// The robot's centre after every step, while `recordsPath` is set.
    public internal(set) var path: [SIMD2<Double>] = []

    public let seriesNames: [String]

    /// A trial of `rule` from the seed's start pose and initial weights, at step 0.
    public init(settings: ClosedLoopSettings, rule: Rule, seed: UInt64) {
        self.settings = settings
        self.rule = rule
        env = LineFollower(configuration: settings.environment)
        let usesNetwork = rule.usesNetwork
        filterBank = FilterBank(kind: settings.filter, inputCount: usesNetwork ? LineFollower.predictorCount : 1)
        var weightStream = RandomStream(seed: seed, stream: StreamTag.agent)
        network = ClosedLoopNetwork(
            inputCount: usesNetwork ? filterBank.outputCount : 1,
            layerSizes: usesNetwork ? settings.layers : [1],
            firstLayerScale: settings.firstLayerScale, rng: &weightStream)
        successTest = SuccessTest(kind: settings.successTest)
        let otherKind: SuccessTest.Kind = settings.successTest == .simulator ? .robot : .simulator
        otherSuccessTest = SuccessTest(kind: otherKind)
        observation = Array(repeating: 0, count: env.observationCount)
        networkInput = Array(repeating: 0, count: network.inputCount)
        var names = [
            "abs_error_mean", "abs_error_moving_average", "abs_error_integral", "success",
            "steps_to_success", "success_\(otherKind.rawValue)_test",
            "steps_to_success_\(otherKind.rawValue)_test", "off_line_steps",
        ]
        if usesNetwork {
            for k in 0..<settings.layers.count { names.append("weight_distance_layer_\(k)") }
        }
        names.append("episode_return")
        seriesNames = names
        var environmentStream = RandomStream(seed: seed, stream: StreamTag.environment)
        env.reset(seed: environmentStream.next(), observation: &observation)
    }

    public var hasDiverged: Bool { nonFinite }
    public var stepsTaken: Int? { stepsDone }

    /// One control step; returns the error `E` it acted on.
    @inline(__always)
    public mutating func controlStep() -> Double {
        let error = observation[0]
        var steering = settings.reflexGain * error
        if rule.usesNetwork {
            observation.withUnsafeBufferPointer { o in
                networkInput.withUnsafeMutableBufferPointer { x in
                    filterBank.filter(UnsafeBufferPointer(rebasing: o[1...]), into: x)
                }
            }
            networkInput.withUnsafeBufferPointer { x in
                if firstStep { network.forward(x) }
                rule.learn(&network, error: error)
                network.forward(x)
            }
            firstStep = false
            var y = 0.0
            for k in 0..<settings.outputWeights.count { y += settings.outputWeights[k] * network.output(k) }
            steering += settings.networkGain * y
        }
        let speed = settings.forwardSpeed
        _ = env.step(.continuous(SIMD4(speed + steering, speed - steering, 0, 0)), observation: &observation)
        stepsDone += 1
        let absError = abs(error)
        absErrorIntegral += absError
        onLine = env.distanceToLine <= settings.offLineDistance
        successTest.record(absError: absError, onLine: onLine)
        otherSuccessTest.record(absError: absError, onLine: onLine)
        if recordsPath { path.append(env.position) }
        return error
    }

    public mutating func runUnit(record: inout [Double]) {
        var sum = 0.0
        var offLine = 0
        for _ in 0..<settings.blockSteps {
            sum += abs(controlStep())
            if !onLine { offLine += 1 }
        }
        let mean = sum / Double(settings.blockSteps)
        nonFinite = !mean.isFinite || !observation[0].isFinite || (rule.usesNetwork && network.hasNonFiniteWeights)
        var k = 0
        record[k] = mean; k += 1
        record[k] = successTest.movingAverage; k += 1
        record[k] = absErrorIntegral; k += 1
        record[k] = successTest.succeeded ? 1 : 0; k += 1
        record[k] = Double(successTest.stepsToSuccess ?? -1); k += 1
        record[k] = otherSuccessTest.succeeded ? 1 : 0; k += 1
        record[k] = Double(otherSuccessTest.stepsToSuccess ?? -1); k += 1
        record[k] = Double(offLine); k += 1
        if rule.usesNetwork {
            for l in 0..<network.layerCount {
                record[k] = network.weightDistance(layer: l)
                k += 1
            }
        }
        record[k] = -mean
    }

    public func save(to archive: inout StateArchive) {
        archive.append(stepsDone)
        archive.append(absErrorIntegral)
        archive.append(firstStep)
        env.save(to: &archive)
        filterBank.save(to: &archive)
        network.save(to: &archive)
        successTest.save(to: &archive)
        otherSuccessTest.save(to: &archive)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        stepsDone = try reader.int()
        absErrorIntegral = try reader.double()
        firstStep = try reader.bool()
        try env.load(from: &reader)
        try filterBank.load(from: &reader)
        try network.load(from: &reader)
        try successTest.load(from: &reader)
        try otherSuccessTest.load(from: &reader)
        env.write(&observation)
    }
}

/// Everything of a closed-loop experiment besides the rule: read from an experiment's
/// `env_options` (the robot and the world, see `LineFollower`) and `params` (the loop's
/// keys, and the network's unless the rule uses none). Defaults are the authors'
/// simulator's.
public struct ClosedLoopSettings: Sendable, Equatable {
    /// The robot's and the world's options (`env_options`).
    public var environment: LineFollower.Configuration
    /// Both wheels' speed before steering, in wheel-speed units (`forward_speed`).
    public var forwardSpeed: Double
    /// The reflex's gain g in `u = g E + network_gain y` (`reflex_gain`).
    public var reflexGain: Double
    /// Control steps per logged unit (`block_steps`).
    public var blockSteps: Int
    /// Which success test gives the series `success` and `steps_to_success`.
    public var successTest: SuccessTest.Kind
    /// Distance from the centreline beyond which the robot counts as off the line, in floor
    /// units (`off_line_distance`).
    public var offLineDistance: Double
    /// Neurons per layer, output layer last (`layers`).
    public var layers: [Int]
    /// The read-out `c_k` of the outputs, `y = sum_k c_k o_k` (`output_weights`); at most one
    /// per output neuron.
    public var outputWeights: [Double]
    /// The gain of the network's output in the steering (`network_gain`).
    public var networkGain: Double
    /// The divisor of the first layer's weighted sum (`first_layer_scale`).
    public var firstLayerScale: Double
    /// The filter bank between the predictors and the network.
    public var filter: FilterBank.Kind

    /// The loop's keys, whatever the rule.
    public static let loopParameters = ParameterTable([
        .number("forward_speed", default: 30, unit: "wheel speed units", "both wheels' speed before steering"),
        .number("reflex_gain", default: 1, "gain of the reflex: u = reflex_gain E + network_gain y"),
        .integer("block_steps", default: 100, range: .batch, unit: "control steps", "control steps per logged unit"),
        .string("success_test", default: SuccessTest.Kind.simulator.rawValue, choices: SuccessTest.Kind.allCases.map(\.rawValue),
                "which of the authors' success tests gives the series success / steps_to_success"),
        .number("off_line_distance", default: 10, range: .nonNegative, unit: "units", "distance from the centreline beyond which the robot is off the line"),
    ])

    /// The network's and the filter bank's keys, read only for a rule that uses a network.
    public static let networkParameters = ParameterTable([
        .integers("layers", default: Array(repeating: 10, count: 10) + [2], range: .width, unit: "neurons per layer", "layer sizes, output layer last"),
        .numbers("output_weights", default: [1, 2], "read-out c_k of the outputs: y = sum_k c_k o_k"),
        .number("network_gain", default: 5, "gain of the network's output in the steering"),
        .number("first_layer_scale", default: 1000, range: .positive, "the first layer divides its weighted sum by this (and scales its learning)"),
        .string("filter", default: "resonators", choices: ["resonators", "delays"], "filter bank between the predictors and the network"),
        .integer("filter_count", default: 5, range: .width, unit: "filters per predictor", "filters per predictor"),
        .number("resonator_min_period", default: 3, range: .atLeast(2), unit: "steps", "shortest resonator period"),
        .number("resonator_max_period", default: 10, range: .atLeast(2), unit: "steps", "longest resonator period (>= the shortest)"),
        .number("resonator_q", default: 0.51, range: .above(0.5), "quality factor of the resonators"),
    ])

    /// The loop's and (when used) the network's keys.
    public static func parameters(usesNetwork: Bool) -> ParameterTable {
        usesNetwork ? ParameterTable(loopParameters, networkParameters) : loopParameters
    }

    /// The simulator's defaults.
    public init() {
        try! self.init(environmentOptions: Hyperparameters(), Self.parameters(usesNetwork: true).read(Hyperparameters()), usesNetwork: true)
    }

    /// Reads the settings from an experiment's `env_options` and from values read through
    /// `parameters(usesNetwork:)`. Without a network the network's keys keep their defaults.
    public init(environmentOptions: Hyperparameters, _ p: ParameterValues, usesNetwork: Bool) throws {
        environment = try LineFollower.Configuration(options: environmentOptions)
        forwardSpeed = try p.double("forward_speed")
        reflexGain = try p.double("reflex_gain")
        blockSteps = try p.int("block_steps")
        successTest = try p.choice("success_test", as: SuccessTest.Kind.self)
        offLineDistance = try p.double("off_line_distance")
        let defaults = usesNetwork ? p : try Self.networkParameters.read(Hyperparameters())
        layers = try defaults.ints("layers")
        outputWeights = try defaults.doubles("output_weights")
        guard outputWeights.count <= layers[layers.count - 1] else {
            throw ParameterError(
                key: p.name("output_weights"),
                message: "has \(outputWeights.count) values but the output layer has \(layers[layers.count - 1]) neurons")
        }
        networkGain = try defaults.double("network_gain")
        firstLayerScale = try defaults.double("first_layer_scale")
        let count = try defaults.int("filter_count")
        if try defaults.string("filter") == "resonators" {
            let minPeriod = try defaults.double("resonator_min_period")
            let maxPeriod = try defaults.double("resonator_max_period")
            guard maxPeriod >= minPeriod else {
                throw ParameterError(
                    key: p.name("resonator_max_period"), message: "expected a number >= resonator_min_period (\(minPeriod)), found \(maxPeriod)")
            }
            filter = .resonators(count: count, minPeriod: minPeriod, maxPeriod: maxPeriod, q: try defaults.double("resonator_q"))
        } else {
            filter = .delays(count: count)
        }
    }
}

/// The closed-loop experiment kind (`kind = "closed-loop"`, task `LineFollower-v0`), and
/// drives of given networks for pictures.
public enum ClosedLoopTrials {
    /// The kind's name in experiment files.
    public static let kindName = "closed-loop"

    /// The closed-loop kind's catalog entry.
    public static let kind = ExperimentKind(
        name: kindName, summary: "closed-loop learning on the line follower, one unit per block of control steps", unit: "block",
        headlineSeries: SeriesDescription(name: "abs_error_mean", label: "mean |E| per block", higherIsBetter: false)
    ) { spec, implementation in
        try build(spec, implementation, Opener())
    }

    /// What a rule registers for this kind: whether it uses a network, and the rule from its
    /// checked hyperparameters.
    public struct Factory: Sendable {
        /// Whether the rule uses a network; without one, the network's keys are not accepted.
        public let usesNetwork: Bool
        /// The rule, from its checked hyperparameters.
        public let make: @Sendable (ParameterValues) throws -> any ClosedLoopRule
    }

    /// The track's centreline and the paths driven from the seed's start by the initial
    /// network and by the network after `learningUnits` units of learning, each for
    /// `pathSteps` steps with the network frozen. For `reflex-only` both are the reflex's.
    public static func beforeAndAfter(
        _ spec: TrialSpec, learningUnits: Int, pathSteps: Int
    ) throws -> (track: [SIMD2<Double>], before: [SIMD2<Double>], after: [SIMD2<Double>]) {
        try build(spec, implementation(spec), BeforeAfter(learningUnits: learningUnits, pathSteps: pathSteps))
    }

    /// The path driven from the seed's start for `steps` steps by a frozen network with
    /// the given weights (nil: the seed's initial weights).
    public static func drivenPath(_ spec: TrialSpec, weights: [Double]?, steps: Int) throws -> [SIMD2<Double>] {
        try build(spec, implementation(spec), FrozenPath(weights: weights, steps: steps))
    }

    static func implementation(_ spec: TrialSpec) throws -> RuleImplementation {
        try Catalog.resolve(kind: kindName, rule: spec.rule, task: spec.env).implementation
    }

    // MARK: from a registered rule to a concrete generic trial

    protocol RuleConsumer {
        associatedtype Result
        func consume<R: ClosedLoopRule>(_ settings: ClosedLoopSettings, _ rule: R, seed: UInt64) throws -> Result
    }

    static func build<C: RuleConsumer>(_ spec: TrialSpec, _ implementation: RuleImplementation, _ consumer: C) throws -> C.Result {
        let factory = implementation.factory(as: Factory.self)
        let p = try implementation.parameters.read(spec.ruleParameters)
        let settings = try ClosedLoopSettings(environmentOptions: spec.envOptions, p, usesNetwork: factory.usesNetwork)
        let rule = try factory.make(p)
        return try consumer.consume(settings, rule, seed: spec.seed)
    }

    struct Opener: RuleConsumer {
        func consume<R: ClosedLoopRule>(_ settings: ClosedLoopSettings, _ rule: R, seed: UInt64) throws -> any Trial {
            ClosedLoopTrial(settings: settings, rule: rule, seed: seed)
        }
    }

    struct FrozenPath: RuleConsumer {
        let weights: [Double]?
        let steps: Int
        func consume<R: ClosedLoopRule>(_ settings: ClosedLoopSettings, _ rule: R, seed: UInt64) throws -> [SIMD2<Double>] {
            if rule.usesNetwork {
                return ClosedLoopTrials.path(settings, FrozenNetwork(), seed: seed, weights: weights, steps: steps)
            }
            return ClosedLoopTrials.path(settings, rule, seed: seed, weights: nil, steps: steps)
        }
    }

    struct BeforeAfter: RuleConsumer {
        let learningUnits: Int
        let pathSteps: Int
        func consume<R: ClosedLoopRule>(
            _ settings: ClosedLoopSettings, _ rule: R, seed: UInt64
        ) throws -> (track: [SIMD2<Double>], before: [SIMD2<Double>], after: [SIMD2<Double>]) {
            let track = LineTrack.centreline()
            guard rule.usesNetwork else {
                let p = ClosedLoopTrials.path(settings, rule, seed: seed, weights: nil, steps: pathSteps)
                return (track, p, p)
            }
            var learner = ClosedLoopTrial(settings: settings, rule: rule, seed: seed)
            var record = [Double](repeating: 0, count: learner.seriesNames.count)
            for _ in 0..<learningUnits { learner.runUnit(record: &record) }
            let before = ClosedLoopTrials.path(settings, FrozenNetwork(), seed: seed, weights: nil, steps: pathSteps)
            let after = ClosedLoopTrials.path(settings, FrozenNetwork(), seed: seed, weights: learner.network.weights, steps: pathSteps)
            return (track, before, after)
        }
    }

    static func path<R: ClosedLoopRule>(
        _ settings: ClosedLoopSettings, _ rule: R, seed: UInt64, weights: [Double]?, steps: Int
    ) -> [SIMD2<Double>] {
        var trial = ClosedLoopTrial(settings: settings, rule: rule, seed: seed)
        if let weights { trial.network.setWeights(weights) }
        trial.recordsPath = true
        trial.path.reserveCapacity(steps + 1)
        trial.path.append(trial.env.position)
        for _ in 0..<steps { _ = trial.controlStep() }
        return trial.path
    }
}

extension RuleImplementation {
    /// A rule's entry for the closed-loop kind: its own keys (the loop's and, when it uses
    /// the network, the network's are added).
    public static func closedLoop(
        parameters: [ParameterSpec], usesNetwork: Bool, make: @escaping @Sendable (ParameterValues) throws -> any ClosedLoopRule
    ) -> RuleImplementation {
        RuleImplementation(
            kind: ClosedLoopTrials.kindName, actionSpaces: [.continuous],
            parameters: ParameterTable(ClosedLoopSettings.parameters(usesNetwork: usesNetwork), ParameterTable(parameters)),
            factory: ClosedLoopTrials.Factory(usesNetwork: usesNetwork, make: make))
    }
}
