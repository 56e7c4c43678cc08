import AllocationCounter
import Foundation
import Testing
import Replication
import ThreeFactor

/// No allocation inside a step: every pinned experiment of every paper module (so every
/// rule family on every kind of task it runs in a paper) steps without a single heap
/// allocation once warmed up. Counted by the test binary's own malloc, calloc, realloc
/// and aligned allocators (`AllocationCounter`), on the calling thread only: the steps of
/// whole episodes with their learning updates, whole batches, whole blocks of control
/// steps. The first units are excluded, since buffers sized by the first episode may grow
/// once.
@Suite struct AllocationFreeStepTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Each distinct (kind, rule, task, parameters) of the paper modules, with its label.
    static func experiments() throws -> [(label: String, kind: String, spec: TrialSpec)] {
        var seen = Set<String>(), out: [(String, String, TrialSpec)] = []
        for paper in PaperModules.ids(root: root) {
            let file = try PaperExperiments.load(PaperModules.experimentsFile(paper, root: root))
            for e in file.experiments {
                let resolved = e.resolved(profile: "full")
                let spec = resolved.trialSpec(seed: 0)
                let key = "\(e.kind) \(spec.rule) \(spec.env ?? "") \(resolved.configText)"
                guard seen.insert(key).inserted else { continue }
                out.append(("\(paper)/\(e.id)", e.kind, spec))
            }
        }
        return out
    }

    @Test func warmedUpStepsAllocateNothing() throws {
        var allocating: [String] = []
        for (label, kind, spec) in try Self.experiments() {
            if kind == EpisodicTrials.kindName {
                let (env, agent) = try EpisodicTrials.parts(spec)
                let count = Self.episodicStepAllocations(env, agent, seed: spec.seed)
                if count.agent != 0 { allocating.append("\(label): the agent made \(count.agent) allocations in 3 episodes") }
                // Box2D's block allocator takes a chunk from malloc at the first contact of
                // each world, and the world is built anew in every reset (as Gymnasium does,
                // and as the bit-for-bit replay against it needs): at most one per episode.
                let allowed = spec.env?.hasPrefix("LunarLander") == true ? 3 : 0
                if count.environment > allowed {
                    allocating.append("\(label): the environment made \(count.environment) allocations in 3 episodes (allowed \(allowed))")
                }
            } else {
                var trial = try Catalog.makeTrial(kind: kind, spec)
                var record = Array(repeating: 0.0, count: trial.seriesNames.count)
                for _ in 0..<3 { trial.runUnit(record: &record) }
                allocation_counter_start()
                for _ in 0..<3 { trial.runUnit(record: &record) }
                let count = allocation_counter_stop()
                if count != 0 { allocating.append("\(label): \(count) allocations in 3 units") }
            }
        }
        #expect(allocating.isEmpty, "\(allocating.joined(separator: "\n"))")
    }

    /// Allocations in the steps of episodes 4 to 6, by the agent (act, observe, and the
    /// learning update at each episode's end) and by the environment's steps; resets are
    /// not counted.
    static func episodicStepAllocations<E: Environment, A: EpisodicAgent>(
        _ env: E, _ agent: A, seed: UInt64
    ) -> (agent: Int, environment: Int) {
        var env = env, agent = agent
        var observation = Array(repeating: 0.0, count: env.observationCount), next = observation
        var diagnostics = Array(repeating: 0.0, count: agent.diagnosticNames.count)
        var episodeSeeds = RandomStream(seed: seed, stream: StreamTag.environment)
        var byAgent = 0, byEnvironment = 0
        for episode in 0..<6 {
            let counted = episode >= 3
            env.reset(seed: episodeSeeds.next(), observation: &observation)
            var start = true
            while true {
                if counted { allocation_counter_start() }
                let action = agent.act(observation, episodeStart: start)
                if counted { byAgent += allocation_counter_stop(); allocation_counter_start() }
                let outcome = env.step(action, observation: &next)
                if counted { byEnvironment += allocation_counter_stop(); allocation_counter_start() }
                agent.observe(reward: outcome.reward, nextObservation: next, terminated: outcome.terminated, truncated: outcome.truncated)
                if counted { byAgent += allocation_counter_stop() }
                start = false
                if outcome.terminated || outcome.truncated { break }
                swap(&observation, &next)
            }
            if counted { allocation_counter_start() }
            agent.endEpisode(diagnostics: &diagnostics)
            if counted { byAgent += allocation_counter_stop() }
        }
        return (byAgent, byEnvironment)
    }

    /// Eight MAP-propagation seeds in lockstep on CartPole: 2,000 lockstep steps (every
    /// lane's act, environment step, observe, the final learning steps and episode ends)
    /// after 500 of warm-up allocate nothing.
    @Test func lockstepStepsAllocateNothing() throws {
        let seeds = (0..<UInt64(LockstepActorCritic.lanes)).map { $0 + 11 }
        let agents = try seeds.map {
            try ActorCriticAgent<MAPPropagation>(
                parameters: Hyperparameters(), task: TaskShape(CartPole()), stream: RandomStream(seed: $0, stream: StreamTag.agent))
        }
        var trial = LockstepEpisodicTrial(envs: seeds.map { _ in CartPole() }, agent: LockstepActorCritic(agents), seeds: seeds)
        var ended = 0
        for _ in 0..<500 { _ = trial.step() }
        allocation_counter_start()
        for _ in 0..<2_000 {
            let lanes = trial.step()
            for s in 0..<LockstepActorCritic.lanes where lanes[s] { ended += 1 }
        }
        let count = allocation_counter_stop()
        #expect(ended > 8, "the counted steps must include episode ends")
        #expect(count == 0, "\(count) allocations in 2,000 lockstep steps")
    }

    /// The counter counts: an array built on this thread is one allocation or more.
    @Test func theCounterSeesAnAllocation() {
        allocation_counter_start()
        let a = Array(repeating: 1.5, count: 1000)
        let count = allocation_counter_stop()
        #expect(a.count == 1000)
        #expect(count >= 1)
    }
}
