/// The reinforcement-learning loop: reset, then act / step / observe until the episode
/// terminates or is truncated. One unit is one episode; its record is the undiscounted
/// return, the length, and the agent's own diagnostics.
///
/// Episode `k` of a run resets the environment with a seed drawn from the run's
/// environment stream split by `k`, so the start states depend only on (seed, k): the
/// same for every method with the same seed, and independent of checkpoints.
public struct EpisodicTrial<Env: Environment, Agent: EpisodicAgent>: Trial {
    /// The environment.
    public private(set) var env: Env
    /// The agent.
    public private(set) var agent: Agent
    let environmentStream: RandomStream
    /// Episodes completed.
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

    /// A trial at episode 0; the episodes' start states come from `seed`'s environment stream.
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

/// The episodic experiment kind: the environment from the catalog's task, the agent from
/// the rule's `EpisodicRuleFactory`.
public enum EpisodicTrials {
    /// The kind's name in experiment files.
    public static let kindName = "episodic"

    /// The episodic kind's catalog entry.
    public static let kind = ExperimentKind(
        name: kindName, summary: "reinforcement learning, one unit per episode", unit: "episode",
        headlineSeries: SeriesDescription(name: "episode_return", label: "return", higherIsBetter: true)
    ) { spec, implementation in
        let (env, agent) = try parts(spec, implementation)
        return open(env, agent, seed: spec.seed)
    }

    /// The environment and the agent of one seed of an episodic experiment.
    public static func parts(_ spec: TrialSpec) throws -> (env: any Environment, agent: any EpisodicAgent) {
        let r = try Catalog.resolve(kind: kindName, rule: spec.rule, task: spec.env)
        var spec = spec
        spec.env = r.task.id
        return try parts(spec, r.implementation)
    }

    static func parts(_ spec: TrialSpec, _ implementation: RuleImplementation) throws -> (env: any Environment, agent: any EpisodicAgent) {
        guard let id = spec.env, let makeEnvironment = Catalog.task(id)?.makeEnvironment else { throw TrialError.missingEnvironment }
        let env = try makeEnvironment(spec.envOptions)
        let p = try implementation.parameters.read(spec.ruleParameters)
        let agent = try implementation.factory(as: EpisodicRuleFactory.self).make(
            p, TaskShape(env), RandomStream(seed: spec.seed, stream: StreamTag.agent))
        return (env, agent)
    }

    static func open<E: Environment, A: EpisodicAgent>(_ env: E, _ agent: A, seed: UInt64) -> any Trial {
        EpisodicTrial<E, A>(env: env, agent: agent, seed: seed)
    }
}

/// What a rule registers for the episodic kind: its agent, built from the checked
/// hyperparameters, the task's shape and the stream from which the agent draws its initial
/// weights and all its noise.
public struct EpisodicRuleFactory: Sendable {
    /// Builds the rule's agent from its checked hyperparameters, the task's shape and the
    /// agent's stream.
    public let make: @Sendable (ParameterValues, TaskShape, RandomStream) throws -> any EpisodicAgent

    /// A factory.
    public init(make: @escaping @Sendable (ParameterValues, TaskShape, RandomStream) throws -> any EpisodicAgent) {
        self.make = make
    }
}

extension RuleImplementation {
    /// A rule's entry for the episodic kind.
    public static func episodic(
        actionSpaces: Set<ActionSpace.Kind>, parameters: ParameterTable,
        make: @escaping @Sendable (ParameterValues, TaskShape, RandomStream) throws -> any EpisodicAgent
    ) -> RuleImplementation {
        RuleImplementation(
            kind: EpisodicTrials.kindName, actionSpaces: actionSpaces, parameters: parameters,
            factory: EpisodicRuleFactory(make: make))
    }
}
