/// Sign and Relevance learning (SaR).
///
/// Sama Daryanavard and Bernd Porr, "Sign and Relevance Learning", arXiv:2110.07292
/// (2021–2023), on the closed-loop line follower of their earlier "Closed-loop deep
/// learning" (Neural Computation 32(11):2122–2144, 2020).
///
/// Error back-propagation needs every layer to receive a precisely weighted copy of the
/// error. SaR splits the error into two signals that biology plausibly has:
/// a global neuromodulator that says HOW MUCH to learn — the relevance, here the rectified
/// closed-loop error `R(t) = |E(t)|`, the same for every synapse — and a top-down signal
/// that says only WHICH WAY to learn, `s_j in {-1, 0, +1}` (long-term potentiation or
/// depression). Every synapse `i -> j`, in every layer, changes by
///
///     dw_ji = eta * R(t) * s_j * x_i
///
/// (times the network's `firstLayerScale` in the first layer, see `ClosedLoopNetwork`).
/// In the output layer `s_j = sign(E * f'(h_j))`. In the hidden layers two readings are
/// offered:
///
/// - `.propagatedSign` (rule `sar-sign`, variant (a)): only signs travel down,
///   `s_j = sign((sum_k w_kj s_k) * f'(h_j))` — no layer ever sees an error magnitude.
///   This is the abstract's "propagating only the sign of the plasticity change
///   throughout the whole network".
/// - `.deltaSign` (rule `sar-delta-sign`, variant (b)): the exact back-propagation delta
///   `delta_j` travels down and the synapse uses `s_j = sign(delta_j)`. This is what the
///   authors' library does (CLDL `Neuron::Sign` error method: the raw internal error is
///   propagated, its sign is used for learning).
///
/// Relevance: `.absoluteError` (`R = |E|`, the paper's rectified error, default) or
/// `.unit` (`R = 1`: sign-only updates at a constant rate; the authors' simulator's
/// `significanceLearning` branch, which scales its learning rate by a road-curvature cue
/// instead). With `E = 0` nothing changes in either case.
public struct SignAndRelevance: ClosedLoopRule {
    /// How the hidden layers get their sign `s_j`.
    public enum HiddenSign: String, Sendable, CaseIterable {
        /// Variant (a), rule `sar-sign`: only signs travel down.
        case propagatedSign = "propagated-sign"
        /// Variant (b), rule `sar-delta-sign`: the exact delta travels down, its sign is used.
        case deltaSign = "delta-sign"
    }

    /// What sets how much every synapse learns.
    public enum Relevance: String, Sendable, CaseIterable {
        /// `R = |E|`, the rectified closed-loop error (the paper's relevance).
        case absoluteError = "abs_error"
        /// `R = 1`: sign-only updates at a constant rate.
        case unit = "one"
    }

    /// Eta, the learning rate (`eta`).
    public var learningRate: Double
    /// How the hidden layers get their sign.
    public var hiddenSign: HiddenSign
    /// The relevance.
    public var relevance: Relevance

    /// The rule with learning rate `learningRate`, the hidden layers' sign and the relevance.
    public init(learningRate: Double, hiddenSign: HiddenSign, relevance: Relevance = .absoluteError) {
        self.learningRate = learningRate
        self.hiddenSign = hiddenSign
        self.relevance = relevance
    }

    public var usesNetwork: Bool { true }

    static let citation = "Daryanavard & Porr, \"Sign and Relevance Learning\", arXiv:2110.07292, 2021-2023"

    static func implementation(_ hiddenSign: HiddenSign) -> RuleImplementation {
        .closedLoop(
            parameters: [
                .number("eta", default: 0.1, range: .nonNegative, "learning rate"),
                .string("relevance", default: Relevance.absoluteError.rawValue, choices: Relevance.allCases.map(\.rawValue),
                        "the global relevance R: |E| (abs_error) or 1 (one)"),
            ],
            usesNetwork: true
        ) { p in
            SignAndRelevance(learningRate: try p.double("eta"), hiddenSign: hiddenSign, relevance: try p.choice("relevance", as: Relevance.self))
        }
    }

    /// Variant (a): only signs travel down.
    public static let propagatedSignDescriptor = RuleDescriptor(
        name: "sar-sign",
        summary: "Sign and Relevance learning, variant (a): only the sign of the error travels back; |E| sets the plasticity",
        citation: citation, equations: "Sources/ThreeFactor/Rules/SignAndRelevance.swift (variant a)",
        implementations: [implementation(.propagatedSign)])

    /// Variant (b): the back-propagated delta travels down, its sign is used.
    public static let deltaSignDescriptor = RuleDescriptor(
        name: "sar-delta-sign",
        summary: "Sign and Relevance learning, variant (b): the sign of the back-propagated delta (the authors' CLDL library)",
        citation: citation, equations: "Sources/ThreeFactor/Rules/SignAndRelevance.swift (variant b)",
        implementations: [implementation(.deltaSign)])

    /// `dw_ji = eta * R * s_j * x_i` in every layer (times `firstLayerScale` in the first), on
    /// the last forward pass's activities; nothing when `E = 0`.
    @inline(__always)
    public mutating func learn(_ network: inout ClosedLoopNetwork, error: Double) {
        // With E = 0 every sign is 0: nothing to learn.
        guard error != 0 else { return }
        let relevanceSignal = relevance == .absoluteError ? abs(error) : 1
        switch hiddenSign {
        case .propagatedSign:
            network.propagateSigns(error: error)
        case .deltaSign:
            network.backpropagate(error: error)
            network.signsFromDeltas()
        }
        network.applyUpdate(rate: learningRate * relevanceSignal, using: .signs)
    }
}
