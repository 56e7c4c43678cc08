import Testing
@testable import ThreeFactor

/// A contextual bandit run as short episodes, for testing the rules: the observation at
/// step t of an episode is `base + 0.1 t` (component-wise), the reward of action k is
/// `rewards[k]`, episodes are truncated after `length` steps.
struct BanditTask: Environment {
    static let id = "TestBandit-v0"
    let observationCount = 3
    var actionSpace: ActionSpace { .discrete(rewards.count) }
    var maxEpisodeSteps: Int { length }
    let rewards: [Double]
    let length: Int
    var t = 0
    let base = [0.5, -1.0, 0.8]

    init(rewards: [Double] = [1, 0.3, 0.1], length: Int = 5) {
        self.rewards = rewards
        self.length = length
    }

    mutating func reset(seed: UInt64?, observation: inout [Double]) {
        t = 0
        write(&observation)
    }

    mutating func step(_ action: Action, observation: inout [Double]) -> StepOutcome {
        guard case .discrete(let k) = action else { preconditionFailure() }
        t += 1
        write(&observation)
        return StepOutcome(reward: rewards[k], terminated: false, truncated: t >= length)
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

/// Runs one episode of `agent` on `env`; returns the return, the observations and actions.
@discardableResult
func runEpisode<A: EpisodicAgent, E: Environment>(_ agent: inout A, _ env: inout E)
    -> (episodeReturn: Double, observations: [[Double]], actions: [Int])
{
    var observation = Array(repeating: 0.0, count: env.observationCount)
    var next = observation
    env.reset(seed: nil, observation: &observation)
    var total = 0.0
    var observations = [[Double]](), actions = [Int]()
    var start = true
    while true {
        let action = agent.act(observation, episodeStart: start)
        start = false
        guard case .discrete(let a) = action else { preconditionFailure() }
        observations.append(observation)
        actions.append(a)
        let outcome = env.step(action, observation: &next)
        total += outcome.reward
        agent.observe(reward: outcome.reward, nextObservation: next, terminated: outcome.terminated, truncated: outcome.truncated)
        if outcome.terminated || outcome.truncated { break }
        swap(&observation, &next)
    }
    var diagnostics = Array(repeating: 0.0, count: agent.diagnosticNames.count)
    agent.endEpisode(diagnostics: &diagnostics)
    return (total, observations, actions)
}

func parameters(_ values: [String: ParameterValue]) -> Hyperparameters { Hyperparameters(values, context: "test") }

let banditShape = TaskShape(observationCount: 3, actionSpace: .discrete(3))

@Suite struct NRLTests {
    typealias S = PolicyTestSupport

    /// Averages NRL's eligibility-trace increment over many noise draws on a fixed
    /// trajectory (states, actions); returns it with the analytic gradient
    /// `sum_t d log pi(a_t|s_t) / dW`.
    func averagedTrace(_ values: [String: ParameterValue], samples: Int) throws -> (mean: [Double], gradient: [Double], agent: PolicyGradientAgent<NoiseBasedRewardModulated>) {
        var agent = try PolicyGradientAgent<NoiseBasedRewardModulated>(
            parameters: parameters(values), task: banditShape, stream: RandomStream(seed: 12, stream: 1))
        var stream = RandomStream(seed: 99)
        let states = (0..<3).map { _ in S.randomVector(3, &stream) }
        let actions = [0, 2, 1]
        var gradient = Array(repeating: 0.0, count: agent.network.weights.count)
        for (s, a) in zip(states, actions) {
            for (i, g) in S.analyticGradient(agent.network, s, action: a).enumerated() { gradient[i] += g }
        }
        for _ in 0..<samples {
            for (s, a) in zip(states, actions) {
                agent.network.forwardClean(s)
                agent.network.forwardNoisy(s, sigma: agent.estimator.noiseStd, noiseSource: &agent.estimator.noiseStream)
                agent.accumulateTrace(factor: agent.estimator.perturbation(agent.network, action: .discrete(a)))
            }
        }
        return (agent.trace.map { $0 / Double(samples) }, gradient, agent)
    }

    /// NRL's expected update with the whole-network norm is the log-policy gradient
    /// divided by the number of noisy units N: `E[D xi xi^T / ||xi||^2] = g / N` to first
    /// order in sigma (the second-order term vanishes by symmetry). Per sample the
    /// estimate `(g . xi^) xi^` has relative spread sqrt(N) about its mean, so with
    /// M = 20,000 draws the mean's relative error is about sqrt(N / M) = 2.5 % (N = 13):
    /// cosine > 0.995 and magnitude within 5 % are 4 to 5 standard errors.
    @Test func expectedUpdateIsThePolicyGradientOverNetworkNoiseCount() throws {
        let (mean, gradient, agent) = try averagedTrace(
            ["learning_rate": .number(1), "noise_std": .number(1e-3), "hidden_units": .integer(5), "hidden_layers": .integer(2)],
            samples: 20_000)
        let n = Double(agent.network.noisyUnitCount)
        #expect(n == 13)
        let expected = gradient.map { $0 / n }
        let cosine = S.cosine(mean, expected)
        let ratio = S.dot(mean, expected) / S.dot(expected, expected)
        #expect(cosine > 0.995, "cosine \(cosine)")
        #expect(abs(ratio - 1) < 0.05, "projection ratio \(ratio)")
    }

    /// With the per-layer norm (Reaching1D) the expectation is `g_l / n_l` per layer.
    @Test func expectedUpdateWithLayerNormIsTheGradientOverLayerWidth() throws {
        let (mean, gradient, agent) = try averagedTrace(
            ["learning_rate": .number(1), "noise_std": .number(1e-3), "hidden_units": .integer(5), "hidden_layers": .integer(2),
             "noise_normalisation": .string("layer")],
            samples: 20_000)
        var expected = gradient
        let net = agent.network
        for l in 1...net.layerCount {
            for i in net.weightOffset[l - 1]..<net.weightOffset[l] { expected[i] /= Double(net.layerSizes[l]) }
        }
        let cosine = S.cosine(mean, expected)
        let ratio = S.dot(mean, expected) / S.dot(expected, expected)
        #expect(cosine > 0.995, "cosine \(cosine)")
        #expect(abs(ratio - 1) < 0.05, "projection ratio \(ratio)")
    }

    /// The hardware variant (noise not readable: noisy minus clean pre-activation) still
    /// points uphill, though deeper layers' differences mix in the noise from below, so it
    /// is not an unbiased gradient estimate; we only require clear alignment.
    @Test func unreadableNoiseVariantStillAlignsWithTheGradient() throws {
        let (mean, gradient, _) = try averagedTrace(
            ["learning_rate": .number(1), "noise_std": .number(1e-3), "hidden_units": .integer(5), "hidden_layers": .integer(2),
             "noise_readable": .bool(false)],
            samples: 20_000)
        let cosine = S.cosine(mean, gradient)
        #expect(cosine > 0.8, "cosine \(cosine)")
    }

    /// Episode 1 only sets the baseline; episode 2 applies `W_l += eta n_l delta E_l` with
    /// `delta = (R2 - R1) / |R2|`, and the baseline moves by 0.66 of the error.
    @Test(arguments: [true, false])
    func episodeUpdateAppliesRelativeErrorToTheTrace(widthFactor: Bool) throws {
        var agent = try PolicyGradientAgent<NoiseBasedRewardModulated>(
            parameters: parameters(["learning_rate": .number(0.05), "noise_std": .number(0.1), "hidden_units": .integer(4),
                                    "output_width_factor": .bool(widthFactor)]),
            task: banditShape, stream: RandomStream(seed: 3, stream: 1))
        let initial = agent.network.weights
        var env = BanditTask(length: 6)
        let r1 = runEpisode(&agent, &env).episodeReturn
        #expect(agent.network.weights == initial)
        #expect(agent.baseline.value == r1)
        var returns = [r1]
        var before = agent.network.weights
        var r = r1
        // Play until a return differs from the baseline (otherwise delta = 0).
        repeat {
            before = agent.network.weights
            r = runEpisode(&agent, &env).episodeReturn
            returns.append(r)
        } while r == r1 && returns.count < 50
        #expect(r != r1)
        let rbar = returns.count == 2 ? r1 : returns.dropLast().dropFirst().reduce(r1) { $0 + 0.66 * ($1 - $0) }
        let delta = (r - rbar) / abs(r)
        let net = agent.network
        for l in 1...net.layerCount {
            let scale = 0.05 * delta * (widthFactor ? Double(net.layerSizes[l]) : 1)
            for i in net.weightOffset[l - 1]..<net.weightOffset[l] {
                #expect(abs(net.weights[i] - (before[i] + scale * agent.trace[i])) < 1e-15)
            }
        }
        #expect(abs(agent.baseline.value - (rbar + 0.66 * (r - rbar))) < 1e-12)
    }

    /// The immediate-reward update of one step is
    /// `eta (r - rbar) D (xi_l / ||xi_l||^2) (outer) x_clean`, and the first step of every
    /// trial makes none.
    @Test func immediateModeUpdatesPerStepAndSkipsEachTrialsFirstStep() throws {
        var agent = try PolicyGradientAgent<NoiseBasedRewardModulated>(
            parameters: parameters(["learning_rate": .number(0.5), "noise_std": .number(0.1), "hidden_units": .integer(4),
                                    "reward_mode": .string("immediate")]),
            task: banditShape, stream: RandomStream(seed: 8, stream: 1))
        #expect(agent.estimator.normalisation == .layer && !agent.estimator.outputWidthFactor)
        var env = BanditTask(length: 4)
        var observation = [0.0, 0, 0], next = observation
        for trial in 0..<3 {
            env.reset(seed: nil, observation: &observation)
            for t in 0..<4 {
                let before = agent.network.weights
                let rbar = agent.baseline.value
                guard case .discrete(let a) = agent.act(observation, episodeStart: t == 0) else { return }
                let outcome = env.step(.discrete(a), observation: &next)
                // The expected change, from the passes of this step.
                var expected = before
                let net = agent.network
                let d = net.logProbability(a, of: net.noisy) - net.logProbability(a, of: net.clean)
                if t > 0 {
                    for l in 1...net.layerCount {
                        var s = 0.0
                        for i in net.unitOffset[l]..<net.unitOffset[l + 1] { s += net.noisy.noise[i] * net.noisy.noise[i] }
                        for i in 0..<net.layerSizes[l] {
                            let u = net.noisy.noise[net.unitOffset[l] + i] / s
                            for j in 0..<net.layerSizes[l - 1] {
                                expected[net.weightOffset[l - 1] + i * net.layerSizes[l - 1] + j] +=
                                    0.5 * (outcome.reward - rbar) * d * u * net.clean.activity[net.unitOffset[l - 1] + j]
                            }
                        }
                    }
                }
                agent.observe(reward: outcome.reward, nextObservation: next, terminated: false, truncated: outcome.truncated)
                for i in expected.indices {
                    #expect(abs(agent.network.weights[i] - expected[i]) < 1e-13, "trial \(trial) step \(t)")
                }
                if t == 0 { #expect(agent.network.weights == before && agent.baseline.value == outcome.reward) }
                swap(&observation, &next)
            }
        }
    }

    @Test func unknownAndInvalidSettingsAreRejected() {
        let shape = banditShape
        #expect(throws: ParameterError.self) {
            try PolicyGradientAgent<NoiseBasedRewardModulated>(parameters: parameters(["learning_rate": .number(0.1), "noise_std": .number(0.1), "sigma": .number(1)]), task: shape, stream: RandomStream(seed: 0))
        }
        #expect(throws: ParameterError.self) {
            try PolicyGradientAgent<NoiseBasedRewardModulated>(parameters: parameters(["learning_rate": .number(0.1)]), task: shape, stream: RandomStream(seed: 0))
        }
        #expect(throws: ParameterError.self) {
            try PolicyGradientAgent<NoiseBasedRewardModulated>(parameters: parameters(["learning_rate": .number(0.1), "noise_std": .number(0)]), task: shape, stream: RandomStream(seed: 0))
        }
        #expect(throws: ParameterError.self) {
            try PolicyGradientAgent<RewardModulatedHebbian>(parameters: parameters(["learning_rate": .number(0.1), "noise_std": .number(0.1), "postsynaptic": .string("hebb")]), task: shape, stream: RandomStream(seed: 0))
        }
        #expect(throws: ParameterError.self) {
            try PolicyGradientAgent<BackpropREINFORCE>(parameters: parameters(["learning_rate": .number(0.1), "noise_std": .number(0.1)]), task: shape, stream: RandomStream(seed: 0))
        }
        #expect(throws: ParameterError.self) {
            try PolicyGradientAgent<BackpropREINFORCE>(parameters: parameters(["learning_rate": .number(0.1), "reward_mode": .string("delayed")]), task: shape, stream: RandomStream(seed: 0))
        }
        // Continuous actions need finite bounds low < high, 1 to 4 dimensions, action_std > 0.
        for space in [ActionSpace.box(low: [-1], high: [.infinity]), .box(low: [1], high: [1]), .box(low: [-1, -1, -1, -1, -1], high: [1, 1, 1, 1, 1])] {
            #expect(throws: ParameterError.self) {
                try PolicyGradientAgent<BackpropREINFORCE>(parameters: parameters(["learning_rate": .number(0.1)]),
                                                           task: TaskShape(observationCount: 3, actionSpace: space), stream: RandomStream(seed: 0))
            }
        }
        #expect(throws: ParameterError.self) {
            try PolicyGradientAgent<BackpropREINFORCE>(parameters: parameters(["learning_rate": .number(0.1), "action_std": .number(0)]),
                                                       task: TaskShape(observationCount: 3, actionSpace: .box(low: [-1], high: [1])), stream: RandomStream(seed: 0))
        }
    }
}

