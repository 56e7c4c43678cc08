/// What the three rules of the noise-based reward-modulated learning paper share: the
/// reward signal they learn from, its moving-average baseline, and the policy shape
/// (García Fernández, Ahmad & van Gerven, "Noise-based reward-modulated learning",
/// arXiv:2503.23972; facts from the authors' `training.py`).

/// When the global reward signal arrives.
public enum RewardMode: String, Sendable, CaseIterable {
    /// Delayed reward (CartPole, Acrobot): one update per episode from the undiscounted
    /// return, through an eligibility trace accumulated during the episode.
    case episodic
    /// Immediate reward (Reaching1D): one update per step from that step's reward, no
    /// trace; the baseline restarts with every trial (episode).
    case immediate
}

/// The moving-average reward baseline `Rbar` and the reward prediction error.
///
/// - Episodic: `Rbar` starts at the first episode's return, so the first episode's error
///   is zero and it makes no update; afterwards the RELATIVE error
///   `delta = (R - Rbar) / |R|` scales learning to the size of the return, and
///   `Rbar <- Rbar + rate (R - Rbar)` follows with the large rate 0.66.
///   Guard: `R = 0` would divide by zero (the authors' code gives inf or NaN); here an
///   episode with zero return has `delta = 0` (no update) and still moves the baseline.
///   No CartPole episode and no Acrobot episode can return exactly 0.
/// - Immediate: `delta_t = r_t - rbar` (not divided), `rbar` starts at the first reward
///   of every trial (so the first step of a trial makes no update) and follows
///   `rbar <- rbar + rate (r_t - rbar)`.
public struct RewardBaseline: Sendable, Equatable {
    /// The baseline's learning rate (0.66 in the paper's code).
    public let rate: Double
    /// `Rbar` (or `rbar`); meaningless until `isSet`.
    public private(set) var value = 0.0
    /// False until the first return (episodic) or the first reward of a trial (immediate).
    public private(set) var isSet = false

    public init(rate: Double) { self.rate = rate }

    /// The error for an episode's return `R`, then the baseline update. Returns `nil` for
    /// the very first episode (the baseline is initialised to `R`; no update follows).
    public mutating func relativeError(episodeReturn R: Double) -> Double? {
        guard isSet else {
            value = R
            isSet = true
            return nil
        }
        let delta = R == 0 ? 0 : (R - value) / abs(R)
        value += rate * (R - value)
        return delta
    }

    /// The error for one immediate reward `r`, then the baseline update. Returns `nil` for
    /// the first step after `restart()` (the baseline is initialised to `r`).
    public mutating func error(reward r: Double) -> Double? {
        guard isSet else {
            value = r
            isSet = true
            return nil
        }
        let delta = r - value
        value += rate * (r - value)
        return delta
    }

    /// Forgets the baseline (immediate mode: at the start of every trial).
    public mutating func restart() {
        isSet = false
        value = 0
    }
}

extension RewardBaseline: Checkpointable {
    public func save(to archive: inout StateArchive) {
        archive.append(value)
        archive.append(isSet)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        value = try reader.double()
        isSet = try reader.bool()
    }
}

/// Settings every rule of the paper reads, with the paper's defaults.
struct PolicyRuleSettings: Sendable, Equatable {
    static let keys: Set<String> = ["learning_rate", "hidden_units", "hidden_layers", "baseline_rate", "reward_mode"]

    var learningRate: Double
    var hiddenUnits: Int
    var hiddenLayers: Int
    var baselineRate: Double
    var rewardMode: RewardMode

    init(_ p: Hyperparameters) throws {
        learningRate = try p.double("learning_rate")
        hiddenUnits = try p.int("hidden_units", default: 128)
        hiddenLayers = try p.int("hidden_layers", default: 1)
        baselineRate = try p.double("baseline_rate", default: 0.66)
        let mode = try p.string("reward_mode", default: "episodic", choices: RewardMode.allCases.map(\.rawValue))
        rewardMode = RewardMode(rawValue: mode)!
        guard learningRate.isFinite, learningRate >= 0 else {
            throw ParameterError(key: p.name("learning_rate"), message: "expected a finite number >= 0, found \(learningRate)")
        }
        guard hiddenUnits >= 1 else {
            throw ParameterError(key: p.name("hidden_units"), message: "expected an integer >= 1, found \(hiddenUnits)")
        }
        guard hiddenLayers >= 0 else {
            throw ParameterError(key: p.name("hidden_layers"), message: "expected an integer >= 0, found \(hiddenLayers)")
        }
        guard baselineRate > 0, baselineRate <= 1 else {
            throw ParameterError(key: p.name("baseline_rate"), message: "expected a number in (0, 1], found \(baselineRate)")
        }
    }

