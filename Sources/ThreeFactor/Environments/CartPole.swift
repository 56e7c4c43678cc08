/// CartPole-v1, matching Gymnasium 1.x `gymnasium/envs/classic_control/cartpole.py`.
///
/// A pole is attached by an unactuated joint to a cart moving on a frictionless track
/// (Barto, Sutton & Anderson 1983).
///
/// - Observation (4, float32): cart position in [-4.8, 4.8], cart velocity, pole angle in
///   [-0.418, 0.418] rad, pole angular velocity.
/// - Actions: Discrete(2): 0 pushes the cart left, 1 pushes it right (force 10 N).
/// - Reward: +1 for every step taken, the terminating step included.
/// - Start: all four state variables uniform in [-0.05, 0.05].
/// - Termination: |pole angle| > 12° (0.2095 rad) or |cart position| > 2.4.
/// - Truncation: 500 steps (the registered `max_episode_steps` of v1).
/// - Dynamics: explicit Euler with tau = 0.02 s (Gymnasium's default "euler" integrator);
///   the state is kept in float64 as Gymnasium does, the observation rounded to float32.
/// - Internal state (`state`/`setState`): [x, x_dot, theta, theta_dot].
public struct CartPole: Environment, Sendable {
    public static let id = "CartPole-v1"
    /// Four: cart position, cart velocity, pole angle, pole angular velocity.
    public let observationCount = 4
    /// Discrete(2): push left, push right.
    public let actionSpace = ActionSpace.discrete(2)
    public var maxEpisodeSteps: Int { clock.limit }

    static let gravity = 9.8
    static let massCart = 1.0
    static let massPole = 0.1
    static let totalMass = massPole + massCart
    static let length = 0.5  // half the pole's length
    static let poleMassLength = massPole * length
    static let forceMagnitude = 10.0
    static let tau = 0.02
    static let thetaThreshold = 12 * 2 * Double.pi / 360
    static let xThreshold = 2.4

    var x = 0.0, xDot = 0.0, theta = 0.0, thetaDot = 0.0
    var clock: EpisodeClock
    var rng: RandomStream

    /// A CartPole whose episodes are truncated after `maxEpisodeSteps` steps (500 for v1).
    public init(maxEpisodeSteps: Int = 500) {
        clock = EpisodeClock(limit: maxEpisodeSteps)
        rng = RandomStream(seed: 0)
    }

    /// Draws a start state (reseeding the environment's stream when `seed` is given) and writes
    /// its observation.
    public mutating func reset(seed: UInt64?, observation: inout [Double]) {
        if let seed { rng = RandomStream(seed: seed) }
        x = rng.uniform(-0.05, 0.05)
        xDot = rng.uniform(-0.05, 0.05)
        theta = rng.uniform(-0.05, 0.05)
        thetaDot = rng.uniform(-0.05, 0.05)
        clock.restart()
        write(&observation)
    }

    /// Pushes the cart with a discrete action in 0..<2 (anything else traps) for one 0.02 s
    /// Euler step; reward +1.
    public mutating func step(_ action: Action, observation: inout [Double]) -> StepOutcome {
        guard case .discrete(let a) = action, a == 0 || a == 1 else {
            preconditionFailure("CartPole-v1 takes Discrete(2) actions, got \(action)")
        }
        let force = a == 1 ? Self.forceMagnitude : -Self.forceMagnitude
        // Squares are grouped as Gymnasium's `np.square` groups them, so that every
        // intermediate rounds as in the reference (checked by the golden trajectories).
        let cosTheta = _cos(theta)
        let sinTheta = _sin(theta)
        let temp = (force + Self.poleMassLength * (thetaDot * thetaDot) * sinTheta) / Self.totalMass
        let thetaAcc = (Self.gravity * sinTheta - cosTheta * temp)
            / (Self.length * (4.0 / 3.0 - Self.massPole * (cosTheta * cosTheta) / Self.totalMass))
        let xAcc = temp - Self.poleMassLength * thetaAcc * cosTheta / Self.totalMass
        x = x + Self.tau * xDot
        xDot = xDot + Self.tau * xAcc
        theta = theta + Self.tau * thetaDot
        thetaDot = thetaDot + Self.tau * thetaAcc
        write(&observation)
        let terminated = x < -Self.xThreshold || x > Self.xThreshold
            || theta < -Self.thetaThreshold || theta > Self.thetaThreshold
        let truncated = clock.tick()
        return StepOutcome(reward: 1.0, terminated: terminated, truncated: truncated)
    }

    public var state: [Double] { [x, xDot, theta, thetaDot] }

    public mutating func setState(_ state: [Double], observation: inout [Double]) throws {
        guard state.count == 4, state.allSatisfy(\.isFinite) else {
            throw EnvironmentError.invalidState(
                "CartPole-v1 state must be 4 finite numbers x,x_dot,theta,theta_dot; got \(state.count) values")
        }
        (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
        clock.restart()
        write(&observation)
    }

    @inline(__always)
    func write(_ observation: inout [Double]) {
        observation[0] = float32Rounded(x)
        observation[1] = float32Rounded(xDot)
        observation[2] = float32Rounded(theta)
        observation[3] = float32Rounded(thetaDot)
    }
}
