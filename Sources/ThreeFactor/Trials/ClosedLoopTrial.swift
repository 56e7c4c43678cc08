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
    public internal(set) var env: LineFollower
    public private(set) var filterBank: FilterBank
    public internal(set) var network: ClosedLoopNetwork
    public private(set) var rule: Rule
    public let settings: ClosedLoopSettings
    public private(set) var successTest: SuccessTest
    /// The other of the two success tests, logged alongside.
    public private(set) var otherSuccessTest: SuccessTest
    public private(set) var stepsDone = 0
    public private(set) var absErrorIntegral = 0.0
    /// Whether the robot was on the line at the last step.
    public private(set) var onLine = true
    var observation: [Double]
    var networkInput: [Double]
    var firstStep = true
    var nonFinite = false
    /// Where the robot's centre was after every step, when `recordsPath` is set.
    public var recordsPath = false
    public internal(set) var path: [SIMD2<Double>] = []

    public let seriesNames: [String]

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
/// `env_options` (the robot and the world, see `LineFollower`) and `params`.
///
/// `params` keys (defaults are the authors' simulator's):
/// - loop: `forward_speed` (30), `reflex_gain` (1), `block_steps` (100),
///   `success_test` ("simulator" | "robot"), `off_line_distance` (10);
/// - network (not for `reflex-only`): `layers` (neurons per layer, output layer last;
///   [10 x 10, 2]), `output_weights` (read-out c_k of the outputs; [1, 2]),
///   `network_gain` (5), `first_layer_scale` (1000), `filter` ("resonators" | "delays"),
///   `filter_count` (5), `resonator_min_period` (3), `resonator_max_period` (10),
///   `resonator_q` (0.51);
/// - rule: `eta` (learning rate; 0.1) and, for SaR, `relevance` ("abs_error" | "one").
public struct ClosedLoopSettings: Sendable, Equatable {
    public var environment = LineFollower.Configuration()
    public var forwardSpeed = 30.0
    public var reflexGain = 1.0
    public var blockSteps = 100
    public var successTest = SuccessTest.Kind.simulator
    public var offLineDistance = 10.0
    public var layers = Array(repeating: 10, count: 10) + [2]
    public var outputWeights = [1.0, 2.0]
    public var networkGain = 5.0
    public var firstLayerScale = 1000.0
    public var filter = FilterBank.Kind.simulator

    public init() {}

    static let loopKeys: Set<String> = ["forward_speed", "reflex_gain", "block_steps", "success_test", "off_line_distance"]
    static let networkKeys: Set<String> = [
        "layers", "output_weights", "network_gain", "first_layer_scale", "filter", "filter_count",
        "resonator_min_period", "resonator_max_period", "resonator_q",
    ]

    /// Reads the loop and network settings; `ruleKeys` are the extra keys the rule reads.
    public init(environmentOptions: Hyperparameters, parameters p: Hyperparameters, usesNetwork: Bool, ruleKeys: Set<String>) throws {
        environment = try LineFollower.Configuration(options: environmentOptions)
        try p.rejectUnknownKeys(allowed: Self.loopKeys.union(usesNetwork ? Self.networkKeys : []).union(ruleKeys))
        let d = ClosedLoopSettings()
        forwardSpeed = try p.double("forward_speed", default: d.forwardSpeed)
        reflexGain = try p.double("reflex_gain", default: d.reflexGain)
        blockSteps = try p.int("block_steps", default: d.blockSteps)
        guard blockSteps > 0 else {
            throw ParameterError(key: "block_steps", message: "expected a positive integer, found \(blockSteps)")
        }
        let test = try p.string("success_test", default: "simulator", choices: SuccessTest.Kind.allCases.map(\.rawValue))
        successTest = SuccessTest.Kind(rawValue: test)!
        offLineDistance = try p.double("off_line_distance", default: d.offLineDistance)
        guard usesNetwork else { return }
        layers = try p.ints("layers", default: d.layers)
        guard !layers.isEmpty, layers.allSatisfy({ $0 > 0 }) else {
            throw ParameterError(key: "layers", message: "expected a non-empty array of positive integers")
        }
        outputWeights = try p.doubles("output_weights", default: d.outputWeights)
        guard outputWeights.count <= layers[layers.count - 1] else {
            throw ParameterError(
                key: "output_weights",
                message: "has \(outputWeights.count) values but the output layer has \(layers[layers.count - 1]) neurons")
        }
        networkGain = try p.double("network_gain", default: d.networkGain)
        firstLayerScale = try p.double("first_layer_scale", default: d.firstLayerScale)
        let kind = try p.string("filter", default: "resonators", choices: ["resonators", "delays"])
        let count = try p.int("filter_count", default: 5)
        guard count > 0 else { throw ParameterError(key: "filter_count", message: "expected a positive integer") }
        if kind == "resonators" {
            let minPeriod = try p.double("resonator_min_period", default: 3)
            let maxPeriod = try p.double("resonator_max_period", default: 10)
            let q = try p.double("resonator_q", default: 0.51)
            guard minPeriod >= 2, maxPeriod >= minPeriod, q > 0.5 else {
                throw ParameterError(
                    key: "resonator_q",
                    message: "resonators need 2 <= resonator_min_period <= resonator_max_period and resonator_q > 0.5")
            }
            filter = .resonators(count: count, minPeriod: minPeriod, maxPeriod: maxPeriod, q: q)
        } else {
            filter = .delays(count: count)
        }
    }
}

