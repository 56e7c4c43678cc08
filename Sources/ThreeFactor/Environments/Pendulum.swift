/// Pendulum-v1, matching Gymnasium 1.x `gymnasium/envs/classic_control/pendulum.py`
/// under NumPy 2.
///
/// The inverted-pendulum swing-up: a frictionless pendulum starts at a random angle and
/// must be swung up and kept upright with a limited torque.
///
/// - Observation (3, float32): cos θ, sin θ, θ' (θ = 0 is upright), θ' in [-8, 8].
/// - Actions: Box(1) torque in [-2, 2], float32; values outside are clipped (the cost
///   uses the clipped torque).
/// - Reward: -(normalize(θ)^2 + 0.1 θ'^2 + 0.001 u^2), normalize(θ) in [-π, π), computed
///   from the state before the step.
/// - Start: θ uniform in [-π, π], θ' uniform in [-1, 1].
/// - Termination: never.
/// - Truncation: 200 steps (the registered `max_episode_steps` of v1).
/// - Dynamics (g = 10, m = 1, l = 1, dt = 0.05): θ' += (3g/(2l) sin θ + 3/(m l^2) u) dt,
///   clipped to ±8; θ += θ' dt. State float64.
/// - Internal state (`state`/`setState`): [θ, θ'].
///
/// Float semantics: the torque is taken as float32 (the action space's dtype). Under
/// NumPy 2 a float32 scalar times a Python float stays float32, so `3.0 * u` and
/// `0.001 * u**2` are float32 products before they join the float64 sums; this file rounds
/// them the same way, and squares with the C library's `pow` where the reference writes
/// `** 2` (see Numerics/LibraryMath.swift).
public struct Pendulum: Environment, Sendable {
    public static let id = "Pendulum-v1"
    /// Three: cos θ, sin θ, θ'.
    public let observationCount = 3
    /// Box(1): the torque in [-2, 2].
    public let actionSpace = ActionSpace.box(low: [-2], high: [2])
    public var maxEpisodeSteps: Int { clock.limit }

    static let maxSpeed = 8.0
    static let maxTorque: Float = 2.0
    static let dt = 0.05
    static let mass = 1.0
    static let length = 1.0
    let gravity: Double

    var theta = 0.0, thetaDot = 0.0
    var clock: EpisodeClock
    var rng: RandomStream

    /// A pendulum under `gravity` (g, 10 in v1) whose episodes are truncated after
    /// `maxEpisodeSteps` steps (200 for v1).
    public init(gravity: Double = 10.0, maxEpisodeSteps: Int = 200) {
        self.gravity = gravity
        clock = EpisodeClock(limit: maxEpisodeSteps)
        rng = RandomStream(seed: 0)
    }

    /// Draws a start state (reseeding the environment's stream when `seed` is given) and writes
    /// its observation.
    public mutating func reset(seed: UInt64?, observation: inout [Double]) {
        if let seed { rng = RandomStream(seed: seed) }
        theta = rng.uniform(-Double.pi, Double.pi)
        thetaDot = rng.uniform(-1.0, 1.0)
        clock.restart()
        write(&observation)
    }

    /// Applies the torque of a continuous action (clipped to [-2, 2]; a discrete action traps)
    /// for one 0.05 s step; the reward is the cost of the state before the step, negated.
    public mutating func step(_ action: Action, observation: inout [Double]) -> StepOutcome {
        guard case .continuous(let v) = action else {
            preconditionFailure("Pendulum-v1 takes a Box(1) action, got \(action)")
        }
        let u = min(max(Float(v[0]), -Self.maxTorque), Self.maxTorque)
        let normalized = Self.angleNormalize(theta)
        let torqueCost = Float(0.001) * pythonSquare(u)
        let costs = pythonSquare(normalized) + 0.1 * pythonSquare(thetaDot) + Double(torqueCost)
        let torqueTerm = Double(Float(3.0 / (Self.mass * (Self.length * Self.length))) * u)
        var newThetaDot = thetaDot
            + (3 * gravity / (2 * Self.length) * _sin(theta) + torqueTerm) * Self.dt
        newThetaDot = min(max(newThetaDot, -Self.maxSpeed), Self.maxSpeed)
        theta = theta + newThetaDot * Self.dt
        thetaDot = newThetaDot
        write(&observation)
        let truncated = clock.tick()
        return StepOutcome(reward: -costs, terminated: false, truncated: truncated)
    }

    /// Gymnasium's `angle_normalize`: ((x + π) mod 2π) - π with Python's floored modulo.
    @inline(__always)
    static func angleNormalize(_ x: Double) -> Double {
        flooredModulo(x + Double.pi, 2 * Double.pi) - Double.pi
    }

    public var state: [Double] { [theta, thetaDot] }

    public mutating func setState(_ state: [Double], observation: inout [Double]) throws {
        guard state.count == 2, state.allSatisfy(\.isFinite) else {
            throw EnvironmentError.invalidState(
                "Pendulum-v1 state must be 2 finite numbers theta,theta_dot; got \(state.count) values")
        }
        (theta, thetaDot) = (state[0], state[1])
        clock.restart()
        write(&observation)
    }

    @inline(__always)
    func write(_ observation: inout [Double]) {
        observation[0] = float32Rounded(_cos(theta))
        observation[1] = float32Rounded(_sin(theta))
        observation[2] = float32Rounded(thetaDot)
    }
}
