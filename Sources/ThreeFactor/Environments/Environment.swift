/// What an agent may do in an environment.
public enum ActionSpace: Equatable, Sendable, CustomStringConvertible {
    /// Actions `0..<n`.
    case discrete(Int)
    /// Real vectors with per-dimension bounds (at most 4 dimensions, see `Action`).
    case box(low: [Double], high: [Double])

    /// Discrete or continuous, whatever the size.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `discrete` for `ActionSpace.discrete`, `continuous` for `ActionSpace.box`.
        case discrete, continuous
    }

    /// Whether the space is discrete or continuous; what a rule's catalog entry declares it can
    /// act on.
    public var kind: Kind {
        switch self {
        case .discrete: .discrete
        case .box: .continuous
        }
    }

    /// Gymnasium's notation, e.g. "Discrete(2)" or "Box(low: [-1.0], high: [1.0])".
    public var description: String {
        switch self {
        case .discrete(let n): "Discrete(\(n))"
        case .box(let low, let high): "Box(low: \(low), high: \(high))"
        }
    }
}

/// One action. Continuous actions live in a fixed-size vector so that a step allocates
/// nothing; only the first `dimension` lanes of the action space are read.
public enum Action: Equatable, Sendable {
    /// An action `0..<n` of a discrete space.
    case discrete(Int)
    /// A real vector of a box space; lanes past the space's dimension are ignored.
    case continuous(SIMD4<Double>)
}

/// What one environment step reports besides the next observation.
public struct StepOutcome: Equatable, Sendable {
    /// The reward of the step.
    public var reward: Double
    /// The episode reached a terminal state of the task (the MDP ends).
    public var terminated: Bool
    /// The episode was cut by the time limit (the MDP did not end).
    public var truncated: Bool

    /// An outcome from its parts.
    public init(reward: Double, terminated: Bool, truncated: Bool) {
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
    }
}

/// An environment refused an action, a state or a request (e.g. from `setState` or
/// `validate(_:)`); its `description` is the one-line message for the user.
public enum EnvironmentError: Error, CustomStringConvertible, Equatable {
    /// The action does not fit the action space (the text says what was expected).
    case invalidAction(String)
    /// The state given to `setState` does not fit the environment's state layout.
    case invalidState(String)
    /// The environment does not offer the operation.
    case unsupported(String)

    /// The one-line message for the user.
    public var description: String {
        switch self {
        case .invalidAction(let s), .invalidState(let s), .unsupported(let s): s
        }
    }
}

/// A task, in the Gymnasium sense: `reset` samples a start state, `step` advances it.
///
/// Conventions shared by every environment in the core:
/// - Observations are written into a caller-owned buffer of `observationCount` values so
///   that stepping allocates nothing.
/// - An environment owns its random stream; `reset(seed:)` reseeds it, `reset(seed: nil)`
///   continues it, as `gymnasium.Env.reset(seed=...)` does.
/// - The time limit of the registered Gymnasium id is applied by the environment itself
///   and reported as `truncated`.
/// - `state` / `setState` expose the internal state listed in the file header, so golden
///   trajectories recorded from the reference simulator can be replayed from the same
///   state.
public protocol Environment {
    /// The registered id this file matches, e.g. "CartPole-v1".
    static var id: String { get }
    /// The length of the observation vector written by `reset` and `step`.
    var observationCount: Int { get }
    /// The actions `step` accepts.
    var actionSpace: ActionSpace { get }
    /// Steps after which an episode is truncated.
    var maxEpisodeSteps: Int { get }

    /// Starts an episode and writes its first observation. A `seed` reseeds the environment's
    /// stream; nil continues it.
    mutating func reset(seed: UInt64?, observation: inout [Double])
    /// Advances one step with `action`, writes the next observation and returns its reward and
    /// whether the episode ended. An action outside the action space is a programming error
    /// (the environment traps); tools check with `validate(_:)` first.
    mutating func step(_ action: Action, observation: inout [Double]) -> StepOutcome

    /// The internal state (see the file header for its layout).
    var state: [Double] { get }
    /// Sets the internal state, as after a reset; the episode clock restarts.
    mutating func setState(_ state: [Double], observation: inout [Double]) throws
}

extension Environment {
    /// Checks an action against the action space; the environments trap on invalid
    /// actions in `step`, tools call this first to report them.
    public func validate(_ action: Action) throws {
        switch (actionSpace, action) {
        case (.discrete(let n), .discrete(let a)):
            guard (0..<n).contains(a) else {
                throw EnvironmentError.invalidAction("action \(a) is outside Discrete(\(n)): expected an integer in 0...\(n - 1)")
            }
        case (.box(let low, let high), .continuous(let v)):
            // Gymnasium's continuous tasks clip out-of-range actions themselves; only
            // non-finite components are invalid.
            for i in 0..<low.count where !v[i].isFinite {
                throw EnvironmentError.invalidAction(
                    "action component \(i) = \(v[i]) is not finite: expected a real in [\(low[i]), \(high[i])]")
            }
        case (.discrete(let n), .continuous):
            throw EnvironmentError.invalidAction("expected a discrete action in 0...\(n - 1), got a real vector")
        case (.box(let low, _), .discrete):
            throw EnvironmentError.invalidAction("expected \(low.count) comma-separated reals, got an integer")
        }
    }
}

/// Counts steps and reports truncation at the registered limit (Gymnasium's TimeLimit).
public struct EpisodeClock: Sendable {
    /// The number of steps after which an episode is truncated.
    public let limit: Int
    /// Steps taken since the last restart.
    public private(set) var elapsed = 0
    /// A clock that truncates after `limit` steps.
    public init(limit: Int) { self.limit = limit }
    /// Starts a new episode's count.
    public mutating func restart() { elapsed = 0 }
    /// Advances one step; true when this step reaches the limit.
    @inline(__always)
    public mutating func tick() -> Bool {
        elapsed += 1
        return elapsed >= limit
    }
}

/// Observations in Gymnasium are float32 arrays; the core stores them as Double after
/// rounding to float32 so that agents see exactly the values the reference simulator gives.
@inline(__always)
public func float32Rounded(_ x: Double) -> Double { Double(Float(x)) }

/// An angle brought into [-π, π] the way the reference simulators do it, by adding or
/// subtracting 2π until it lies there (bit for bit their result). An angle more than 2^20
/// turns out is first reduced by one exact remainder: their loop would run for ages on such an
/// angle, and forever on an infinite one, which becomes NaN (found by fuzzing
/// `env replay --state`: a state that the dynamics blow up hung the replay).
@inline(__always)
func wrapAngle(_ x: Double) -> Double {
    let period = 2 * Double.pi
    var x = x.magnitude <= 1_048_576 * period ? x : x.truncatingRemainder(dividingBy: period)
    while x > Double.pi { x -= period }
    while x < -Double.pi { x += period }
    return x
}
