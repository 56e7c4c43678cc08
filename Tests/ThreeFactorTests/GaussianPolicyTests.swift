import Testing
@testable import ThreeFactor

/// A continuous bandit run as short episodes: the observation at step t is
/// `base + 0.1 t` (as in `BanditTask`), the action a 2-vector in the box
/// `[-2, 2] x [-1, 1]`, the reward `-||a - target||^2`; episodes are truncated after
/// `length` steps. The best deterministic policy earns 0.
struct ContinuousBanditTask: Environment {
    static let id = "TestContinuousBandit-v0"
    let observationCount = 3
    var actionSpace: ActionSpace { .box(low: [-2, -1], high: [2, 1]) }
    var maxEpisodeSteps: Int { length }
    let target = SIMD2<Double>(1, -0.5)
    let length: Int
    var t = 0
    let base = [0.5, -1.0, 0.8]
    /// The last action received (to check it lies in the box).
    var lastAction = SIMD4<Double>()

    init(length: Int = 10) { self.length = length }

    mutating func reset(seed: UInt64?, observation: inout [Double]) {
        t = 0
        write(&observation)
    }

    mutating func step(_ action: Action, observation: inout [Double]) -> StepOutcome {
        guard case .continuous(let a) = action else { preconditionFailure() }
        lastAction = a
        t += 1
        write(&observation)
        let d = SIMD2(a[0], a[1]) - target
        return StepOutcome(reward: -(d * d).sum(), terminated: false, truncated: t >= length)
    }

    func write(_ observation: inout [Double]) {
        for i in 0..<3 { observation[i] = base[i] + 0.1 * Double(t) }
    }

    var state: [Double] { [Double(t)] }
    mutating func setState(_ state: [Double], observation: inout [Double]) throws {
        t = Int(state[0])
        write(&observation)
    }
}

extension PolicyTestSupport {
    /// `d log pi(action | observation) / dW` by the network's hand-written backprop, for
    /// either head.
    static func analyticGradient(_ net: PolicyMLP, _ observation: [Double], action: Action) -> [Double] {
        var net = net
        net.forwardClean(observation)
        var node = Array(repeating: 0.0, count: net.clean.noise.count)
        net.logProbabilityNodeGradient(action, of: net.clean, into: &node)
        var grad = Array(repeating: 0.0, count: net.weights.count)
        net.addOuterProducts(
            scale: 1, layerScale: Array(repeating: 1, count: net.layerCount), post: node, presynaptic: .clean,
            into: &grad)
        return grad
    }

    /// `d log pi(action | observation) / dW` by central finite differences, for either head.
    static func finiteDifferenceGradient(_ net: PolicyMLP, _ observation: [Double], action: Action, step h: Double = 1e-6) -> [Double] {
        var net = net
        var grad = Array(repeating: 0.0, count: net.weights.count)
        for i in grad.indices {
            let w = net.weights[i]
            net.weights[i] = w + h
            net.forwardClean(observation)
            let up = net.logProbability(action, of: net.clean)
            net.weights[i] = w - h
            net.forwardClean(observation)
            let down = net.logProbability(action, of: net.clean)
            net.weights[i] = w
            grad[i] = (up - down) / (2 * h)
        }
        return grad
    }
}

@Suite struct GaussianPolicyTests {
    typealias S = PolicyTestSupport

    static func action(_ values: [Double]) -> Action {
        var u = SIMD4<Double>()
        for (k, v) in values.enumerated() { u[k] = v }
        return .continuous(u)
    }

