/// Reaching1D-v0 of neurogym (`reaching.py` with the `TrialEnv` loop of `core.py`; the task
/// and loop are unchanged from the gym-based 0.1 that the NRL code used to 2.3; matched bit
/// for bit against neurogym 2.2.0), configured as the NRL paper's code configures it:
/// `dt = 10` ms, timing `{fixation: 0 ms, reach: 3000 ms}`, 16-unit rings.
///
/// The agent moves a point on a circle towards a target direction it is shown, like a
/// monkey reaching in Georgopoulos et al. (Science 1986).
///
/// - Observation (32, float32): units 0..<16 code the target, `cos(θ_i - target)`; units
///   16..<32 code the agent's own angle, `cos(θ_i - angle)`; θ_i = i·2π/16.
/// - Actions: Discrete(3): 0 stays, 1 adds 0.05 rad to the angle, 2 subtracts 0.05 rad
///   (neurogym names them "fixation", "left", "right"); the angle is then taken mod 2π.
/// - Reward, every step, from the angle AFTER the action:
///   `max(1 - circular_distance(angle - target'), -0.1)`, circular distance
///   `min(|d|, 2π - |d|)`. target' is the target as neurogym's ground-truth array holds
///   it: that array has the action space's dtype (int64), so it stores the target
///   truncated to an integer (0...6). The reward therefore peaks at the integer part of
///   the target, not at the target the observation shows. This is the reference's
///   behaviour and the default; `exactTargetReward` rewards distance to the true target
///   instead (a documented deviation, off by default).
/// - Start (a trial): target uniform in [0, 2π), angle π.
/// - Termination: never (neurogym never sets it).
/// - Truncation: after 300 steps, the end of the reach period, where neurogym reports
///   `info["new_trial"]`. One episode here is one trial.
/// - Internal state (`state`/`setState`): [target, angle].
///
/// How the episodic interface maps neurogym's endless trial stream (documented choices):
/// - neurogym starts the next trial inside the step that ends one, so the observation
///   returned by a trial's last step is already the next trial's first observation. Here
///   the last step returns the current trial's continuation (same target, new angle) and
///   the next trial's first observation comes from `reset`, which draws the new target.
///   The agent sees the same sequence of (observation, action, reward) within every trial.
/// - neurogym's `reset()` starts a trial and then takes one step with a random action
///   (its `action_space` seeded with 0), so the first trial of a run has 299 agent steps
///   and may start 0.05 rad away from π. `reset` here starts a clean 300-step trial.
/// - neurogym never reseeds its target generator between trials; here each trial is
///   reset with a seed from the run's environment stream, which only changes which
///   uniform targets are drawn.
///
/// Arithmetic follows the reference: float64 angle and reward, `np.mod` semantics for the
/// wrap (including its rounding up to exactly 2π for tiny negative angles), observations
/// computed in float64 and stored as float32.
public struct Reaching1D: Environment, Sendable {
    public static let id = "Reaching1D-v0"
    /// Units per ring: the observation has one ring for the target and one for the angle.
    public static let ringSize = 16
    /// The angle's change per left or right action, in rad.
    public static let stepSize = 0.05
    /// Steps per trial: the reach period of 3000 ms at dt = 10 ms.
    public static let trialSteps = 300  // reach period 3000 ms / dt 10 ms
    /// 32: the target's ring, then the angle's ring.
    public let observationCount = 2 * ringSize
    /// Discrete(3): stay, add `stepSize` to the angle, subtract it.
    public let actionSpace = ActionSpace.discrete(3)
    public var maxEpisodeSteps: Int { clock.limit }

    static let correctReward = 1.0
    static let failReward = -0.1
    /// Preferred directions of the ring units, `np.arange(0, 2π, 2π/16)`.
    static let preferredAngles: [Double] = (0..<ringSize).map { Double($0) * (2 * Double.pi / Double(ringSize)) }

    /// Reward the distance to the exact target rather than neurogym's integer-truncated one.
    public let exactTargetReward: Bool
    var target = 0.0
    var rewardTarget = 0.0
    var angle = Double.pi
    /// The target half of the observation, fixed for a trial.
    var targetCode: [Double]
    var clock: EpisodeClock
    var rng: RandomStream

    /// The task as the NRL code configures it; `exactTargetReward` rewards the distance to the
    /// true target instead of neurogym's truncated one.
    public init(exactTargetReward: Bool = false) {
        self.exactTargetReward = exactTargetReward
        targetCode = Array(repeating: 0, count: Self.ringSize)
        clock = EpisodeClock(limit: Self.trialSteps)
        rng = RandomStream(seed: 0)
    }

    /// Starts a trial: draws a target (reseeding the environment's stream when `seed` is
    /// given), puts the angle at π and writes the observation.
    public mutating func reset(seed: UInt64?, observation: inout [Double]) {
        if let seed { rng = RandomStream(seed: seed) }
        startTrial(target: rng.uniform(0, 2 * Double.pi), angle: Double.pi)
        write(&observation)
    }

    /// Moves the angle by a discrete action in 0..<3 (anything else traps) and rewards the new
    /// angle's closeness to the target.
    public mutating func step(_ action: Action, observation: inout [Double]) -> StepOutcome {
        guard case .discrete(let a) = action, (0...2).contains(a) else {
            preconditionFailure("Reaching1D-v0 takes Discrete(3) actions, got \(action)")
        }
        if a == 1 {
            angle += Self.stepSize
        } else if a == 2 {
            angle -= Self.stepSize
        }
        angle = flooredModulo(angle, 2 * Double.pi)
        let d = abs(angle - rewardTarget)
        let distance = min(d, 2 * Double.pi - d)
        let reward = max(Self.correctReward - distance, Self.failReward)
        write(&observation)
        let truncated = clock.tick()
        return StepOutcome(reward: reward, terminated: false, truncated: truncated)
    }

    public var state: [Double] { [target, angle] }

    /// Starts a trial with the given target and angle (the angle need not be π).
    public mutating func setState(_ state: [Double], observation: inout [Double]) throws {
        guard state.count == 2, state.allSatisfy(\.isFinite) else {
            throw EnvironmentError.invalidState(
                "Reaching1D-v0 state must be 2 finite numbers target,angle; got \(state.count) values")
        }
        guard state[0] >= 0, state[0] < 2 * Double.pi else {
            throw EnvironmentError.invalidState(
                "Reaching1D-v0 target must lie in [0, 2π); got \(state[0])")
        }
        startTrial(target: state[0], angle: state[1])
        write(&observation)
    }

    mutating func startTrial(target: Double, angle: Double) {
        self.target = target
        rewardTarget = exactTargetReward ? target : target.rounded(.towardZero)
        self.angle = angle
        for i in 0..<Self.ringSize {
            targetCode[i] = float32Rounded(_cos(Self.preferredAngles[i] - target))
        }
        clock.restart()
    }

    @inline(__always)
    func write(_ observation: inout [Double]) {
        for i in 0..<Self.ringSize {
            observation[i] = targetCode[i]
            observation[Self.ringSize + i] = float32Rounded(_cos(Self.preferredAngles[i] - angle))
        }
    }
}
