import Testing
@testable import ThreeFactor

@Suite struct ActorCriticAgentTests {
    static func trial(_ rule: String, seed: UInt64 = 5, parameters: [String: ParameterValue] = [:]) throws -> any Trial {
        try Catalog.makeTrial(
            kind: "episodic",
            TrialSpec(env: "CartPole-v1", envOptions: Hyperparameters(), rule: rule,
                      ruleParameters: Hyperparameters(parameters), seed: seed))
    }

    static let rules = ["map-prop", "reinforce-team", "backprop"]

    @Test func rulesAreRegisteredForBothTeamLoops() {
        for rule in Self.rules {
            #expect(Catalog.rule(rule)?.implementations.map(\.kind) == ["episodic", "supervised"])
        }
    }

    static func settings<R: TeamNetworkRule>(_ rule: R.Type, _ values: [String: ParameterValue] = [:]) throws -> ActorCriticSettings {
        try ActorCriticSettings(
            ActorCriticAgent<R>.parameters.read(Hyperparameters(values)), stochasticHiddenUnits: R.stochasticHiddenUnits)
    }

    /// Defaults are the reference CartPole configuration (config_cp.ini).
    @Test func defaultsAreTheReferenceCartPoleConfiguration() throws {
        let s = try Self.settings(MAPPropagation.self)
        #expect(s.gamma == 0.98 && s.hidden == [64, 32] && s.temperature == 2)
        #expect(s.criticVariances == [0.03, 0.1, 0.1] && s.actorVariances == [0.03, 0.1, 0.1])
        let map = try MAPPropagation.actorCritic(ActorCriticAgent<MAPPropagation>.parameters.read(Hyperparameters()))
        #expect(map.critic.updateAdjustment == 0.5 && map.actor.updateAdjustment == 0.5 && map.actor.steps == 20)
        #expect(s.criticLambda == 0.95 && s.actorLambda == 0.95 && s.rewardLimit < 0)
        #expect(s.criticLearningRates.map(\LinearSchedule.start) == [0.02, 0.00002, 0.000002])
        #expect(s.criticLearningRates.map(\LinearSchedule.end) == [0.002, 0.000002, 0.0000002])
        #expect(s.actorLearningRates.map(\LinearSchedule.start) == [0.01, 0.00001, 0.000001])
        #expect(s.actorLearningRates.map(\LinearSchedule.end) == [0.001, 0.000001, 0.00000001])
        #expect(s.actorLearningRates.allSatisfy { $0.steps == 50_000 })
    }

    @Test func rejectsUnknownAndMalformedKeys() {
        #expect(throws: ParameterError.self) { try Self.settings(MAPPropagation.self, ["gama": .number(0.9)]) }
        #expect(throws: ParameterError.self) { try Self.settings(REINFORCETeam.self, ["map_grad_ascent_steps": .integer(3)]) }
        #expect(throws: ParameterError.self) { try Self.settings(Backpropagation.self, ["critic_var": .list([.number(1)])]) }
        #expect(throws: ParameterError.self) { try Self.settings(MAPPropagation.self, ["actor_var": .list([.number(0.1), .number(0.1)])]) }
        #expect(throws: ParameterError.self) { try Self.settings(MAPPropagation.self, ["actor_l_type": .integer(2)]) }
        #expect(throws: ParameterError.self) { try Self.settings(MAPPropagation.self, ["gamma": .number(.nan)]) }
    }

    /// Saving at an episode boundary and loading into a fresh trial continues bit for bit.
    @Test(arguments: Self.rules)
    func checkpointRoundTripContinuesIdentically(rule: String) throws {
        var original = try Self.trial(rule)
        var record = Array(repeating: 0.0, count: original.seriesNames.count)
        for _ in 0..<3 { original.runUnit(record: &record) }
        var archive = StateArchive()
        original.save(to: &archive)
        var continued: [[Double]] = []
        for _ in 0..<3 {
            original.runUnit(record: &record)
            continued.append(record)
        }
        var resumed = try Self.trial(rule)
        var reader = StateArchive.Reader(archive)
        try resumed.load(from: &reader)
        #expect(reader.isAtEnd)
        for k in 0..<3 {
            resumed.runUnit(record: &record)
            #expect(record == continued[k], "episode \(k) after the checkpoint")
        }
    }