@Suite struct RMHLTests {
    typealias S = PolicyTestSupport

    /// Node perturbation: with actions drawn from the noisy policy and a reward r(a), the
    /// trace increment weighted by `r(a) - b` has expectation `sigma^2 E_xi[dJ/dW]` with
    /// `J = sum_a pi(a) r(a)` evaluated on the noisy pass — Stein's lemma, exact for
    /// Gaussian noise at any sigma (the constant `b` only reduces variance). The reference
    /// is averaged over the same noise draws, so no small-sigma approximation enters.
    /// Signal grows as sigma^2 and noise as sigma, so sigma = 1 is used. Checks: the
    /// paired difference of update and reference, projected on the clean gradient, is
    /// within 4 of its own standard errors of zero; the cosine exceeds 0.95.
    @Test func expectedUpdateIsSigmaSquaredTimesTheRewardGradient() throws {
        let sigma = 1.0
        var agent = try PolicyGradientAgent<RewardModulatedHebbian>(
            parameters: parameters(["learning_rate": .number(1), "noise_std": .number(sigma), "hidden_units": .integer(4)]),
            task: banditShape, stream: RandomStream(seed: 5, stream: 1))
        let r = [1.0, 0.0, -0.5]
        let s = [0.4, -0.9, 1.3]
        let count = agent.network.weights.count
        var node = Array(repeating: 0.0, count: agent.network.noisy.noise.count)
        let ones = Array(repeating: 1.0, count: agent.network.layerCount)
        // J's gradient on a pass: sum_k pi_k r_k d log pi_k / dW.
        func rewardGradient(_ net: PolicyMLP, _ pass: PolicyMLP.Pass, presynaptic: PolicyMLP.PassKind) -> [Double] {
            var g = Array(repeating: 0.0, count: count)
            let p = net.probabilities(of: pass)
            for k in 0..<3 {
                net.logProbabilityNodeGradient(k, of: pass, into: &node)
                net.addOuterProducts(scale: p[k] * r[k], layerScale: ones, post: node, presynaptic: presynaptic, into: &g)
            }
            return g
        }
        var clean = agent.network
        clean.forwardClean(s)
        let b = zip(clean.probabilities(of: clean.clean), r).reduce(0) { $0 + $1.0 * $1.1 }
        let cleanGradient = rewardGradient(clean, clean.clean, presynaptic: .clean)
        let direction = cleanGradient.map { $0 / S.norm(cleanGradient) }
        let samples = 20_000
        var updateSum = Array(repeating: 0.0, count: count), referenceSum = updateSum
        var differenceSum = 0.0, differenceSquares = 0.0
        for _ in 0..<samples {
            guard case .discrete(let a) = agent.act(s, episodeStart: true) else { return }
            let reference = rewardGradient(agent.network, agent.network.noisy, presynaptic: .noisy)
            var difference = 0.0
            for i in 0..<count {
                let update = (r[a] - b) * agent.trace[i]
                let expected = sigma * sigma * reference[i]
                updateSum[i] += update
                referenceSum[i] += expected
                difference += (update - expected) * direction[i]
            }
            differenceSum += difference
            differenceSquares += difference * difference
        }
        let n = Double(samples)
        let meanDifference = differenceSum / n
        let standardError = ((differenceSquares / n - meanDifference * meanDifference) / (n - 1)).squareRoot()
        let projection = S.dot(referenceSum, direction) / n
        #expect(abs(meanDifference) < 4 * standardError,
                "update - reference along the gradient: \(meanDifference) (SE \(standardError), reference \(projection))")
        #expect(S.cosine(updateSum, referenceSum) > 0.95, "cosine \(S.cosine(updateSum, referenceSum))")
    }

    /// Episode update `W += eta delta E` with E the summed `xi (outer) x~`, no width factor.
    @Test func episodeUpdateAppliesTheRelativeErrorToTheNoiseTrace() throws {
        var agent = try PolicyGradientAgent<RewardModulatedHebbian>(
            parameters: parameters(["learning_rate": .number(0.05), "noise_std": .number(0.5), "hidden_units": .integer(4)]),
            task: banditShape, stream: RandomStream(seed: 3, stream: 1))
        let initial = agent.network.weights
        var env = BanditTask(length: 6)
        let r1 = runEpisode(&agent, &env).episodeReturn
        #expect(agent.network.weights == initial)
        var before = agent.network.weights, r = r1, rbar = r1
        repeat {
            rbar = agent.baseline.value
            before = agent.network.weights
            r = runEpisode(&agent, &env).episodeReturn
        } while r == rbar
        let delta = (r - rbar) / abs(r)
        for i in before.indices {
            #expect(abs(agent.network.weights[i] - (before[i] + 0.05 * delta * agent.trace[i])) < 1e-15)
        }
    }

    /// The running-average variant uses `a~ - abar`, with `abar` tracking the pre-noise
    /// pre-activation from zero at every episode start.
    @Test func runningAverageVariantTracksThePreNoisePreActivation() throws {
        var agent = try PolicyGradientAgent<RewardModulatedHebbian>(
            parameters: parameters(["learning_rate": .number(0.05), "noise_std": .number(0.1), "hidden_units": .integer(4),
                                    "postsynaptic": .string("running-average")]),
            task: banditShape, stream: RandomStream(seed: 3, stream: 1))
        let s = [0.2, 0.1, -0.4]
        _ = agent.act(s, episodeStart: true)
        let net = agent.network
        for i in net.unitOffset[1]..<net.unitOffset[net.layerSizes.count] {
            let preNoise = net.noisy.preActivation[i] - net.noisy.noise[i]
            #expect(abs(agent.estimator.activityAverage[i] - 0.66 * preNoise) < 1e-15)
            #expect(abs(agent.estimator.postsynaptic[i] - (net.noisy.preActivation[i] - 0.66 * preNoise)) < 1e-15)
        }
    }
}

