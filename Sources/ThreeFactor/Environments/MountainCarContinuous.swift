/// MountainCarContinuous-v0, matching Gymnasium 1.x
/// `gymnasium/envs/classic_control/continuous_mountain_car.py` under NumPy 2.
///
/// The mountain car with a continuous throttle (Moore 1990): the car must rock back and
/// forth to reach the flag on the right hill, and pays for the energy it spends.
///
/// - Observation (2, float32): position in [-1.2, 0.6], velocity in [-0.07, 0.07].
/// - Actions: Box(1) in [-1, 1], float32. Values outside are clipped for the force (as
///   Gymnasium does), but the energy penalty uses the action as given.
/// - Reward: -0.1 * a^2 every step, plus 100 on the step that reaches the goal.
/// - Start: position uniform in [-0.6, -0.4], velocity 0.
/// - Termination: position >= 0.45 and velocity >= 0.
/// - Truncation: 999 steps (the registered `max_episode_steps` of v0).
/// - Dynamics: velocity += force * 0.0015 - 0.0025 cos(3 position), clipped to ±0.07;
///   position += velocity, clipped to [-1.2, 0.6]; at the left wall a negative velocity
///   becomes 0.
/// - Internal state (`state`/`setState`): [position, velocity].
///
/// Float semantics. Gymnasium stores this environment's state as a float32 array after
/// every step, and under NumPy 2's promotion rules (NEP 50) a float32 scalar combined with
/// a Python float stays float32, the Python float being rounded to float32 first — in
/// arithmetic and in comparisons alike. So a step computes in float32, except that:
/// - the state a reset (or `setState`) creates is float64, so the first step of an episode
///   accumulates velocity and position in float64 (the throttle term is still float32);
/// - a clipped force is the Python float ±1.0, which makes the acceleration float64 before
///   it is added (rounded to float32) to a float32 velocity.
/// The action is taken as float32 (the action space's dtype), as an agent's
/// `action_space`-typed action would be. This file follows those rules step by step, so its
/// states and observations are the reference's bit for bit.
public struct MountainCarContinuous: Environment, Sendable {
    public static let id = "MountainCarContinuous-v0"
    /// Two: position and velocity.
    public let observationCount = 2
    /// Box(1): the throttle in [-1, 1].
    public let actionSpace = ActionSpace.box(low: [-1], high: [1])
    public var maxEpisodeSteps: Int { clock.limit }

    static let minAction: Float = -1.0
    static let maxAction: Float = 1.0
    static let minPosition = -1.2
    static let maxPosition = 0.6
    static let maxSpeed = 0.07
    static let goalPosition = 0.45
    static let power = 0.0015

    var position = 0.0, velocity = 0.0
    /// False right after a reset or `setState` (float64 state), true after a step
    /// (Gymnasium stores `np.array([position, velocity], dtype=np.float32)`).
    var stateIsFloat32 = false
    var clock: EpisodeClock
    var rng: RandomStream

    /// A MountainCarContinuous whose episodes are truncated after `maxEpisodeSteps` steps (999
    /// for v0).
    public init(maxEpisodeSteps: Int = 999) {
        clock = EpisodeClock(limit: maxEpisodeSteps)
        rng = RandomStream(seed: 0)
    }

    /// Draws a start position (reseeding the environment's stream when `seed` is given) and
    /// writes its observation.
    public mutating func reset(seed: UInt64?, observation: inout [Double]) {
        if let seed { rng = RandomStream(seed: seed) }
        position = rng.uniform(-0.6, -0.4)
        velocity = 0
        stateIsFloat32 = false
        clock.restart()
        write(&observation)
    }

    /// Applies the throttle of a continuous action (clipped to [-1, 1] for the force, not for
    /// the energy cost; a discrete action traps) for one step.
    public mutating func step(_ action: Action, observation: inout [Double]) -> StepOutcome {
        guard case .continuous(let v) = action else {
            preconditionFailure("MountainCarContinuous-v0 takes a Box(1) action, got \(action)")
        }
        let a = Float(v[0])
        let terminated = stateIsFloat32 ? stepFromFloat32State(a) : stepFromFloat64State(a)
        stateIsFloat32 = true
        write(&observation)
        var reward = terminated ? 100.0 : 0.0
        reward -= pythonSquare(Double(a)) * 0.1  // math.pow(action[0], 2) * 0.1
        let truncated = clock.tick()
        return StepOutcome(reward: reward, terminated: terminated, truncated: truncated)
    }

    /// `force = min(max(a, -1.0), 1.0)`: the float32 action itself when inside the bounds,
    /// else the Python float bound.
    @inline(__always)
    static func clippedForce(_ a: Float) -> Double? {
        if minAction > a { return -1.0 }
        if a > maxAction { return 1.0 }
        return nil
    }

    /// A step from a float32 state (every step but an episode's first): float32 arithmetic
    /// throughout, unless the force was clipped.
    mutating func stepFromFloat32State(_ a: Float) -> Bool {
        var p = Float(position)
        var v = Float(velocity)
        let slope = 0.0025 * _cos(Double(Float(3) * p))
        if let force = Self.clippedForce(a) {
            v = v + Float(force * Self.power - slope)
        } else {
            v = v + (a * Float(Self.power) - Float(slope))
        }
        if v > Float(Self.maxSpeed) { v = Float(Self.maxSpeed) }
        if v < Float(-Self.maxSpeed) { v = Float(-Self.maxSpeed) }
        p = p + v
        if p > Float(Self.maxPosition) { p = Float(Self.maxPosition) }
        if p < Float(Self.minPosition) { p = Float(Self.minPosition) }
        if p == Float(Self.minPosition) && v < 0 { v = 0 }
        position = Double(p)
        velocity = Double(v)
        return p >= Float(Self.goalPosition) && v >= 0
    }

    /// The first step after a reset: the state is float64; only the throttle term is
    /// float32 (float32 action times a Python float, minus a Python float).
    mutating func stepFromFloat64State(_ a: Float) -> Bool {
        var p = position
        var v = velocity
        let slope = 0.0025 * _cos(3 * p)
        if let force = Self.clippedForce(a) {
            v += force * Self.power - slope
        } else {
            v += Double(a * Float(Self.power) - Float(slope))
        }
        if v > Self.maxSpeed { v = Self.maxSpeed }
        if v < -Self.maxSpeed { v = -Self.maxSpeed }
        p += v
        if p > Self.maxPosition { p = Self.maxPosition }
        if p < Self.minPosition { p = Self.minPosition }
        if p == Self.minPosition && v < 0 { v = 0 }
        let terminated = p >= Self.goalPosition && v >= 0
        position = float32Rounded(p)
        velocity = float32Rounded(v)
        return terminated
    }

    public var state: [Double] { [position, velocity] }

    /// Sets a float64 state, as Gymnasium's `reset` leaves it.
    public mutating func setState(_ state: [Double], observation: inout [Double]) throws {
        guard state.count == 2, state.allSatisfy(\.isFinite) else {
            throw EnvironmentError.invalidState(
                "MountainCarContinuous-v0 state must be 2 finite numbers position,velocity; got \(state.count) values")
        }
        (position, velocity) = (state[0], state[1])
        stateIsFloat32 = false
        clock.restart()
        write(&observation)
    }

    @inline(__always)
    func write(_ observation: inout [Double]) {
        observation[0] = float32Rounded(position)
        observation[1] = float32Rounded(velocity)
    }
}