    /// The head is linear (`x_L = a_L = mu`), the log-density is the closed form with its
    /// constant, its gradient in `mu` is `(u - mu) / sigma_a^2` (checked against central
    /// differences of the log-density in each output pre-activation), and the factored
    /// difference of two passes equals the difference of their log-densities.
    @Test func gaussianLogProbabilityAndItsGradientInTheMean() {
        var stream = RandomStream(seed: 31)
        let sigma = 0.7
        var net = PolicyMLP(layerSizes: [3, 4, 2], head: .gaussian(standardDeviation: sigma), initialisation: &stream)
        let s = [0.3, -1.2, 0.7]
        net.forwardClean(s)
        let out = net.unitOffset[2]
        let mu = [net.clean.preActivation[out], net.clean.preActivation[out + 1]]
        #expect(net.clean.activity[out] == mu[0] && net.clean.activity[out + 1] == mu[1])
        #expect(net.clean.logSumExp == 0)
        let u = [0.4, -0.9]
        let a = Self.action(u)
        let squares = (u[0] - mu[0]) * (u[0] - mu[0]) + (u[1] - mu[1]) * (u[1] - mu[1])
        let closedForm = -squares / (2 * sigma * sigma) - 2 * libmLog(sigma * (2 * Double.pi).squareRoot())
        #expect(abs(net.logProbability(a, of: net.clean) - closedForm) < 1e-14)

        var node = Array(repeating: 0.0, count: net.clean.noise.count)
        net.logProbabilityNodeGradient(a, of: net.clean, into: &node)
        let h = 1e-6
        for k in 0..<2 {
            var pass = net.clean
            pass.preActivation[out + k] = mu[k] + h
            let up = net.logProbability(a, of: pass)
            pass.preActivation[out + k] = mu[k] - h
            let down = net.logProbability(a, of: pass)
            let numeric = (up - down) / (2 * h)
            #expect(abs(node[out + k] - numeric) < 1e-8, "dimension \(k): \(node[out + k]) vs \(numeric)")
            #expect(abs(node[out + k] - (u[k] - mu[k]) / (sigma * sigma)) < 1e-15)
        }

        var noise = RandomStream(seed: 4)
        net.forwardNoisy(s, sigma: 0.3, noiseSource: &noise)
        let direct = net.logProbability(a, of: net.noisy) - net.logProbability(a, of: net.clean)
        #expect(abs(net.logProbabilityDifference(a, net.noisy, minus: net.clean) - direct) < 1e-13)
    }

    /// BP-REINFORCE's weight gradient `g_l (outer) x_{l-1}`, with the Gaussian node gradient
    /// `(u - mu) / sigma_a^2` backpropagated through LeakyReLU, equals central finite
    /// differences of `log pi(u)` in every weight, for several depths and action widths.
    @Test func backpropNodeGradientMatchesFiniteDifferencesOfTheLogDensity() {
        var stream = RandomStream(seed: 22)
        for sizes in [[3, 1], [4, 6, 2], [3, 5, 4, 3], [6, 4, 4, 4, 4]] {
            let net = PolicyMLP(layerSizes: sizes, head: .gaussian(standardDeviation: 0.4), initialisation: &stream)
            let s = S.randomVector(sizes[0], &stream)
            for _ in 0..<3 {
                let a = Self.action(S.randomVector(sizes.last!, &stream))
                let analytic = S.analyticGradient(net, s, action: a)
                let numeric = S.finiteDifferenceGradient(net, s, action: a)
                let scale = max(S.norm(numeric), 1e-3)
                let error = S.norm(zip(analytic, numeric).map { $0 - $1 })
                #expect(error / scale < 1e-6, "layers \(sizes): relative error \(error / scale)")
            }
        }
    }

