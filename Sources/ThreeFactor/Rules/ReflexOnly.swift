/// The reflex alone: the baseline of closed-loop learning (Daryanavard & Porr, "Sign and
/// Relevance Learning", arXiv:2110.07292; "Closed-loop deep learning", Neural Computation
/// 32(11), 2020).
///
/// The motor command is the fixed proportional reflex `u = g_reflex * E` and nothing
/// learns. No network is built: the untrained network's output is tiny anyway (its first
/// layer divides its sum by 1000), and leaving it out makes the baseline exactly the reflex
/// the learners have to improve on. The reflex always acts too late — it can only react to
/// an error that is already there — so `|E|` stays well above zero on every curve.
public struct ReflexOnly: ClosedLoopRule {
    /// The reflex-only baseline.
    public init() {}
    public var usesNetwork: Bool { false }

    /// The catalog entry of `reflex-only`: the closed-loop kind, without a network.
    public static let descriptor = RuleDescriptor(
        name: "reflex-only",
        summary: "the fixed proportional reflex u = g E alone; nothing learns (the closed-loop baseline)",
        citation: "Daryanavard & Porr, \"Sign and Relevance Learning\", arXiv:2110.07292; \"Closed-loop deep learning\", Neural Computation 32(11), 2020",
        equations: "Sources/ThreeFactor/Rules/ReflexOnly.swift",
        implementations: [.closedLoop(parameters: [], usesNetwork: false) { _ in ReflexOnly() }])
    /// Learns nothing.
    @inline(__always)
    public mutating func learn(_ network: inout ClosedLoopNetwork, error: Double) {}
}
