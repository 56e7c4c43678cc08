/// Acrobot-v1, matching Gymnasium 1.x `gymnasium/envs/classic_control/acrobot.py`.
///
/// Two links hang from a fixed pivot; only the joint between them is actuated. The goal is
/// to swing the tip above a line one link length over the pivot (Sutton 1996; dynamics of
/// Sutton & Barto's book, as Gymnasium's default `book_or_nips = "book"`).
///
/// - Observation (6, float32): cos θ1, sin θ1, cos θ2, sin θ2, θ1', θ2' (θ1 is the angle of
///   the first link from hanging straight down, θ2 the second link relative to the first).
/// - Actions: Discrete(3): torque -1, 0, +1 on the middle joint (torque noise 0, as v1).
/// - Reward: -1 per step; 0 on the step that reaches the goal.
/// - Start: θ1, θ2, θ1', θ2' uniform in [-0.1, 0.1], rounded to float32 as Gymnasium's
///   `reset` stores them (`.astype(np.float32)`); from then on the state is float64.
/// - Termination: -cos θ1 - cos(θ2 + θ1) > 1.
/// - Truncation: 500 steps (the registered `max_episode_steps` of v1).
/// - Dynamics: one classical Runge–Kutta step over the time points [0, 0.2] s, evaluated
///   in the same operation order as Gymnasium's `rk4` (so float64 results agree to the
///   last bit); then θ1, θ2 are wrapped into [-π, π] and θ1' clipped to ±4π, θ2' to ±9π.
/// - Internal state (`state`/`setState`): [θ1, θ2, θ1', θ2'].
///
/// The observation of a freshly reset state is computed in float64 and rounded; Gymnasium
/// evaluates `cos`/`sin` of the float32 start state in NumPy's float32 kernels, which are
/// not correctly rounded and could in principle differ by one float32 ulp in that first
/// observation (they agree on all 20 recorded golden episodes; later states are float64
/// in both).
public struct Acrobot: Environment, Sendable {
    public static let id = "Acrobot-v1"
    /// Six: cos θ1, sin θ1, cos θ2, sin θ2, θ1', θ2'.
    public let observationCount = 6
    /// Discrete(3): torque -1, 0, +1 on the middle joint.
    public let actionSpace = ActionSpace.discrete(3)
    public var maxEpisodeSteps: Int { clock.limit }

    static let timeStep = 0.2
    static let linkLength1 = 1.0
    static let linkMass1 = 1.0
    static let linkMass2 = 1.0
    static let linkCenterOfMass1 = 0.5
    static let linkCenterOfMass2 = 0.5
    static let linkMomentOfInertia = 1.0
    static let gravity = 9.8
    static let maxVelocity1 = 4 * Double.pi
    static let maxVelocity2 = 9 * Double.pi
    static let torques: (Double, Double, Double) = (-1.0, 0.0, 1.0)

    var theta1 = 0.0, theta2 = 0.0, dtheta1 = 0.0, dtheta2 = 0.0
    var clock: EpisodeClock
    var rng: RandomStream

    /// An Acrobot whose episodes are truncated after `maxEpisodeSteps` steps (500 for v1).
    public init(maxEpisodeSteps: Int = 500) {
        clock = EpisodeClock(limit: maxEpisodeSteps)
        rng = RandomStream(seed: 0)
    }

    /// Draws a start state (reseeding the environment's stream when `seed` is given) and writes
    /// its observation.
    public mutating func reset(seed: UInt64?, observation: inout [Double]) {
        if let seed { rng = RandomStream(seed: seed) }
        theta1 = float32Rounded(rng.uniform(-0.1, 0.1))
        theta2 = float32Rounded(rng.uniform(-0.1, 0.1))
        dtheta1 = float32Rounded(rng.uniform(-0.1, 0.1))
        dtheta2 = float32Rounded(rng.uniform(-0.1, 0.1))
        clock.restart()
        write(&observation)
    }

    /// Applies the torque of a discrete action in 0..<3 (anything else traps) for one 0.2 s
    /// Runge–Kutta step; reward -1, 0 on the step that reaches the goal.
    public mutating func step(_ action: Action, observation: inout [Double]) -> StepOutcome {
        guard case .discrete(let a) = action, (0...2).contains(a) else {
            preconditionFailure("Acrobot-v1 takes Discrete(3) actions, got \(action)")
        }
        let torque = a == 0 ? Self.torques.0 : (a == 1 ? Self.torques.1 : Self.torques.2)
        let s = Self.rungeKutta4(State4(theta1, theta2, dtheta1, dtheta2), torque: torque)
        theta1 = Self.wrap(s.a)
        theta2 = Self.wrap(s.b)
        dtheta1 = min(max(s.c, -Self.maxVelocity1), Self.maxVelocity1)
        dtheta2 = min(max(s.d, -Self.maxVelocity2), Self.maxVelocity2)
        let terminated = -_cos(theta1) - _cos(theta2 + theta1) > 1.0
        write(&observation)
        let truncated = clock.tick()
        return StepOutcome(reward: terminated ? 0.0 : -1.0, terminated: terminated, truncated: truncated)
    }

