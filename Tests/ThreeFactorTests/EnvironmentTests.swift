import Testing
@testable import ThreeFactor

/// Properties of every registered environment that the golden trajectories do not cover:
/// seeded resets, start distributions, time limits, input validation.
@Suite struct EnvironmentTests {
    /// The registered time limits of the reference ids.
    static let limits: [String: Int] = [
        "CartPole-v1": 500, "Acrobot-v1": 500, "MountainCar-v0": 200,
        "MountainCarContinuous-v0": 999, "Pendulum-v1": 200, "Reaching1D-v0": 300,
        "LunarLander-v3": 1000, "LunarLanderContinuous-v3": 1000, "LineFollower-v0": 100_000,
    ]

    static func make(_ id: String) throws -> any Environment {
        let make = try #require(Catalog.task(id)?.makeEnvironment)
        return try make(Hyperparameters())
    }

    @Test func registryHasEveryEnvironmentOnce() {
        #expect(Set(Catalog.environments.map(\.id)) == Set(Self.limits.keys))
        #expect(Catalog.environments.map(\.id).count == Set(Catalog.environments.map(\.id)).count)
    }

    @Test(arguments: ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Reaching1D-v0"])
    func resetIsReproducible(id: String) throws {
        func start(_ seed: UInt64?, after previous: UInt64? = nil) throws -> ([Double], [Double]) {
            var env = try Self.make(id)
            var observation = Array(repeating: 0.0, count: env.observationCount)
            if let previous { env.reset(seed: previous, observation: &observation) }
            env.reset(seed: seed, observation: &observation)
            return (env.state, observation)
        }
        let a = try start(7), b = try start(7), c = try start(8)
        #expect(a.0 == b.0 && a.1 == b.1)
        #expect(a.0 != c.0)
        // reset(seed: nil) continues the stream, as gymnasium's reset() does.
        let continued = try start(nil, after: 7)
        #expect(continued.0 != a.0)
        // A reset does not depend on what happened before it.
        var env = try Self.make(id)
        var observation = Array(repeating: 0.0, count: env.observationCount)
        env.reset(seed: 3, observation: &observation)
        _ = env.step(Self.someAction(env.actionSpace), observation: &observation)
        env.reset(seed: 7, observation: &observation)
        #expect(env.state == a.0 && observation == a.1)
    }

    /// The documented start distribution of each id: the state's bounds per component, and
    /// whether the component is constant.
    static let startBounds: [String: [ClosedRange<Double>]] = [
        "CartPole-v1": Array(repeating: -0.05...0.05, count: 4),
        "Acrobot-v1": Array(repeating: -0.1...0.1, count: 4),
        "MountainCar-v0": [-0.6...(-0.4), 0...0],
        "MountainCarContinuous-v0": [-0.6...(-0.4), 0...0],
        "Pendulum-v1": [-Double.pi...Double.pi, -1...1],
        "Reaching1D-v0": [0...(2 * Double.pi), Double.pi...Double.pi],
    ]

    @Test(arguments: ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Reaching1D-v0"])
    func resetStaysInsideTheStartDistribution(id: String) throws {
        let bounds = try #require(Self.startBounds[id])
        var env = try Self.make(id)
        var observation = Array(repeating: 0.0, count: env.observationCount)
        var low = Array(repeating: Double.infinity, count: bounds.count)
        var high = Array(repeating: -Double.infinity, count: bounds.count)
        for seed in 0..<400 as Range<UInt64> {
            env.reset(seed: seed, observation: &observation)
            let s = env.state
            try #require(s.count == bounds.count)
            for i in s.indices {
                #expect(bounds[i].contains(s[i]), "\(id) seed \(seed) component \(i) = \(s[i]) outside \(bounds[i])")
                low[i] = min(low[i], s[i])
                high[i] = max(high[i], s[i])
            }
            if id == "Acrobot-v1" { #expect(s.allSatisfy { Double(Float($0)) == $0 }, "stored as float32") }
            #expect(observation.allSatisfy { Double(Float($0)) == $0 }, "observations are float32 values")
        }
        // 400 uniform draws cover at least 95 % of each interval (fails if a component is
        // stuck or drawn from a narrower range).
        for i in bounds.indices where bounds[i].lowerBound < bounds[i].upperBound {
            let width = bounds[i].upperBound - bounds[i].lowerBound
            #expect(high[i] - low[i] > 0.95 * width, "\(id) component \(i) spans only [\(low[i]), \(high[i])]")
        }
    }

    /// A policy that never ends the episode early, so that it must end at the time limit.
    static func survivingAction(_ id: String, _ state: [Double]) -> Action {
        switch id {
        case "CartPole-v1": .discrete(state[2] + 0.5 * state[3] + 0.02 * state[0] + 0.1 * state[1] > 0 ? 1 : 0)
        case "Acrobot-v1", "MountainCar-v0": .discrete(1)  // no torque / no push: the goal stays out of reach
        case "MountainCarContinuous-v0", "Pendulum-v1": .continuous(SIMD4(0, 0, 0, 0))
        default: .discrete(0)
        }
    }

    static func someAction(_ space: ActionSpace) -> Action {
        switch space {
        case .discrete: .discrete(1)
        case .box: .continuous(SIMD4(0.5, 0, 0, 0))
        }
    }

    @Test(arguments: ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Reaching1D-v0"])
    func episodesTruncateAtTheRegisteredLimit(id: String) throws {
        let limit = try #require(Self.limits[id])
        var env = try Self.make(id)
        #expect(env.maxEpisodeSteps == limit)
        var observation = Array(repeating: 0.0, count: env.observationCount)
        for episode in 0..<2 as Range<UInt64> {
            env.reset(seed: episode, observation: &observation)
            var steps = 0
            while true {
                let outcome = env.step(Self.survivingAction(id, env.state), observation: &observation)
                steps += 1
                try #require(!outcome.terminated, "\(id) terminated at step \(steps)")
                if outcome.truncated { break }
                try #require(steps < limit, "\(id) not truncated at \(limit)")
            }
            #expect(steps == limit)
        }
        // The clock restarts with setState as with reset.
        let start = env.state
        try env.setState(start, observation: &observation)
        var steps = 0
        while !env.step(Self.survivingAction(id, env.state), observation: &observation).truncated { steps += 1 }
        #expect(steps + 1 == limit)
    }

    @Test func timeLimitOptionAndUnknownKeys() throws {
        let entry = try #require(Catalog.task("MountainCar-v0")?.makeEnvironment)
        let env = try entry(Hyperparameters(["max_episode_steps": .integer(17)]))
        #expect(env.maxEpisodeSteps == 17)
        #expect(throws: ParameterError.self) { try entry(Hyperparameters(["max_steps": .integer(17)])) }
        let reaching = try #require(Catalog.task("Reaching1D-v0")?.makeEnvironment)
        #expect(throws: ParameterError.self) { try reaching(Hyperparameters(["exact_target_reward": .integer(1)])) }
    }

    @Test(arguments: ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Reaching1D-v0"])
    func setStateRejectsWrongCountsAndNonFiniteValues(id: String) throws {
        var env = try Self.make(id)
        var observation = Array(repeating: 0.0, count: env.observationCount)
        env.reset(seed: 1, observation: &observation)
        let n = env.state.count
        #expect(throws: EnvironmentError.self) { try env.setState(Array(repeating: 0.1, count: n + 1), observation: &observation) }
        var bad = env.state
        bad[0] = .nan
        #expect(throws: EnvironmentError.self) { try env.setState(bad, observation: &observation) }
        // A valid state is accepted and read back unchanged.
        let good = env.state
        try env.setState(good, observation: &observation)
        #expect(env.state == good)
    }

    @Test func validateNamesTheValidRange() throws {
        let env = try Self.make("Acrobot-v1")
        #expect(throws: EnvironmentError.invalidAction("action 3 is outside Discrete(3): expected an integer in 0...2")) {
            try env.validate(.discrete(3))
        }
        let continuous = try Self.make("Pendulum-v1")
        #expect(throws: EnvironmentError.self) { try continuous.validate(.continuous(SIMD4(.nan, 0, 0, 0))) }
        try continuous.validate(.continuous(SIMD4(5, 0, 0, 0)))  // clipped by the environment
    }
}

/// Details of single environments that are easy to get wrong.
@Suite struct EnvironmentDetailTests {
    @Test func reachingRewardsTheIntegerPartOfTheTargetLikeNeurogym() throws {
        var env = Reaching1D()
        var observation = Array(repeating: 0.0, count: 32)
        try env.setState([3.46, Double.pi], observation: &observation)
        let stay = env.step(.discrete(0), observation: &observation)
        #expect(stay.reward == 1.0 - (Double.pi - 3.0))
        // Action 1 adds 0.05 rad (neurogym calls it "left").
        _ = env.step(.discrete(1), observation: &observation)
        #expect(env.state[1] == Double.pi + 0.05)
        var exact = Reaching1D(exactTargetReward: true)
        try exact.setState([3.46, Double.pi], observation: &observation)
        #expect(exact.step(.discrete(0), observation: &observation).reward == 1.0 - (3.46 - Double.pi))
    }

    @Test func reachingObservationCodesTargetThenAngle() throws {
        var env = Reaching1D()
        var observation = Array(repeating: 0.0, count: 32)
        try env.setState([0.0, Double.pi], observation: &observation)
        #expect(observation[0] == 1)  // unit 0 prefers angle 0 = the target
        #expect(observation[16 + 8] == 1)  // unit 8 prefers π = the agent
        #expect(observation[8] == -1 && observation[16] == -1)
        _ = env.step(.discrete(2), observation: &observation)
        #expect(observation[0] == 1, "the target code stays for the whole trial")
    }

    @Test func reachingWrapsLikeNumPyMod() throws {
        var env = Reaching1D()
        var observation = Array(repeating: 0.0, count: 32)
        try env.setState([1.0, 0.02], observation: &observation)
        _ = env.step(.discrete(2), observation: &observation)
        #expect(env.state[1] == flooredModulo(0.02 - 0.05, 2 * Double.pi))
        #expect(env.state[1] > 6.2)
        // np.mod(-1e-17, 2π) rounds up to exactly 2π.
        #expect(flooredModulo(-1e-17, 2 * Double.pi) == 2 * Double.pi)
        #expect(flooredModulo(-0.5, 2.0) == 1.5 && flooredModulo(0.5, -2.0) == -1.5)
        #expect(flooredModulo(4.0, 2.0).sign == .plus)
    }

    @Test func mountainCarContinuousPaysForTheRawActionAndClipsTheForce() throws {
        var env = MountainCarContinuous()
        var observation = [0.0, 0.0]
        try env.setState([-0.5, 0.0], observation: &observation)
        var three = env, oneAndAHalf = env, one = env
        let bigReward = three.step(.continuous(SIMD4(3, 0, 0, 0)), observation: &observation).reward
        _ = oneAndAHalf.step(.continuous(SIMD4(1.5, 0, 0, 0)), observation: &observation)
        let oneReward = one.step(.continuous(SIMD4(1, 0, 0, 0)), observation: &observation).reward
        #expect(three.state == oneAndAHalf.state, "force clipped to 1")
        // Unclipped, the float32 action makes the step float32 (NumPy 2), so force 1 lands
        // within float32 rounding of the clipped Python-float force 1.0.
        #expect(abs(three.state[1] - one.state[1]) < 1e-9)
        #expect(bigReward == -0.1 * 9 && oneReward == -0.1)
        // The goal pays +100 on top of the energy cost.
        try env.setState([0.449, 0.07], observation: &observation)
        let goal = env.step(.continuous(SIMD4(0, 0, 0, 0)), observation: &observation)
        #expect(goal.terminated && goal.reward == 100)
    }

    @Test func pendulumCostUsesTheStateBeforeTheStep() throws {
        var env = Pendulum()
        var observation = [0.0, 0.0, 0.0]
        try env.setState([0, 0], observation: &observation)
        let upright = env.step(.continuous(SIMD4(0, 0, 0, 0)), observation: &observation)
        #expect(upright.reward == 0 && !upright.terminated)
        try env.setState([Double.pi, 0], observation: &observation)
        let down = env.step(.continuous(SIMD4(10, 0, 0, 0)), observation: &observation)
        // normalize(π) = -π; the torque is clipped to 2 before its cost.
        #expect(abs(down.reward + (Double.pi * Double.pi + 0.001 * 4)) < 1e-6)
    }

    @Test func acrobotRewardIsZeroOnlyOnTheGoalStep() throws {
        var env = Acrobot()
        var observation = Array(repeating: 0.0, count: 6)
        // Both links pointing up: -cos(π) - cos(0) ... tip height 2 > 1.
        try env.setState([Double.pi, 0, 0, 0], observation: &observation)
        let outcome = env.step(.discrete(1), observation: &observation)
        #expect(outcome.terminated && outcome.reward == 0)
        try env.setState([0, 0, 0, 0], observation: &observation)
        let resting = env.step(.discrete(1), observation: &observation)
        #expect(!resting.terminated && resting.reward == -1)
        #expect(env.state.allSatisfy { abs($0) < 1e-12 }, "at rest it stays (up to cos(-π/2) = 6e-17)")
    }
}
