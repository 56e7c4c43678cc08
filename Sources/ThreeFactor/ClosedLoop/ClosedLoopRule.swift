/// A learning rule of the closed-loop line follower: it changes the network from the
/// closed-loop error `E` alone, once per control step, before the network's next forward
/// pass (so the activities it sees are those that produced the last action).
///
/// Rules are value types used through generics (`ClosedLoopTrial<Rule>`), so a control
/// step makes no dynamic dispatch.
public protocol ClosedLoopRule: Sendable {
    /// False for the reflex-only baseline: no network is built, filtered or consulted.
    var usesNetwork: Bool { get }
    /// Changes `network` from the closed-loop error `E` of this control step, using the
    /// activities of the network's last forward pass.
    mutating func learn(_ network: inout ClosedLoopNetwork, error: Double)
}

/// A network that steers but does not learn: used to drive a given (initial or learned)
/// network for the before/after pictures.
public struct FrozenNetwork: ClosedLoopRule {
    /// The frozen network's rule.
    public init() {}
    public var usesNetwork: Bool { true }
    @inline(__always)
    public mutating func learn(_ network: inout ClosedLoopNetwork, error: Double) {}
}