    public var state: [Double] { [theta1, theta2, dtheta1, dtheta2] }

    public mutating func setState(_ state: [Double], observation: inout [Double]) throws {
        guard state.count == 4, state.allSatisfy(\.isFinite) else {
            throw EnvironmentError.invalidState(
                "Acrobot-v1 state must be 4 finite numbers theta1,theta2,dtheta1,dtheta2; got \(state.count) values")
        }
        (theta1, theta2, dtheta1, dtheta2) = (state[0], state[1], state[2], state[3])
        clock.restart()
        write(&observation)
    }

    @inline(__always)
    func write(_ observation: inout [Double]) {
        observation[0] = float32Rounded(_cos(theta1))
        observation[1] = float32Rounded(_sin(theta1))
        observation[2] = float32Rounded(_cos(theta2))
        observation[3] = float32Rounded(_sin(theta2))
        observation[4] = float32Rounded(dtheta1)
        observation[5] = float32Rounded(dtheta2)
    }

    // MARK: Dynamics

    /// Four doubles without heap storage: (θ1, θ2, θ1', θ2') or their time derivatives.
    struct State4 {
        var a, b, c, d: Double
        @inline(__always) init(_ a: Double, _ b: Double, _ c: Double, _ d: Double) {
            (self.a, self.b, self.c, self.d) = (a, b, c, d)
        }
    }

    /// Gymnasium's `rk4(derivs, y0, [0, dt])`: `dt = t1 - t0`, `dt2 = dt / 2`, and the
    /// update `y0 + dt / 6.0 * (k1 + 2*k2 + 2*k3 + k4)`, summed left to right. The torque
    /// rides along as a fifth state component whose derivative is 0, so it is constant.
    @inline(__always)
    static func rungeKutta4(_ y: State4, torque: Double) -> State4 {
        let dt = timeStep - 0.0
        let dt2 = dt / 2.0
        let k1 = derivatives(y, torque)
        let k2 = derivatives(State4(y.a + dt2 * k1.a, y.b + dt2 * k1.b, y.c + dt2 * k1.c, y.d + dt2 * k1.d), torque)
        let k3 = derivatives(State4(y.a + dt2 * k2.a, y.b + dt2 * k2.b, y.c + dt2 * k2.c, y.d + dt2 * k2.d), torque)
        let k4 = derivatives(State4(y.a + dt * k3.a, y.b + dt * k3.b, y.c + dt * k3.c, y.d + dt * k3.d), torque)
        let h = dt / 6.0
        return State4(
            y.a + h * (k1.a + 2 * k2.a + 2 * k3.a + k4.a),
            y.b + h * (k1.b + 2 * k2.b + 2 * k3.b + k4.b),
            y.c + h * (k1.c + 2 * k2.c + 2 * k3.c + k4.c),
            y.d + h * (k1.d + 2 * k2.d + 2 * k3.d + k4.d))
    }

    /// The equations of motion of the book version (Sutton & Barto), term by term as in
    /// Gymnasium's `_dsdt` so that every intermediate rounds the same way: squares of
    /// variables through C `pow` as Python's `**` does (Numerics/LibraryMath.swift); squares of
    /// the constants (0.5², 1²) are exact either way.
    @inline(__always)
    static func derivatives(_ s: State4, _ torque: Double) -> State4 {
        let m1 = linkMass1, m2 = linkMass2, l1 = linkLength1
        let lc1 = linkCenterOfMass1, lc2 = linkCenterOfMass2
        let i1 = linkMomentOfInertia, i2 = linkMomentOfInertia
        let g = gravity
        let (theta1, theta2, dtheta1, dtheta2) = (s.a, s.b, s.c, s.d)
        let cosTheta2 = _cos(theta2)
        let sinTheta2 = _sin(theta2)
        let d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cosTheta2) + i1 + i2
        let d2 = m2 * (lc2 * lc2 + l1 * lc2 * cosTheta2) + i2
        let phi2 = m2 * lc2 * g * _cos(theta1 + theta2 - Double.pi / 2.0)
        let phi1 = -m2 * l1 * lc2 * pythonSquare(dtheta2) * sinTheta2
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sinTheta2
            + (m1 * lc1 + m2 * l1) * g * _cos(theta1 - Double.pi / 2)
            + phi2
        let ddtheta2 = (torque + d2 / d1 * phi1 - m2 * l1 * lc2 * pythonSquare(dtheta1) * sinTheta2 - phi2)
            / (m2 * (lc2 * lc2) + i2 - pythonSquare(d2) / d1)
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return State4(dtheta1, dtheta2, ddtheta1, ddtheta2)
    }

    /// Gymnasium's `wrap(x, -π, π)`: add or subtract 2π until x lies in [-π, π] (see
    /// `wrapAngle`: an angle the dynamics blew up no longer hangs the step).
    @inline(__always)
    static func wrap(_ x: Double) -> Double { wrapAngle(x) }
}
