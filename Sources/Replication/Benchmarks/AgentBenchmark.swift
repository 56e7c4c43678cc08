#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ThreeFactor

/// Throughput of a learning rule on an environment: environment steps per second of the
/// whole learning loop (act, environment step, observe, episode resets), single-threaded.
///
/// This is what `make bench` reports. The clocks cover only the loop; building the agent
/// and the environment is excluded. Two rates are reported: per second of wall-clock time
/// and per second of the thread's CPU time. On a machine shared with other work the
/// CPU-time rate is the one that measures the code (the wall-clock rate also counts the
/// time the thread waited for a core).
public enum AgentBenchmark {
    /// One timed loop.
    public struct Result: Sendable, CustomStringConvertible {
        /// The rule's name.
        public var rule: String
        /// The environment's id.
        public var environment: String
        /// Environment steps timed.
        public var steps: Int
        /// Episodes completed within them (the last one may be cut).
        public var episodes: Int
        /// Wall-clock seconds of the loop.
        public var seconds: Double
        /// CPU seconds the benchmarking thread used in the loop.
        public var cpuSeconds: Double
        /// Steps per second of wall-clock time; counts the time the thread waited for a core.
        public var stepsPerSecond: Double { Double(steps) / seconds }
        /// Steps per second of the thread's CPU time: the rate that measures the code on a
        /// shared machine.
        public var stepsPerCPUSecond: Double { Double(steps) / cpuSeconds }

        /// One line: the rule, the environment, the steps and both rates.
        public var description: String {
            func r(_ x: Double) -> Int { Int(x.rounded()) }
            return "\(rule) on \(environment): \(steps) steps (\(episodes) episodes): "
                + "\(r(stepsPerCPUSecond)) steps per CPU second, \(r(stepsPerSecond)) per wall-clock second"
        }
    }

    /// Runs `rule` (with `parameters`, default settings when empty) on environment `env`
    /// for `steps` environment steps from seed `seed` and times the loop.
    public static func run(
        rule: String, env: String, steps: Int, parameters: Hyperparameters = Hyperparameters(),
        environmentOptions: Hyperparameters = Hyperparameters(), seed: UInt64 = 0
    ) throws -> Result {
        let (environment, agent) = try EpisodicTrials.parts(
            TrialSpec(env: env, envOptions: environmentOptions, rule: rule, ruleParameters: parameters, seed: seed))
        let (episodes, seconds, cpuSeconds) = loop(environment, agent, steps: steps, seed: seed)
        return Result(rule: rule, environment: env, steps: steps, episodes: episodes, seconds: seconds, cpuSeconds: cpuSeconds)
    }

    /// The CPU time the calling thread has used, in seconds (`CLOCK_THREAD_CPUTIME_ID`).
    public static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func loop<E: Environment, A: EpisodicAgent>(_ env: E, _ agent: A, steps: Int, seed: UInt64) -> (Int, Double, Double) {
        var env = env, agent = agent
        var observation = Array(repeating: 0.0, count: env.observationCount)
        var next = observation
        var diagnostics = Array(repeating: 0.0, count: agent.diagnosticNames.count)
        var episodeSeeds = RandomStream(seed: seed, stream: StreamTag.environment)
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = threadCPUSeconds()
        var episodes = 0
        var episodeStart = true
        env.reset(seed: episodeSeeds.next(), observation: &observation)
        for _ in 0..<steps {
            let action = agent.act(observation, episodeStart: episodeStart)
            episodeStart = false
            let outcome = env.step(action, observation: &next)
            agent.observe(reward: outcome.reward, nextObservation: next, terminated: outcome.terminated, truncated: outcome.truncated)
            if outcome.terminated || outcome.truncated {
                agent.endEpisode(diagnostics: &diagnostics)
                episodes += 1
                episodeStart = true
                env.reset(seed: episodeSeeds.next(), observation: &observation)
            } else {
                swap(&observation, &next)
            }
        }
        let cpuSeconds = threadCPUSeconds() - cpuStart
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (episodes, seconds, cpuSeconds)
    }
}
