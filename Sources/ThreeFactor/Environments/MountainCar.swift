/// MountainCar-v0, matching Gymnasium 1.x `gymnasium/envs/classic_control/mountain_car.py`.
///
/// An under-powered car in a valley (Moore 1990) must rock back and forth to reach the
/// flag on the right hill; the track's height is sin(3x).
///
/// - Observation (2, float32): position in [-1.2, 0.6], velocity in [-0.07, 0.07].
/// - Actions: Discrete(3): 0 accelerates left, 1 does nothing, 2 accelerates right.
/// - Reward: -1 per step, the terminating step included.
/// - Start: position uniform in [-0.6, -0.4], velocity 0.
/// - Termination: position >= 0.5 (and velocity >= 0, the goal velocity of v0).
/// - Truncation: 200 steps (the registered `max_episode_steps` of v0).
/// - Dynamics: velocity += (action - 1) * 0.001 + cos(3 position) * (-0.0025), clipped to
///   ±0.07; position += velocity, clipped to [-1.2, 0.6]; at the left wall a negative
///   velocity becomes 0. Everything in float64 as Gymnasium does, observation rounded to
///   float32.
/// - Internal state (`state`/`setState`): [position, velocity].
public struct MountainCar: Environment, Sendable {
    public static let id = "MountainCar-v0"
    /// Two: position and velocity.
    public let observationCount = 2
    /// Discrete(3): accelerate left, do nothing, accelerate right.
    public let actionSpace = ActionSpace.discrete(3)
    public var maxEpisodeSteps: Int { clock.limit }

    static let minPosition = -1.2
    static let maxPosition = 0.6
    static let maxSpeed = 0.07
    static let goalPosition = 0.5
    static let goalVelocity = 0.0
    static let force = 0.001
    static let gravity = 0.0025

    var position = 0.0, velocity = 0.0
    var clock: EpisodeClock
    var rng: RandomStream

    /// A MountainCar whose episodes are truncated after `maxEpisodeSteps` steps (200 for v0).
    public init(maxEpisodeSteps: Int = 200) {
        clock = EpisodeClock(limit: maxEpisodeSteps)
        rng = RandomStream(seed: 0)
    }

    /// Draws a start position (reseeding the environment's stream when `seed` is given) and
    /// writes its observation.
    public mutating func reset(seed: UInt64?, observation: inout [Double]) {
        if let seed { rng = RandomStream(seed: seed) }
        position = rng.uniform(-0.6, -0.4)
        velocity = 0
        clock.restart()
        write(&observation)
    }

    /// Applies a discrete action in 0..<3 (anything else traps) for one step; reward -1.
    public mutating func step(_ action: Action, observation: inout [Double]) -> StepOutcome {
        guard case .discrete(let a) = action, (0...2).contains(a) else {
            preconditionFailure("MountainCar-v0 takes Discrete(3) actions, got \(action)")
        }
        velocity += Double(a - 1) * Self.force + _cos(3 * position) * (-Self.gravity)
        velocity = min(max(velocity, -Self.maxSpeed), Self.maxSpeed)
        position += velocity
        position = min(max(position, Self.minPosition), Self.maxPosition)
        if position == Self.minPosition && velocity < 0 { velocity = 0 }
        let terminated = position >= Self.goalPosition && velocity >= Self.goalVelocity
        write(&observation)
        let truncated = clock.tick()
        return StepOutcome(reward: -1.0, terminated: terminated, truncated: truncated)
    }

    public var state: [Double] { [position, velocity] }

    public mutating func setState(_ state: [Double], observation: inout [Double]) throws {
        guard state.count == 2, state.allSatisfy(\.isFinite) else {
            throw EnvironmentError.invalidState(
                "MountainCar-v0 state must be 2 finite numbers position,velocity; got \(state.count) values")
        }
        (position, velocity) = (state[0], state[1])
        clock.restart()
        write(&observation)
    }

    @inline(__always)
    func write(_ observation: inout [Double]) {
        observation[0] = float32Rounded(position)
        observation[1] = float32Rounded(velocity)
    }
}