    /// The Gaussian head samples `u = mu + sigma_a z` from the stream's normals, in order.
    @Test func samplingDrawsTheMeanPlusScaledNormals() {
        var stream = RandomStream(seed: 8)
        var net = PolicyMLP(layerSizes: [3, 4, 3], head: .gaussian(standardDeviation: 0.25), initialisation: &stream)
        net.forwardClean([1, 0, -1])
        var draws = RandomStream(seed: 5), replay = draws
        guard case .continuous(let u) = net.sample(from: net.clean, using: &draws) else { Issue.record("not continuous"); return }
        for k in 0..<3 { #expect(u[k] == net.clean.preActivation[net.unitOffset[2] + k] + 0.25 * replay.normal()) }
        #expect(u[3] == 0)
        #expect(draws == replay)
    }

    /// NRL with the Gaussian head: averaged over many noise draws on fixed states and fixed
    /// samples `u`, the trace increment is the log-density gradient over the number of
    /// noisy units N (first order in sigma; the same tolerance argument as the discrete
    /// test: 20,000 draws, N = 12, relative error of the mean about 2.5 %).
    @Test func nrlExpectedTraceIsTheGaussianPolicyGradientOverNoisyUnitCount() throws {
        var agent = try PolicyGradientAgent<NoiseBasedRewardModulated>(
            parameters: parameters(["learning_rate": .number(1), "noise_std": .number(1e-3), "hidden_units": .integer(5),
                                    "hidden_layers": .integer(2), "action_std": .number(0.5)]),
            task: TaskShape(ContinuousBanditTask()), stream: RandomStream(seed: 12, stream: 1))
        #expect(agent.network.head == .gaussian(standardDeviation: 0.5))
        var stream = RandomStream(seed: 99)
        let states = (0..<3).map { _ in S.randomVector(3, &stream) }
        let actions = (0..<3).map { _ in Self.action(S.randomVector(2, &stream, scale: 0.6)) }
        var gradient = Array(repeating: 0.0, count: agent.network.weights.count)
        for (s, a) in zip(states, actions) {
            for (i, g) in S.analyticGradient(agent.network, s, action: a).enumerated() { gradient[i] += g }
        }
        let samples = 20_000
        for _ in 0..<samples {
            for (s, a) in zip(states, actions) {
                agent.network.forwardClean(s)
                agent.network.forwardNoisy(s, sigma: agent.estimator.noiseStd, noiseSource: &agent.estimator.noiseStream)
                agent.accumulateTrace(factor: agent.estimator.perturbation(agent.network, action: a))
            }
        }
        let mean = agent.trace.map { $0 / Double(samples) }
        let n = Double(agent.network.noisyUnitCount)
        #expect(n == 12)
        let expected = gradient.map { $0 / n }
        let cosine = S.cosine(mean, expected)
        let ratio = S.dot(mean, expected) / S.dot(expected, expected)
        #expect(cosine > 0.995, "cosine \(cosine)")
        #expect(abs(ratio - 1) < 0.05, "projection ratio \(ratio)")
    }

    static let rules: [(String, [String: ParameterValue])] = [
        ("nrl", ["learning_rate": .number(0.05), "noise_std": .number(0.05), "hidden_units": .integer(16)]),
        ("rmhl", ["learning_rate": .number(0.05), "noise_std": .number(0.1), "hidden_units": .integer(16)]),
        ("bp-reinforce", ["learning_rate": .number(0.05), "hidden_units": .integer(16)]),
    ]

    /// The catalog lets every rule of the family act on the continuous tasks.
    @Test func continuousTasksResolveForEveryRule() throws {
        for rule in ["nrl", "rmhl", "bp-reinforce"] {
            for task in [Pendulum.id, MountainCarContinuous.id] {
                let resolved = try Catalog.resolve(kind: "episodic", rule: rule, task: task)
                #expect(resolved.implementation.actionSpaces == [.discrete, .continuous])
            }
        }
    }

    /// Pendulum-v1 (torque box [-2, 2]): save after 3 episodes, restore into a freshly
    /// built trial, run 3 more in both: identical records and identical final state.
    @Test(arguments: ["nrl", "rmhl", "bp-reinforce"], ["episodic", "immediate"])
    func checkpointRoundTripOnPendulumIsBitIdentical(rule: String, mode: String) throws {
        var values = Self.rules.first { $0.0 == rule }!.1
        values["reward_mode"] = .string(mode)
        func makeTrial() throws -> any Trial {
            try Catalog.makeTrial(kind: "episodic", TrialSpec(env: Pendulum.id, envOptions: Hyperparameters(), rule: rule,
                                                             ruleParameters: parameters(values), seed: 10))
        }
        var original = try makeTrial()
        var record = Array(repeating: 0.0, count: original.seriesNames.count)
        for _ in 0..<3 { original.runUnit(record: &record) }
        #expect(!original.hasDiverged)
        var archive = StateArchive()
        original.save(to: &archive)
        var restored = try makeTrial()
        var reader = StateArchive.Reader(archive)
        try restored.load(from: &reader)
        #expect(reader.isAtEnd)
        var other = record
        for _ in 0..<3 {
            original.runUnit(record: &record)
            restored.runUnit(record: &other)
            #expect(record.map(\.bitPattern) == other.map(\.bitPattern))
        }
        var a = StateArchive(), b = StateArchive()
        original.save(to: &a)
        restored.save(to: &b)
        #expect(a == b)
    }

    /// The action sent to the environment is `c + h clip(u, -1, 1)`: inside the box, equal
    /// to the affine image of the unclipped sample when that lies inside.
    @Test func environmentActionIsTheClippedAffineImageOfTheSample() throws {
        let agent = try PolicyGradientAgent<BackpropREINFORCE>(
            parameters: parameters(["learning_rate": .number(0.1), "hidden_units": .integer(4)]),
            task: TaskShape(ContinuousBanditTask()), stream: RandomStream(seed: 1))
        let cases: [([Double], [Double])] = [([0, 0], [0, 0]), ([0.5, -0.5], [1, -0.5]), ([3, -7], [2, -1]), ([-1.5, 1], [-2, 1])]
        for (u, expected) in cases {
            guard case .continuous(let a) = agent.environmentAction(Self.action(u)) else { Issue.record("not continuous"); return }
            #expect(a[0] == expected[0] && a[1] == expected[1] && a[2] == 0 && a[3] == 0, "u \(u) -> \(a)")
        }
    }

    /// Delayed reward on the continuous bandit (reward `-||a - target||^2`, 10 steps per
    /// episode): every rule moves its mean to the target. With `action_std` 0.2 half-widths
    /// the best Gaussian policy still pays its variance, `-10 (0.4^2 + 0.2^2) = -2` per
    /// episode; the initial policies of seeds 1...6 earn -5 to -23. Over the last 50 of
    /// 1,000 episodes the mean return must exceed -5, which the first 50 episodes (checked)
    /// do not reach: a rule that does not learn fails. (On seeds 1...6 the last 50 reach -2.0
    /// to -2.8 for BP and NRL, -3.0 to -4.3 for RMHL, whose action noise is variance its
    /// update does not explain.) The learning rates are small because a mean pushed several
    /// `sigma_a` beyond the box gets the same clipped action every step: the return stops
    /// varying and learning stops (with 10 times the rates, most seeds end stuck at a corner).
    @Test(arguments: [
        ("nrl", 0.0005, 0.05), ("rmhl", 0.05, 0.1), ("bp-reinforce", 0.001, 0.0),
    ])
    func everyRuleLearnsTheContinuousBandit(rule: String, learningRate: Double, sigma: Double) throws {
        let (first, last, diverged) = try Self.continuousBandit(rule: rule, learningRate: learningRate, sigma: sigma)
        #expect(!diverged)
        #expect(first < -5, "\(rule): the initial policy already earns \(first)")
        #expect(last > -5, "\(rule): mean return of the first / last 50 episodes \(first) -> \(last)")
    }

    /// The control: without learning (rate 0) the same check fails for every rule.
    @Test(arguments: ["nrl", "rmhl", "bp-reinforce"])
    func withoutLearningTheContinuousBanditCheckFails(rule: String) throws {
        let (first, last, _) = try Self.continuousBandit(rule: rule, learningRate: 0, sigma: rule == "bp-reinforce" ? 0 : 0.1)
        #expect(last < -5, "\(rule): mean return of the first / last 50 episodes \(first) -> \(last)")
    }

    /// Mean returns of the first and last 50 of 1,000 episodes, seed 1.
    static func continuousBandit(rule: String, learningRate: Double, sigma: Double) throws -> (first: Double, last: Double, diverged: Bool) {
        var values: [String: ParameterValue] = [
            "learning_rate": .number(learningRate), "hidden_units": .integer(16), "action_std": .number(0.2),
        ]
        if sigma > 0 { values["noise_std"] = .number(sigma) }
        let agent = try makeAgent(rule, parameters(values), TaskShape(ContinuousBanditTask()), RandomStream(seed: 1, stream: 1))
        var trial = EpisodicTrials.open(ContinuousBanditTask(), agent, seed: 1)
        var record = Array(repeating: 0.0, count: trial.seriesNames.count)
        var returns = [Double]()
        for _ in 0..<1000 {
            trial.runUnit(record: &record)
            returns.append(record[0])
        }
        return (returns.prefix(50).reduce(0, +) / 50, returns.suffix(50).reduce(0, +) / 50, trial.hasDiverged)
    }
}
