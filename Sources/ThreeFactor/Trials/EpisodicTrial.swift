/// The reinforcement-learning loop: reset, then act / step / observe until the episode
/// terminates or is truncated. One unit is one episode; its record is the undiscounted
/// return, the length, and the agent's own diagnostics.
///
/// Episode `k` of a run resets the environment with a seed drawn from the run's
/// environment stream split by `k`, so the start states depend only on (seed, k): the
/// same for every method with the same seed, and independent of checkpoints.
public struct EpisodicTrial<Env: Environment, Agent: EpisodicAgent>: Trial {
    public private(set) var env: Env
    public private(set) var agent: Agent
    let environmentStream: RandomStream
    public private(set) var episodesDone = 0
    /// Environment steps taken since this trial value was built (not checkpointed: it
    /// measures work done, not the run's state).
    public private(set) var stepsSinceStart = 0
    public var stepsTaken: Int? { stepsSinceStart }
    var observation: [Double]
    var nextObservation: [Double]
    var diagnostics: [Double]
    var returnIsFinite = true

    public let seriesNames: [String]

    public init(env: Env, agent: Agent, seed: UInt64) {
        self.env = env
        self.agent = agent
        environmentStream = RandomStream(seed: seed, stream: StreamTag.environment)
        observation = Array(repeating: 0, count: env.observationCount)
        nextObservation = observation
        diagnostics = Array(repeating: 0, count: agent.diagnosticNames.count)
        seriesNames = ["episode_return", "episode_length"] + agent.diagnosticNames
    }

    public var hasDiverged: Bool { !returnIsFinite || agent.hasDiverged }

    public mutating func runUnit(record: inout [Double]) {
        var episodeStream = environmentStream.split(UInt64(episodesDone))
        env.reset(seed: episodeStream.next(), observation: &observation)
        var episodeReturn = 0.0
        var length = 0
        var episodeStart = true
        while true {
            let action = agent.act(observation, episodeStart: episodeStart)
            episodeStart = false
            let outcome = env.step(action, observation: &nextObservation)
            episodeReturn += outcome.reward
            length += 1
            agent.observe(
                reward: outcome.reward, nextObservation: nextObservation,
                terminated: outcome.terminated, truncated: outcome.truncated)
            if outcome.terminated || outcome.truncated { break }
            swap(&observation, &nextObservation)
        }
        agent.endEpisode(diagnostics: &diagnostics)
        episodesDone += 1
        stepsSinceStart += length
        returnIsFinite = episodeReturn.isFinite
        record[0] = episodeReturn
        record[1] = Double(length)
        for i in 0..<diagnostics.count { record[2 + i] = diagnostics[i] }
    }

    public func save(to archive: inout StateArchive) {
        archive.append(episodesDone)
        agent.save(to: &archive)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        episodesDone = try reader.int()
        try agent.load(from: &reader)
    }
}

/// Builds the episodic loop from registered ids: the environment from
/// `EnvironmentRegistry`, the agent from `RuleRegistry`.
public enum EpisodicTrials {
    public static func make(_ spec: TrialSpec) throws -> any Trial {
        guard let id = spec.env else { throw TrialError.missingEnvironment }
        guard let envEntry = EnvironmentRegistry.entry(id) else { throw TrialError.unknownEnvironment(id) }
        guard let ruleEntry = RuleRegistry.entry(spec.rule) else { throw TrialError.unknownRule(spec.rule) }
        let env = try envEntry.make(spec.envOptions)
        let agent = try ruleEntry.make(
            spec.ruleParameters, TaskShape(env), RandomStream(seed: spec.seed, stream: StreamTag.agent))
        return open(env, agent, seed: spec.seed)
    }

    static func open<E: Environment, A: EpisodicAgent>(_ env: E, _ agent: A, seed: UInt64) -> any Trial {
        EpisodicTrial<E, A>(env: env, agent: agent, seed: seed)
    }

}
