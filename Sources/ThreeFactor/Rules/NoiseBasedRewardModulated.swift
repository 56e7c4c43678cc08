/// Noise-based reward-modulated learning (NRL).
///
/// García Fernández, Ahmad & van Gerven, "Noise-based reward-modulated learning",
/// arXiv:2503.23972 (v3, 2025, names the method NRL); equations and constants as in the
/// authors' code (github.com/jesusgf96/noise-based-reward-modulated-learning,
/// `training.py`, algorithm "ours").
///
/// The policy is a `PolicyMLP`. Every step runs the same weights twice: a clean pass, from
/// which the action is sampled, and a noisy pass with `xi_l ~ N(0, sigma^2 I)` added to
/// every layer's pre-activation. Their log-probability difference for the action taken,
///
///     D_t = log pi_noisy(a_t | s_t) - log pi_clean(a_t | s_t),
///
/// is a directional derivative of the log-policy along the noise, so
/// `D_t * xi / ||xi||^2` is, in expectation, the gradient of `log pi(a_t | s_t)` with
/// respect to the pre-activations divided by the number of noisy units — estimated
/// without backpropagation, from quantities local to each layer plus one global scalar.
///
/// Delayed reward (`reward_mode = "episodic"`, CartPole and Acrobot):
///
///     E_l <- gamma_e E_l + D_t (xi_l / ||xi||^2) (outer) x~_{l-1}      every step
///     delta = (R - Rbar) / |R|,   W_l <- W_l + eta [n_l] delta E_l     at the episode's end
///     Rbar <- Rbar + 0.66 (R - Rbar)
///
/// with `||xi||^2` the squared norm of ALL layers' noise together, `x~_{l-1}` the noisy
/// pass's presynaptic activity (the observation for `l = 1`), `gamma_e = 1` (no decay),
/// traces cleared at every episode start, `R` the undiscounted return and `Rbar`
/// initialised to the first return (see `RewardBaseline`). The factor `n_l` (the width of
/// layer `l`'s output) is in the authors' latest code and absent from the earlier one:
/// `output_width_factor` selects it; it defaults to `true` here (latest code) and the
/// experiment files pin it explicitly.
///
/// Immediate reward (`reward_mode = "immediate"`, Reaching1D), every step, no trace:
///
///     W_l <- W_l + eta (r_t - rbar) D_t (xi_l / ||xi_l||^2) (outer) x_{l-1},
///     rbar <- rbar + 0.66 (r_t - rbar)
///
/// with the PER-LAYER noise norm and the CLEAN pass's presynaptic activity; `rbar`
/// restarts at every trial, so a trial's first step makes no update. The width factor
/// defaults to `false` here (commented out in the authors' code for this task).
///
/// Continuous actions (`PolicyGradientAgent` on a Box task; Williams 1992's Gaussian unit,
/// see `PolicyMLP.Head.gaussian`): the clean pass's output is the mean `mu`, the action
/// `u = mu + sigma_a z` is drawn from the agent's action stream, and the noisy pass moves
/// the mean to `mu~ = mu + (propagated noise) + xi_L`; then
///
///     D_t = log N(u; mu~, sigma_a^2 I) - log N(u; mu, sigma_a^2 I)
///         = (mu~ - mu) . (2 u - mu~ - mu) / (2 sigma_a^2),
///
/// for which the same argument gives `E[D_t xi / ||xi||^2] ~ (d log pi(u) / d a) / N` with
/// `d log pi / d mu = (u - mu) / sigma_a^2`. Numerical hazards: `D_t` is of order
/// `|mu~ - mu| |z| / sigma_a`, so a small `action_std` makes `D_t` and the update large
/// (its size grows as `1 / sigma_a`, its variance as `1 / sigma_a^2`); and the estimate is
/// first order in `sigma / sigma_a` (the quadratic term `-||mu~ - mu||^2 / (2 sigma_a^2)`
/// of `D_t` averages out only by the noise's symmetry), so `noise_std` should stay well
/// below `action_std`.
///
/// Option `noise_readable = false`: for hardware where the injected noise cannot be read,
/// `xi_l` is replaced by the difference of the noisy and clean pre-activations
/// `a~_l - a_l` (which for deeper layers also carries the noise propagated from below),
/// normalised the same way. `noise_normalisation` ("network" / "layer") overrides the
/// mode's default norm.
///
/// The loop (baseline, traces, updates) is `PolicyGradientAgent`'s; this estimator supplies
/// the postsynaptic factor `xi_l / ||xi||^2` and the step's factor `D_t`.
public struct NoiseBasedRewardModulated: PolicyGradientEstimator {
    /// Which norm divides the perturbation (`noise_normalisation`).
    public enum NoiseNormalisation: String, Sendable, CaseIterable {
        /// `xi_l / ||xi||^2` with the norm over all layers (gym tasks).
        case network
        /// `xi_l / ||xi_l||^2` with each layer's own norm (Reaching1D).
        case layer
    }

    /// The catalog entry of `nrl`: the episodic kind, discrete actions.
    public static let descriptor = PolicyGradientAgent<Self>.descriptor(
        name: "nrl",
        summary: "noise-based reward-modulated learning: node perturbation with eligibility traces and a reward-prediction error",
        citation: "García Fernández, Ahmad & van Gerven, \"Noise-based reward-modulated learning\", arXiv:2503.23972, 2025",
        equations: "Sources/ThreeFactor/Rules/NoiseBasedRewardModulated.swift and Agents/PolicyGradientAgent.swift; the paper's Eqs. for NRL")

