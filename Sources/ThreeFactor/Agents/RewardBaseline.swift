/// The reward signal of the policy-gradient family (`PolicyGradientAgent`): when it
/// arrives, and the moving-average baseline it is compared with (García Fernández, Ahmad &
/// van Gerven, "Noise-based reward-modulated learning", arXiv:2503.23972; facts from the
/// authors' `training.py`).

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

    /// An unset baseline with the given learning rate, in (0, 1].
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
    /// Appends the baseline's value and whether it is set.
    public func save(to archive: inout StateArchive) {
        archive.append(value)
        archive.append(isSet)
    }

    /// Restores what `save(to:)` wrote.
    public mutating func load(from reader: inout StateArchive.Reader) throws {
        value = try reader.double()
        isSet = try reader.bool()
    }
}
