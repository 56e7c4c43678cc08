import Testing
@testable import ThreeFactor

/// Lockstep seeds give every seed the numbers of its own single-seed run, bit for bit: every
/// record of every episode and the checkpoint after the last one, with each instruction set
/// of the lane kernels this processor supports (AVX-512, AVX2+FMA and the portable path on
/// this project's machines).
@Suite struct LockstepTests {
    static let seeds: [UInt64] = [3, 1, 4, 1_000_001, 5, 9, 2, 6]

    static func agent<Env: Environment>(_ env: Env, seed: UInt64, _ parameters: Hyperparameters) throws -> ActorCriticAgent<MAPPropagation> {
        try ActorCriticAgent<MAPPropagation>(
            parameters: parameters, task: TaskShape(env), stream: RandomStream(seed: seed, stream: StreamTag.agent))
    }

    /// Runs `episodes` episodes of every seed alone and in lockstep; compares every record and
    /// each seed's checkpoint after its last episode.
    static func compare<Env: Environment>(
        _ makeEnv: () -> Env, episodes: Int, _ parameters: Hyperparameters = Hyperparameters(),
        instructionSet: LaneInstructionSet
    ) throws {
        var expectedRecords: [[[Double]]] = []
        var expectedCheckpoints: [StateArchive] = []
        for seed in seeds {
            let env = makeEnv()
            var trial = EpisodicTrial(env: env, agent: try agent(env, seed: seed, parameters), seed: seed)
            var record = Array(repeating: 0.0, count: trial.seriesNames.count)
            var records: [[Double]] = []
            for _ in 0..<episodes {
                trial.runUnit(record: &record)
                records.append(record)
            }
            var archive = StateArchive()
            trial.save(to: &archive)
            expectedRecords.append(records)
            expectedCheckpoints.append(archive)
        }

        let envs = seeds.map { _ in makeEnv() }
        let agents = try seeds.map { try agent(envs[0], seed: $0, parameters) }
        let lockstepAgent = LockstepActorCritic(agents, instructionSet: instructionSet)
        var lockstep = LockstepEpisodicTrial(envs: envs, agent: lockstepAgent, seeds: seeds)
        #expect(lockstep.seriesNames == EpisodicTrial(env: envs[0], agent: agents[0], seed: 0).seriesNames)
        var records = Array(repeating: [[Double]](), count: seeds.count)
        var checkpoints = Array(repeating: StateArchive(), count: seeds.count)
        while records.contains(where: { $0.count < episodes }) {
            let ended = lockstep.step()
            for lane in 0..<seeds.count where ended[lane] && records[lane].count < episodes {
                #expect(!lockstep.hasDiverged(lane: lane))
                records[lane].append(lockstep.records[lane])
                if records[lane].count == episodes { lockstep.save(lane: lane, to: &checkpoints[lane]) }
            }
        }
        for s in 0..<seeds.count {
            for k in 0..<episodes {
                let a = expectedRecords[s][k], b = records[s][k]
                #expect(
                    a.map(\.bitPattern) == b.map(\.bitPattern),
                    "\(instructionSet): seed \(seeds[s]) episode \(k): \(a) alone, \(b) in lockstep")
            }
            let a = expectedCheckpoints[s].words, b = checkpoints[s].words
            let firstDifference = a.count == b.count ? a.indices.first { a[$0] != b[$0] } : min(a.count, b.count)
            #expect(!b.isEmpty && firstDifference == nil, "\(instructionSet): seed \(seeds[s]): checkpoint after episode \(episodes)")
        }
    }

    /// CartPole at the reference settings (softplus units, 64 and 32 hidden, softmax output).
    @Test(arguments: LaneInstructionSet.supported)
    func cartPoleSeedsInLockstepMatchTheirSingleRuns(_ instructionSet: LaneInstructionSet) throws {
        try Self.compare({ CartPole() }, episodes: 12, instructionSet: instructionSet)
    }

    /// Widths that exercise every column pattern of the kernels (16-column blocks, 4-column
    /// blocks, the narrow tail; odd input counts), ReLU units and a reward limit.
    @Test(arguments: LaneInstructionSet.supported)
    func oddWidthsAndReLUMatchTheirSingleRuns(_ instructionSet: LaneInstructionSet) throws {
        let p = Hyperparameters([
            "hidden": .list([.integer(21), .integer(7)]),
            "actor_l_type": .integer(1),
            "reward_lim": .number(0.5),
        ])
        try Self.compare({ Acrobot() }, episodes: 2, p, instructionSet: instructionSet)
    }

    /// Continuous actions: Gaussian output units and the action map.
    @Test(arguments: LaneInstructionSet.supported)
    func continuousActionsMatchTheirSingleRuns(_ instructionSet: LaneInstructionSet) throws {
        let p = Hyperparameters(["hidden": .list([.integer(16), .integer(5)])])
        try Self.compare({ MountainCarContinuous() }, episodes: 1, p, instructionSet: instructionSet)
    }

    /// A checkpoint of a seed's lockstep lane resumes it alone with the same episodes.
    @Test func aLaneReadBackResumesAlone() throws {
        let envs = Self.seeds.map { _ in CartPole() }
        let agents = try Self.seeds.map { try Self.agent(envs[0], seed: $0, Hyperparameters()) }
        var lockstep = LockstepEpisodicTrial(envs: envs, agent: LockstepActorCritic(agents), seeds: Self.seeds)
        var checkpoint: StateArchive?
        while checkpoint == nil {
            if lockstep.step()[2] {
                var a = StateArchive()
                lockstep.save(lane: 2, to: &a)
                checkpoint = a
            }
        }
        let seed = Self.seeds[2]
        var alone = EpisodicTrial(env: CartPole(), agent: try Self.agent(CartPole(), seed: seed, Hyperparameters()), seed: seed)
        var record = Array(repeating: 0.0, count: alone.seriesNames.count)
        alone.runUnit(record: &record)
        var resumed = EpisodicTrial(env: CartPole(), agent: try Self.agent(CartPole(), seed: seed, Hyperparameters()), seed: seed)
        var reader = StateArchive.Reader(checkpoint!)
        try resumed.load(from: &reader)
        var a = record, b = record
        alone.runUnit(record: &a)
        resumed.runUnit(record: &b)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
    }
}
