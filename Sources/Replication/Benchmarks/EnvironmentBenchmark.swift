import ThreeFactor

/// Environment steps per second, for `make bench`.
public struct EnvironmentBenchmarkResult: Sendable, CustomStringConvertible {
    /// The environment's id.
    public let id: String
    /// Environment steps timed.
    public let steps: Int
    /// Episodes within them (each end of an episode is followed by a reset).
    public let episodes: Int
    /// Wall-clock seconds of the timed steps and resets.
    public let seconds: Double
    /// Steps per second of wall-clock time.
    public var stepsPerSecond: Double { Double(steps) / seconds }

    /// One line: the environment, the steps, the time and the rate.
    public var description: String {
        "\(id): \(steps) steps (\(episodes) episodes) in \(seconds) s = \(Int(stepsPerSecond.rounded())) steps/s"
    }
}

/// The environments' own speed, without a learner: the first block of `make bench`.
public enum EnvironmentBenchmark {
    /// Steps the registered environment `id` (default options) `steps` times with uniformly
    /// random valid actions, resetting whenever an episode ends, and times it on the
    /// monotonic `ContinuousClock`. The actions are drawn from `RandomStream(seed:)` before
    /// the clock starts, so only resets and steps are timed.
    public static func run(_ id: String, steps: Int, seed: UInt64 = 0) throws -> EnvironmentBenchmarkResult {
        precondition(steps > 0, "steps must be positive")
        let env = try EnvReplay.environment(id)
        var rng = RandomStream(seed: seed)
        let actions: [Action] = (0..<steps).map { _ in randomAction(env.actionSpace, &rng) }
        return time(env, id: id, actions: actions, seed: seed)
    }

    /// A uniformly random action of the space (the `random` rule's draw).
    public static func randomAction(_ space: ActionSpace, _ rng: inout RandomStream) -> Action {
        RandomPolicy.draw(space, &rng)
    }

    /// Generic over the concrete environment so that the timed loop calls `step` directly
    /// rather than through an existential.
    static func time<E: Environment>(_ prototype: E, id: String, actions: [Action], seed: UInt64) -> EnvironmentBenchmarkResult {
        var env = prototype
        var observation = Array(repeating: 0.0, count: env.observationCount)
        var episodes = 1
        var checksum = 0.0
        let clock = ContinuousClock()
        let start = clock.now
        env.reset(seed: seed, observation: &observation)
        for action in actions {
            let outcome = env.step(action, observation: &observation)
            checksum += outcome.reward
            if outcome.terminated || outcome.truncated {
                env.reset(seed: nil, observation: &observation)
                episodes += 1
            }
        }
        let elapsed = start.duration(to: clock.now)
        // Keeps the optimiser from discarding the loop.
        if checksum.isNaN { episodes = -episodes }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return EnvironmentBenchmarkResult(id: id, steps: actions.count, episodes: episodes, seconds: seconds)
    }
}