    /// The number of actions of a discrete task, or an error for a continuous one.
    static func actionCount(_ task: TaskShape, rule: String) throws -> Int {
        guard case .discrete(let n) = task.actionSpace, n >= 1 else {
            throw ParameterError(key: rule, message: "needs a discrete action space, the task has \(task.actionSpace)")
        }
        return n
    }
}

/// Reads a noise standard deviation that must be positive (the perturbation is divided
/// by its squared norm).
func positiveNoiseStd(_ p: Hyperparameters) throws -> Double {
    let sigma = try p.double("noise_std")
    guard sigma.isFinite, sigma > 0 else {
        throw ParameterError(key: p.name("noise_std"), message: "expected a finite number > 0, found \(sigma)")
    }
    return sigma
}

/// The child streams of an agent's stream: weights, noise and action sampling each draw
/// from their own stream, so that, for one seed, all three rules start from the same
/// weights and a change in how much noise a rule draws does not shift its action draws.
enum AgentStreamTag {
    static let initialWeights: UInt64 = 0
    static let noise: UInt64 = 1
    static let actions: UInt64 = 2
}

/// The global learning signal of the NRL-family rules (NRL, RMHL, BP) and its record for
/// one episode: the moving-average baseline, the episode's return, the last relative error
/// δ = (R − R̄)/|R| (episodic mode) and the RMS of the per-step errors r_t − r̄ (immediate
/// mode). The three rules differ only in what they multiply this signal with.
struct RewardSignal: Sendable, Equatable {
    let mode: RewardMode
    private(set) var baseline: RewardBaseline
    private(set) var episodeReturn = 0.0
    private(set) var lastDelta = 0.0
    private var squaredErrorSum = 0.0
    private var errorCount = 0

    init(mode: RewardMode, baselineRate: Double) {
        self.mode = mode
        baseline = RewardBaseline(rate: baselineRate)
    }

    /// Clears the episode's record; in immediate mode the baseline restarts with the trial.
    mutating func beginEpisode() {
        episodeReturn = 0
        lastDelta = 0
        squaredErrorSum = 0
        errorCount = 0
        if mode == .immediate { baseline.restart() }
    }

    /// Adds a reward to the return; in immediate mode returns r_t − r̄ and updates r̄
    /// (nil on a trial's first step, and always nil in episodic mode).
    mutating func record(reward: Double) -> Double? {
        episodeReturn += reward
        guard mode == .immediate, let error = baseline.error(reward: reward) else { return nil }
        squaredErrorSum += error * error
        errorCount += 1
        return error
    }

    /// At the end of an episode (episodic mode): δ and the baseline update; nil on the first
    /// episode, which only initialises the baseline.
    mutating func episodeError() -> Double? {
        guard let delta = baseline.relativeError(episodeReturn: episodeReturn) else {
            lastDelta = 0
            return nil
        }
        lastDelta = delta
        return delta
    }

    var diagnosticNames: [String] {
        mode == .episodic ? ["rpe", "return_baseline", "weight_norm"] : ["rpe_rms", "weight_norm"]
    }

    func writeDiagnostics(_ diagnostics: inout [Double], weightNorm: Double) {
        switch mode {
        case .episodic:
            diagnostics[0] = lastDelta
            diagnostics[1] = baseline.value
            diagnostics[2] = weightNorm
        case .immediate:
            diagnostics[0] = errorCount > 0 ? (squaredErrorSum / Double(errorCount)).squareRoot() : 0
            diagnostics[1] = weightNorm
        }
    }
}

extension RewardSignal: Checkpointable {
    func save(to archive: inout StateArchive) {
        baseline.save(to: &archive)
        archive.append(episodeReturn)
        archive.append(lastDelta)
        archive.append(squaredErrorSum)
        archive.append(errorCount)
    }

    mutating func load(from reader: inout StateArchive.Reader) throws {
        try baseline.load(from: &reader)
        episodeReturn = try reader.double()
        lastDelta = try reader.double()
        squaredErrorSum = try reader.double()
        errorCount = try reader.int()
    }
}