/// Builds closed-loop trials from an experiment (`kind = "closed-loop"`), and drives given
/// networks for pictures.
///
/// Rules (`rule` in the experiment file): `sar-sign` (SaR, sign-only propagation),
/// `sar-delta-sign` (SaR, sign of the back-propagated delta), `gdm` (back-propagation),
/// `reflex-only` (no network). `env`, if given, must be `LineFollower-v0`.
public enum ClosedLoopTrials {
    public static let ruleNames = ["sar-sign", "sar-delta-sign", "gdm", "reflex-only"]

    public static func make(_ spec: TrialSpec) throws -> any Trial {
        try build(spec, Opener())
    }

    /// The track's centreline and the paths driven from the seed's start by the initial
    /// network and by the network after `learningUnits` units of learning, each for
    /// `pathSteps` steps with the network frozen. For `reflex-only` both are the reflex's.
    public static func beforeAndAfter(
        _ spec: TrialSpec, learningUnits: Int, pathSteps: Int
    ) throws -> (track: [SIMD2<Double>], before: [SIMD2<Double>], after: [SIMD2<Double>]) {
        try build(spec, BeforeAfter(learningUnits: learningUnits, pathSteps: pathSteps))
    }

    /// The path driven from the seed's start for `steps` steps by a frozen network with
    /// the given weights (nil: the seed's initial weights).
    public static func drivenPath(_ spec: TrialSpec, weights: [Double]?, steps: Int) throws -> [SIMD2<Double>] {
        try build(spec, FrozenPath(weights: weights, steps: steps))
    }

    // MARK: dispatch from a rule name to a concrete generic trial

    protocol RuleConsumer {
        associatedtype Result
        func consume<R: ClosedLoopRule>(_ settings: ClosedLoopSettings, _ rule: R, seed: UInt64) throws -> Result
    }

    static func build<C: RuleConsumer>(_ spec: TrialSpec, _ consumer: C) throws -> C.Result {
        if let env = spec.env, env != LineFollower.id {
            throw TrialError.unknownEnvironment("\(env) (closed-loop trials run \(LineFollower.id))")
        }
        let p = spec.ruleParameters
        func settings(usesNetwork: Bool, ruleKeys: Set<String>) throws -> ClosedLoopSettings {
            try ClosedLoopSettings(
                environmentOptions: spec.envOptions, parameters: p, usesNetwork: usesNetwork, ruleKeys: ruleKeys)
        }
        switch spec.rule {
        case "sar-sign", "sar-delta-sign":
            let s = try settings(usesNetwork: true, ruleKeys: ["eta", "relevance"])
            let relevance = try p.string("relevance", default: "abs_error", choices: SignAndRelevance.Relevance.allCases.map(\.rawValue))
            let rule = SignAndRelevance(
                learningRate: try p.double("eta", default: 0.1),
                hiddenSign: spec.rule == "sar-sign" ? .propagatedSign : .deltaSign,
                relevance: SignAndRelevance.Relevance(rawValue: relevance)!)
            return try consumer.consume(s, rule, seed: spec.seed)
        case "gdm":
            let s = try settings(usesNetwork: true, ruleKeys: ["eta"])
            return try consumer.consume(s, GradientDescentClosedLoop(learningRate: try p.double("eta", default: 0.1)), seed: spec.seed)
        case "reflex-only":
            let s = try settings(usesNetwork: false, ruleKeys: [])
            return try consumer.consume(s, ReflexOnly(), seed: spec.seed)
        default:
            throw ClosedLoopError.unknownRule(spec.rule)
        }
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

public enum ClosedLoopError: Error, CustomStringConvertible, Equatable {
    case unknownRule(String)

    public var description: String {
        switch self {
        case .unknownRule(let name):
            "unknown closed-loop rule '\(name)'; valid: \(ClosedLoopTrials.ruleNames.joined(separator: ", "))"
        }
    }
}
