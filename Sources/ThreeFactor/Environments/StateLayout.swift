/// Environments that name the components of their internal state (`state` / `setState`),
/// so that tools can say which numbers they expect, e.g. "x, x_dot, theta, theta_dot".
public protocol StateLayoutDescribing {
    /// The names of the internal state's components, in the order of `state`.
    static var stateLayout: [String] { get }
}

extension CartPole: StateLayoutDescribing {
    /// The order of CartPole's `state`.
    public static let stateLayout = ["x", "x_dot", "theta", "theta_dot"]
}

extension Acrobot: StateLayoutDescribing {
    /// The order of Acrobot's `state`.
    public static let stateLayout = ["theta1", "theta2", "dtheta1", "dtheta2"]
}

extension MountainCar: StateLayoutDescribing {
    /// The order of MountainCar's `state`.
    public static let stateLayout = ["position", "velocity"]
}

extension MountainCarContinuous: StateLayoutDescribing {
    /// The order of MountainCarContinuous's `state`.
    public static let stateLayout = ["position", "velocity"]
}

extension Pendulum: StateLayoutDescribing {
    /// The order of Pendulum's `state`.
    public static let stateLayout = ["theta", "theta_dot"]
}

extension Reaching1D: StateLayoutDescribing {
    /// The order of Reaching1D's `state`.
    public static let stateLayout = ["target", "angle"]
}