    /// The reference loop's bookkeeping: one learning step per environment step after the
    /// first, one more on the final observation, one with δ = 0 at the next episode's start;
    /// the traces are cleared then.
    @Test func episodeBoundaries() throws {
        var agent = try ActorCriticAgent<MAPPropagation>(parameters: Hyperparameters(),
                                         task: TaskShape(CartPole()), stream: RandomStream(seed: 1))
        var env = CartPole()
        var observation = [0.0, 0, 0, 0], next = observation
        env.reset(seed: 3, observation: &observation)
        var steps = 0
        var start = true
        while true {
            let action = agent.act(observation, episodeStart: start)
            start = false
            let outcome = env.step(action, observation: &next)
            steps += 1
            agent.observe(reward: outcome.reward, nextObservation: next, terminated: outcome.terminated, truncated: outcome.truncated)
            if outcome.terminated || outcome.truncated { break }
            swap(&observation, &next)
        }
        #expect(agent.iteration == steps + 1)
        #expect(agent.actor.adamStep == steps && agent.critic.adamStep == steps)
        var diagnostics = [0.0, 0.0]
        agent.endEpisode(diagnostics: &diagnostics)
        #expect(diagnostics[0] > 0 && diagnostics[0].isFinite)
        env.reset(seed: 4, observation: &observation)
        _ = agent.act(observation, episodeStart: true)
        #expect(agent.actor.adamStep == steps + 1)
        // Cleared, then this step's eligibility added: trace = eligibility ⊗ input.
        let e = agent.actor.activity(TeamNetwork.Activity.eligibility, layer: 0)
        let trace = agent.actor.weightTrace(layer: 0)
        for i in 0..<4 {
            for j in 0..<64 { #expect(trace[i * 64 + j] == 0 * 0 + observation[i] * e[j] || abs(trace[i * 64 + j] - observation[i] * e[j]) < 1e-15) }
        }
    }

    /// Continuous actions: the reference maps the output o to clip(o (high - low) - low,
    /// low, high); for MountainCarContinuous (-1, 1) that is clip(2 o + 1, -1, 1).
    @Test func continuousActionQuirk() throws {
        var agent = try ActorCriticAgent<MAPPropagation>(
            parameters: Hyperparameters(["actor_var": .list([.number(0.03), .number(0.1), .number(0.5)])]),
            task: TaskShape(observationCount: 2, actionSpace: .box(low: [-1], high: [1])), stream: RandomStream(seed: 2))
        var seenInside = false
        for k in 0..<50 {
            guard case .continuous(let a) = agent.act([0.1 * Double(k % 7) - 0.3, 0.01], episodeStart: k == 0) else {
                Issue.record("expected a continuous action")
                return
            }
            let o = agent.actor.outputValue()
            #expect(a[0] == min(max(o * 2 + 1, -1), 1))
            if abs(a[0]) < 1 { seenInside = true }
            agent.observe(reward: -0.1, nextObservation: [0, 0], terminated: false, truncated: false)
        }
        #expect(seenInside)
    }

    /// Rewards used for learning are clipped to ±reward_lim; the first TD error of an
    /// episode shows it.
    @Test func rewardClipping() throws {
        func firstTDError(limit: Double) throws -> Double {
            var agent = try ActorCriticAgent<REINFORCETeam>(
                parameters: Hyperparameters(["reward_lim": .number(limit)]),
                task: TaskShape(CartPole()), stream: RandomStream(seed: 9))
            _ = agent.act([0.01, 0, 0.02, 0], episodeStart: true)
            agent.observe(reward: 100, nextObservation: [0, 0, 0, 0], terminated: true, truncated: false)
            var d = [0.0, 0.0]
            agent.endEpisode(diagnostics: &d)
            return d[0]
        }
        let clipped = try firstTDError(limit: 5), unclipped = try firstTDError(limit: -1)
        #expect(abs(unclipped - clipped - 95) < 1e-9)
    }
}
