/// Eight seeds of one episodic MAP-propagation experiment advancing together: one
/// `LockstepActorCritic` and one environment per seed. Each seed's episodes are those of its
/// `EpisodicTrial` (the same start states from its environment stream, the same records, bit
/// for bit); only the interleaving differs. Environments step on their own; a lane whose
/// episode ended starts its next one at the next step, so lanes drift apart in episodes but
/// never wait.
public struct LockstepEpisodicTrial<Env: Environment> {
    /// Seeds advanced together.
    public static var lanes: Int { LockstepActorCritic.lanes }

    /// The eight seeds' agent.
    public private(set) var agent: LockstepActorCritic
    var envs: [Env]
    let environmentStreams: [RandomStream]
    /// Episodes completed, per lane.
    public private(set) var episodesDone: [Int]
    var observations: [[Double]]
    var nextObservations: [[Double]]
    var actions: [Action]
    var inEpisode: [Bool]
    var episodeReturn: [Double]
    var episodeLength: [Int]
    /// Each lane's record of its last episode (`seriesNames`).
    public private(set) var records: [[Double]]
    var divergedLanes = LockstepActorCritic.LaneMask(repeating: false)
    var diagnostics: [Double]
    /// Environment steps taken, all lanes (work done, not state).
    public private(set) var stepsTaken = 0

    /// The series of each unit's record, as `EpisodicTrial.seriesNames`.
    public let seriesNames: [String]

    /// Lane s runs `envs[s]` with seed `seeds[s]` (its start states) from `episodesDone[s]`
    /// episodes on (0 for a fresh run, a checkpoint's count to resume).
    public init(envs: [Env], agent: LockstepActorCritic, seeds: [UInt64], episodesDone: [Int]? = nil) {
        precondition(envs.count == Self.lanes && seeds.count == Self.lanes, "one environment and seed per lane")
        self.envs = envs
        self.agent = agent
        environmentStreams = seeds.map { RandomStream(seed: $0, stream: StreamTag.environment) }
        self.episodesDone = episodesDone ?? Array(repeating: 0, count: Self.lanes)
        observations = envs.map { Array(repeating: 0, count: $0.observationCount) }
        nextObservations = observations
        actions = Array(repeating: .discrete(0), count: Self.lanes)
        inEpisode = Array(repeating: false, count: Self.lanes)
        episodeReturn = Array(repeating: 0, count: Self.lanes)
        episodeLength = Array(repeating: 0, count: Self.lanes)
        diagnostics = [0, 0]
        seriesNames = ["episode_return", "episode_length", "td_error_rms", "mean_value"]
        records = Array(repeating: Array(repeating: 0, count: seriesNames.count), count: Self.lanes)
    }

    /// One environment step in every lane; returns the lanes whose episode ended. Until the
    /// next step, such a lane is at an episode boundary: `records[s]` is the episode's record
    /// (as `EpisodicTrial.runUnit` writes it), `hasDiverged(lane:)` tells whether the run has
    /// diverged, and `save(lane:to:)` is its checkpoint.
    public mutating func step() -> LockstepActorCritic.LaneMask {
        var starts = LockstepActorCritic.LaneMask(repeating: false)
        for s in 0..<Self.lanes where !inEpisode[s] {
            var episodeStream = environmentStreams[s].split(UInt64(episodesDone[s]))
            envs[s].reset(seed: episodeStream.next(), observation: &observations[s])
            episodeReturn[s] = 0
            episodeLength[s] = 0
            inEpisode[s] = true
            starts[s] = true
        }
        agent.act(observations, episodeStart: starts, actions: &actions)
        var ended = LockstepActorCritic.LaneMask(repeating: false)
        for s in 0..<Self.lanes {
            let outcome = envs[s].step(actions[s], observation: &nextObservations[s])
            episodeReturn[s] += outcome.reward
            episodeLength[s] += 1
            agent.observe(lane: s, reward: outcome.reward, terminated: outcome.terminated, truncated: outcome.truncated)
            if outcome.terminated || outcome.truncated {
                ended[s] = true
            } else {
                swap(&observations[s], &nextObservations[s])
            }
        }
        stepsTaken += Self.lanes
        agent.completeEpisodes()
        guard any(ended) else { return ended }
        divergedLanes = agent.divergedLanes
        for s in 0..<Self.lanes where ended[s] {
            agent.endEpisode(lane: s, diagnostics: &diagnostics)
            episodesDone[s] += 1
            inEpisode[s] = false
            records[s][0] = episodeReturn[s]
            records[s][1] = Double(episodeLength[s])
            records[s][2] = diagnostics[0]
            records[s][3] = diagnostics[1]
            if !episodeReturn[s].isFinite { divergedLanes[s] = true }
        }
        return ended
    }

    /// Whether lane `s`'s run has diverged (a non-finite return or parameter), as of its
    /// last episode's end (`EpisodicTrial.hasDiverged`).
    public func hasDiverged(lane s: Int) -> Bool { divergedLanes[s] }

    /// Lane `s`'s checkpoint in `EpisodicTrial`'s format (episodes done, then the agent); at
    /// an episode boundary of the lane (after a `step` that ended its episode), it is the checkpoint the
    /// seed's `EpisodicTrial` writes after the same episode.
    public func save(lane s: Int, to archive: inout StateArchive) {
        archive.append(episodesDone[s])
        agent.agent(lane: s).save(to: &archive)
    }
}
