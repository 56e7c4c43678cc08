import ThreeFactor

/// Throughput of MAP propagation's actor–critic with eight seeds in lockstep
/// (`LockstepEpisodicTrial`), beside the single-seed loop of `AgentBenchmark`, and the
/// arithmetic both do: what `make bench` holds against the machine's measured peak.
public enum LockstepBenchmark {
    /// The rules that run in lockstep.
    public static let rules: Set<String> = ["map-prop"]

    /// Runs `rule` on `env` for at least `steps` environment steps summed over the eight
    /// lanes (seeds `seed ..< seed + 8`) with the lane kernels of `instructionSet` and times
    /// the loop; `steps` in the result counts every lane's steps.
    public static func run(
        rule: String, env: String, steps: Int, parameters: Hyperparameters = Hyperparameters(),
        environmentOptions: Hyperparameters = Hyperparameters(), seed: UInt64 = 0,
        instructionSet: LaneInstructionSet = .best
    ) throws -> AgentBenchmark.Result {
        let seeds = (0..<UInt64(LockstepActorCritic.lanes)).map { seed + $0 }
        var envs: [any Environment] = []
        var agents: [ActorCriticAgent<MAPPropagation>] = []
        for s in seeds {
            let (environment, agent) = try EpisodicTrials.parts(
                TrialSpec(env: env, envOptions: environmentOptions, rule: rule, ruleParameters: parameters, seed: s))
            guard let agent = agent as? ActorCriticAgent<MAPPropagation> else {
                throw ParameterError(key: "rule", message: "\(rule) does not run in lockstep (only \(rules.sorted().joined(separator: ", ")))")
            }
            envs.append(environment)
            agents.append(agent)
        }
        let (taken, episodes, seconds, cpuSeconds) = loop(
            envs[0], envs, LockstepActorCritic(agents, instructionSet: instructionSet), seeds: seeds, steps: steps)
        return AgentBenchmark.Result(rule: rule, environment: env, steps: taken, episodes: episodes, seconds: seconds, cpuSeconds: cpuSeconds)
    }

    static func loop<E: Environment>(
        _ first: E, _ envs: [any Environment], _ agent: LockstepActorCritic, seeds: [UInt64], steps: Int
    ) -> (Int, Int, Double, Double) {
        var trial = LockstepEpisodicTrial(envs: envs.map { $0 as! E }, agent: agent, seeds: seeds)
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = AgentBenchmark.threadCPUSeconds()
        var episodes = 0
        while trial.stepsTaken < steps {
            let ended = trial.step()
            for s in 0..<LockstepActorCritic.lanes where ended[s] { episodes += 1 }
        }
        let cpuSeconds = AgentBenchmark.threadCPUSeconds() - cpuStart
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (trial.stepsTaken, episodes, seconds, cpuSeconds)
    }

    /// Floating-point operations of one MAP-propagation actor–critic step: the multiply–adds
    /// of its matrix products (2 operations each) in both networks — the forward pass, every
    /// ascent step's feedback `e W^T` and refresh of the layers above the first, the first
    /// layer's one refresh after the weights changed, and the trace's outer products. Adam,
    /// the activations and the noise are not counted, so the rate is a lower bound of the
    /// arithmetic done.
    public static func matrixOperationsPerStep(_ agent: ActorCriticAgent<MAPPropagation>) -> Double {
        func operations(_ n: TeamNetwork, steps: Int) -> Double {
            let sizes = [n.inputCount] + n.hidden + [n.outputCount]
            let products = (0..<(sizes.count - 1)).map { Double(sizes[$0] * sizes[$0 + 1]) }
            let all = products.reduce(0, +), aboveFirst = all - products[0]
            return 2 * (all + Double(steps) * 2 * aboveFirst + products[0] + all)
        }
        return operations(agent.actor, steps: agent.actorRule.steps) + operations(agent.critic, steps: agent.criticRule.steps)
    }

    /// `matrixOperationsPerStep` of the agent `rule` builds for `env` with `parameters`, or
    /// nil when the rule does not run in lockstep.
    public static func matrixOperationsPerStep(
        rule: String, env: String, parameters: Hyperparameters, environmentOptions: Hyperparameters
    ) throws -> Double? {
        let (_, agent) = try EpisodicTrials.parts(
            TrialSpec(env: env, envOptions: environmentOptions, rule: rule, ruleParameters: parameters, seed: 0))
        return (agent as? ActorCriticAgent<MAPPropagation>).map(matrixOperationsPerStep)
    }
}