@Suite struct BackpropREINFORCETests {
    typealias S = PolicyTestSupport

    /// Episode 2's SGD step equals `eta delta sum_t d log pi(a_t|s_t)/dW` with the gradient
    /// taken by finite differences at the episode's starting weights.
    @Test func episodeStepIsTheFiniteDifferenceREINFORCEGradient() throws {
        var agent = try PolicyGradientAgent<BackpropREINFORCE>(
            parameters: parameters(["learning_rate": .number(0.1), "hidden_units": .integer(5), "hidden_layers": .integer(2)]),
            task: banditShape, stream: RandomStream(seed: 4, stream: 1))
        let initial = agent.network.weights
        var env = BanditTask(length: 5)
        let r1 = runEpisode(&agent, &env).episodeReturn
        #expect(agent.network.weights == initial)
        var rbar = r1
        while true {
            rbar = agent.baseline.value
            let start = agent.network
            let episode = runEpisode(&agent, &env)
            if episode.episodeReturn == rbar { continue }
            let delta = (episode.episodeReturn - rbar) / abs(episode.episodeReturn)
            var gradient = Array(repeating: 0.0, count: start.weights.count)
            for (s, a) in zip(episode.observations, episode.actions) {
                for (i, g) in S.finiteDifferenceGradient(start, s, action: a).enumerated() { gradient[i] += g }
            }
            for i in gradient.indices {
                let expected = start.weights[i] + 0.1 * delta * gradient[i]
                #expect(abs(agent.network.weights[i] - expected) < 1e-8)
            }
            break
        }
    }

