import CBox2D
@testable import ThreeFactor

// Reference values and views of the core's state that only the tests use.

extension UnitFunctions {
    /// sigmoid(u), the same bits as the vectorised path.
    static func sigmoid(_ u: Double) -> Double {
        VectorMath.softplusWithSlope(SIMD4(repeating: u)).slope[0]
    }
}

extension RandomStream {
    /// A standard normal draw by the ziggurat method (see `ZigguratNormal`).
    mutating func zigguratNormal() -> Double {
        while true {
            let bits = next()
            let layer = Int(truncatingIfNeeded: bits & 0xFF)
            let magnitude = bits >> 12
            let position = Double(magnitude) * ZigguratNormal.scale[layer]
            let negative = bits & 0x100 != 0
            if magnitude < ZigguratNormal.accept[layer] { return negative ? -position : position }
            if let x = zigguratEdge(layer: layer, position: position) { return negative ? -x : x }
        }
    }
}

extension ClosedLoopNetwork {
    var neuronCount: Int { sums.count }
}

extension Resonator {
    /// The analytic impulse response `exp(-e n) sin(w (n + 1)) / (sin(w) norm)`.
    func impulseResponse(_ n: Int) -> Double {
        closedLoopExp(-damping * Double(n)) * _sin(angle * Double(n + 1)) / (_sin(angle) * norm)
    }
}

extension LineTrack {
    /// The grey value under `(x, y)`.
    func grey(x: Double, y: Double) -> Double {
        texture.withUnsafeBufferPointer { Self.grey($0, x: x, y: y) }
    }
}

extension PolicyMLP {
    /// Number of units that receive noise (all layers but the input).
    var noisyUnitCount: Int { unitOffset[layerSizes.count] - layerSizes[0] }

    /// The policy's probabilities of a pass (a copy; for tests and tools).
    func probabilities(of pass: Pass) -> [Double] {
        Array(pass.activity[unitOffset[layerCount]..<unitOffset[layerCount + 1]])
    }
}

extension LunarLander {
    /// The version of the linked Box2D, e.g. "2.4.1".
    static var box2DVersion: String {
        let v = Int(cb2_version())
        return "\(v / 10000).\(v / 100 % 100).\(v % 100)"
    }

    /// Angles of the left and right leg joints (relative to their initial tilt), for tests
    /// that compare with Gymnasium's `legs[i].joint.angle`.
    var legJointAngles: (left: Double, right: Double) {
        guard let w = world else { return (0, 0) }
        return (cb2_revolute_joint_angle(w, 0), cb2_revolute_joint_angle(w, 1))
    }

    /// The demonstration controller of Gymnasium (`lunar_lander.heuristic`): a PD rule that
    /// tilts towards the pad (target angle `0.5 x + vx`, clipped to +-0.4 rad) and hovers
    /// at a height proportional to the horizontal offset (`0.55 |x|`); after a leg touches
    /// it only brakes the fall. Discrete: main engine when the hover correction exceeds
    /// both 0.05 and the angle correction, otherwise the side engine that turns the right
    /// way when the angle correction exceeds 0.05. Continuous: throttles
    /// `(20 hover - 1, -20 angle)` clipped to [-1, 1].
    static func heuristicAction(_ s: [Double], continuous: Bool) -> Action {
        let angleTarget = min(max(s[0] * 0.5 + s[2] * 1.0, -0.4), 0.4)
        let hoverTarget = 0.55 * abs(s[0])
        var angleTodo = (angleTarget - s[4]) * 0.5 - s[5] * 1.0
        var hoverTodo = (hoverTarget - s[1]) * 0.5 - s[3] * 0.5
        if s[6] != 0 || s[7] != 0 {
            angleTodo = 0
            hoverTodo = -s[3] * 0.5
        }
        if continuous {
            let main = min(max(hoverTodo * 20 - 1, -1), 1)
            let lateral = min(max(-angleTodo * 20, -1), 1)
            return .continuous(SIMD4(main, lateral, 0, 0))
        }
        if hoverTodo > abs(angleTodo) && hoverTodo > 0.05 { return .discrete(2) }
        if angleTodo < -0.05 { return .discrete(3) }
        if angleTodo > 0.05 { return .discrete(1) }
        return .discrete(0)
    }
}