    public static var parameters: [ParameterSpec] {
        [
            .perturbationNoise,
            .traceDecay,
            .derived(
                "noise_normalisation", .string(choices: NoiseNormalisation.allCases.map(\.rawValue)),
                default: "network (episodic), layer (immediate)", "norm dividing the perturbation: all layers' or each layer's own"),
            .derived("output_width_factor", .boolean, default: "true (episodic), false (immediate)", "scale layer l's update by its width n_l"),
            .boolean("noise_readable", default: true, "false: use a~_l - a_l for the noise (hardware whose noise cannot be read)"),
        ]
    }

    public static var stepFactorVaries: Bool { true }

    /// Standard deviation σ of the injected noise (`noise_std`).
    public let noiseStd: Double
    public let traceDecay: Double
    /// The norm that divides the perturbation.
    public let normalisation: NoiseNormalisation
    /// Whether layer `l`'s update is scaled by its width `n_l` (`output_width_factor`).
    public let outputWidthFactor: Bool
    /// Whether the injected noise can be read (`noise_readable`); when not, the difference of
    /// the noisy and clean pre-activations stands in for it.
    public let noiseReadable: Bool
    /// `n_l` per layer when the width factor is on, else 1.
    public let updateLayerScale: [Double]
    /// The step's normalised perturbation `xi_l / ||xi||^2` (pass layout).
    public private(set) var postsynaptic: [Double]
    var noiseStream: RandomStream

    public var tracePresynaptic: PolicyMLP.PassKind { .noisy }
    /// The clean pass: the immediate update uses the clean network's activity.
    public var immediatePresynaptic: PolicyMLP.PassKind { .clean }

    public init(_ p: ParameterValues, network: PolicyMLP, rewardMode: RewardMode, stream: RandomStream) throws {
        noiseStd = try p.double("noise_std")
        traceDecay = try p.double("trace_decay")
        normalisation = try p.choice(
            "noise_normalisation", as: NoiseNormalisation.self, derived: rewardMode == .episodic ? .network : .layer)
        outputWidthFactor = try p.bool("output_width_factor", derived: rewardMode == .episodic)
        noiseReadable = try p.bool("noise_readable")
        let sizes = network.layerSizes, widthFactor = outputWidthFactor
        updateLayerScale = (1..<sizes.count).map { widthFactor ? Double(sizes[$0]) : 1 }
        postsynaptic = Array(repeating: 0, count: network.clean.noise.count)
        noiseStream = stream.split(PolicyStreamTag.noise)
    }

    /// A clean pass (which acts) and a noisy pass; `D_t`, the log-probability difference of
    /// the action taken, is the step's factor.
    public mutating func step(_ network: inout PolicyMLP, observation: [Double], actions: inout RandomStream) -> (action: Action, factor: Double) {
        network.forwardClean(observation)
        let action = network.sample(from: network.clean, using: &actions)
        network.forwardNoisy(observation, sigma: noiseStd, noiseSource: &noiseStream)
        return (action, perturbation(network, action: action))
    }

    /// After both passes: `D_t` for the action taken (discrete, or the unclipped Gaussian
    /// sample), and the normalised perturbation.
    public mutating func perturbation(_ network: PolicyMLP, action: Action) -> Double {
        let directionalDerivative = network.logProbabilityDifference(action, network.noisy, minus: network.clean)
        normalisePerturbation(network)
        return directionalDerivative
    }

    /// `xi_l / ||xi||^2` (network norm) or `xi_l / ||xi_l||^2` (layer norm) into
    /// `postsynaptic`; with `noise_readable = false`, `a~_l - a_l` stands for `xi_l`.
    mutating func normalisePerturbation(_ network: PolicyMLP) {
        let sizes = network.layerSizes, offsets = network.unitOffset
        let first = offsets[1], end = offsets[sizes.count]
        let readable = noiseReadable
        network.noisy.noise.withUnsafeBufferPointer { xi in
        network.noisy.preActivation.withUnsafeBufferPointer { noisyPre in
        network.clean.preActivation.withUnsafeBufferPointer { cleanPre in
        postsynaptic.withUnsafeMutableBufferPointer { u in
            for i in first..<end { u[i] = readable ? xi[i] : noisyPre[i] - cleanPre[i] }
            switch normalisation {
            case .network:
                var s = 0.0
                for i in first..<end { s += u[i] * u[i] }
                let inv = 1 / s
                for i in first..<end { u[i] *= inv }
            case .layer:
                for l in 1..<sizes.count {
                    var s = 0.0
                    for i in offsets[l]..<offsets[l + 1] { s += u[i] * u[i] }
                    let inv = 1 / s
                    for i in offsets[l]..<offsets[l + 1] { u[i] *= inv }
                }
            }
        }}}}
    }

    public func save(to archive: inout StateArchive) {
        archive.append(postsynaptic)
        noiseStream.save(to: &archive)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try reader.doubles(into: &postsynaptic)
        try noiseStream.load(from: &reader)
    }
}