    @Test func immediateModeStepsOnEachRewardAfterTheFirst() throws {
        var agent = try PolicyGradientAgent<BackpropREINFORCE>(
            parameters: parameters(["learning_rate": .number(0.3), "hidden_units": .integer(4), "reward_mode": .string("immediate")]),
            task: banditShape, stream: RandomStream(seed: 6, stream: 1))
        var env = BanditTask(length: 4)
        var observation = [0.0, 0, 0], next = observation
        for _ in 0..<3 {
            env.reset(seed: nil, observation: &observation)
            for t in 0..<4 {
                let start = agent.network
                let rbar = agent.baseline.value
                guard case .discrete(let a) = agent.act(observation, episodeStart: t == 0) else { return }
                let outcome = env.step(.discrete(a), observation: &next)
                agent.observe(reward: outcome.reward, nextObservation: next, terminated: false, truncated: outcome.truncated)
                let gradient = S.finiteDifferenceGradient(start, observation, action: a)
                for i in gradient.indices {
                    let expected = t == 0 ? start.weights[i] : start.weights[i] + 0.3 * (outcome.reward - rbar) * gradient[i]
                    #expect(abs(agent.network.weights[i] - expected) < 1e-8)
                }
                swap(&observation, &next)
            }
        }
    }
}

/// What the three rules share: the runner's view (registry, checkpoints, first episode,
/// divergence, learning).
@Suite struct PaperRulesTests {
    static let rules: [(String, [String: ParameterValue])] = [
        ("nrl", ["learning_rate": .number(0.05), "noise_std": .number(0.1), "hidden_units": .integer(16)]),
        ("rmhl", ["learning_rate": .number(0.05), "noise_std": .number(0.1), "hidden_units": .integer(16)]),
        ("bp-reinforce", ["learning_rate": .number(0.05), "hidden_units": .integer(16)]),
    ]

