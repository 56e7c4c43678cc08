/// Environments that name the components of their internal state (`state` / `setState`),
/// so that tools can say which numbers they expect, e.g. "x, x_dot, theta, theta_dot".
public protocol StateLayoutDescribing {
    static var stateLayout: [String] { get }
}

extension CartPole: StateLayoutDescribing {
    public static let stateLayout = ["x", "x_dot", "theta", "theta_dot"]
}

extension Acrobot: StateLayoutDescribing {
    public static let stateLayout = ["theta1", "theta2", "dtheta1", "dtheta2"]
}

extension MountainCar: StateLayoutDescribing {
    public static let stateLayout = ["position", "velocity"]
}

extension MountainCarContinuous: StateLayoutDescribing {
    public static let stateLayout = ["position", "velocity"]
}

extension Pendulum: StateLayoutDescribing {
    public static let stateLayout = ["theta", "theta_dot"]
}

extension Reaching1D: StateLayoutDescribing {
    public static let stateLayout = ["target", "angle"]
}