    @Test func rulesAreRegistered() {
        for name in ["nrl", "rmhl", "bp-reinforce"] { #expect(Catalog.rule(name)?.implementation(for: "episodic") != nil) }
    }

    /// The first episode only initialises the baseline, for every rule, on CartPole.
    @Test(arguments: ["nrl", "rmhl", "bp-reinforce"])
    func firstEpisodeMakesNoUpdate(rule: String) throws {
        let values = Self.rules.first { $0.0 == rule }!.1
        let shape = TaskShape(CartPole())
        var env = CartPole()
        var observation = [0.0, 0, 0, 0]
        env.reset(seed: 1, observation: &observation)
        func check<A: EpisodicAgent>(_ agent: A, weights: (A) -> [Double]) {
            var agent = agent
            let initial = weights(agent)
            let r1 = runEpisode(&agent, &env).episodeReturn
            #expect(weights(agent) == initial)
            var r = r1
            var episodes = 1
            while r == r1 && episodes < 20 {
                r = runEpisode(&agent, &env).episodeReturn
                episodes += 1
            }
            #expect(r != r1)
            #expect(weights(agent) != initial)
        }
        let agent = try makeAgent(rule, parameters(values), shape, RandomStream(seed: 2, stream: 1))
        switch agent {
        case let a as PolicyGradientAgent<NoiseBasedRewardModulated>: check(a) { $0.network.weights }
        case let a as PolicyGradientAgent<RewardModulatedHebbian>: check(a) { $0.network.weights }
        case let a as PolicyGradientAgent<BackpropREINFORCE>: check(a) { $0.network.weights }
        default: Issue.record("unexpected agent type")
        }
    }

    /// Save after 3 episodes, restore into a freshly built trial, run 4 more
    /// episodes in both: identical records and identical final state.
    @Test(arguments: ["nrl", "rmhl", "bp-reinforce"], ["episodic", "immediate"])
    func checkpointRoundTripIsBitIdentical(rule: String, mode: String) throws {
        var values = Self.rules.first { $0.0 == rule }!.1
        values["reward_mode"] = .string(mode)
        func makeTrial(seed: UInt64) throws -> any Trial {
            if mode == "episodic" {
                return try Catalog.makeTrial(kind: "episodic", TrialSpec(env: CartPole.id, envOptions: Hyperparameters(), rule: rule,
                                                         ruleParameters: parameters(values), seed: seed))
            }
            let agent = try makeAgent(rule, parameters(values), banditShape, RandomStream(seed: seed, stream: StreamTag.agent))
            return EpisodicTrials.open(BanditTask(length: 7), agent, seed: seed)
        }
        var original = try makeTrial(seed: 10)
        var record = Array(repeating: 0.0, count: original.seriesNames.count)
        for _ in 0..<3 { original.runUnit(record: &record) }
        var archive = StateArchive()
        original.save(to: &archive)
        // A resumed run rebuilds its trial from the same (spec, seed), then loads.
        var restored = try makeTrial(seed: 10)
        var reader = StateArchive.Reader(archive)
        try restored.load(from: &reader)
        #expect(reader.isAtEnd)
        var other = record
        for _ in 0..<4 {
            original.runUnit(record: &record)
            restored.runUnit(record: &other)
            #expect(record.map(\.bitPattern) == other.map(\.bitPattern))
        }
        var a = StateArchive(), b = StateArchive()
        original.save(to: &a)
        restored.save(to: &b)
        #expect(a == b)
    }

    @Test(arguments: ["nrl", "rmhl", "bp-reinforce"])
    func absurdLearningRateIsFlaggedAsDivergence(rule: String) throws {
        var values = Self.rules.first { $0.0 == rule }!.1
        values["learning_rate"] = .number(1e308)
        var trial = try Catalog.makeTrial(kind: "episodic", TrialSpec(env: CartPole.id, envOptions: Hyperparameters(), rule: rule,
                                                      ruleParameters: parameters(values), seed: 1))
        var record = Array(repeating: 0.0, count: trial.seriesNames.count)
        for _ in 0..<30 where !trial.hasDiverged { trial.runUnit(record: &record) }
        #expect(trial.hasDiverged)
    }

    /// Delayed reward on the bandit: every rule learns to prefer action 0 (it pays 1, the
    /// others 0.3 and 0.1; 10 steps per episode; the near-uniform initial policy earns
    /// about 4.7 per episode, the best policy 10): over the last 50 of 400 episodes the
    /// mean return must exceed 9.
    @Test(arguments: [
        ("nrl", 0.05, 0.1), ("rmhl", 0.05, 0.5), ("bp-reinforce", 0.05, 0.0),
    ])
    func everyRuleLearnsTheBandit(rule: String, learningRate: Double, sigma: Double) throws {
        var values: [String: ParameterValue] = ["learning_rate": .number(learningRate), "hidden_units": .integer(16)]
        if sigma > 0 { values["noise_std"] = .number(sigma) }
        let agent = try makeAgent(rule, parameters(values), banditShape, RandomStream(seed: 1, stream: 1))
        var trial = EpisodicTrials.open(BanditTask(length: 10), agent, seed: 1)
        var record = Array(repeating: 0.0, count: trial.seriesNames.count)
        var returns = [Double]()
        for _ in 0..<400 {
            trial.runUnit(record: &record)
            returns.append(record[0])
        }
        let first = returns.prefix(50).reduce(0, +) / 50
        let last = returns.suffix(50).reduce(0, +) / 50
        #expect(last > 9, "\(rule): mean return of the first / last 50 episodes \(first) -> \(last)")
    }
}

/// The registered episodic agent of a rule, built as the episodic loop builds it.
func makeAgent(_ rule: String, _ parameters: Hyperparameters, _ shape: TaskShape, _ stream: RandomStream) throws -> any EpisodicAgent {
    let implementation = try #require(Catalog.rule(rule)?.implementation(for: "episodic"))
    return try implementation.factory(as: EpisodicRuleFactory.self).make(implementation.parameters.read(parameters), shape, stream)
}
