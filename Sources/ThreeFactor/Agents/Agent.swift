/// A learner that acts in an episodic environment and learns online from its own
/// experience (the reinforcement-learning loop shared by every rule in the core).
///
/// The runner calls, for every step: `act` with the current observation, then the
/// environment, then `observe` with the outcome. `act` is told when an episode starts, so
/// a rule can clear its traces and skip learning across the episode boundary. How and when
/// a rule learns (every step from a TD error, once per episode from the return) is the
/// rule's own business.
public protocol EpisodicAgent: Checkpointable {
    /// Returns the action for `observation`; `episodeStart` is true for the first observation
    /// of every episode (after a reset).
    mutating func act(_ observation: [Double], episodeStart: Bool) -> Action
    /// The outcome of the last action: its reward, the next observation, and whether the
    /// episode ended by reaching a terminal state (`terminated`) or was cut at the step limit
    /// (`truncated`), which matters for bootstrapping.
    mutating func observe(reward: Double, nextObservation: [Double], terminated: Bool, truncated: Bool)

    /// Names of the per-episode diagnostics this agent reports (e.g. "td_error_rms").
    var diagnosticNames: [String] { get }
    /// Called after the last step of every episode; writes one value per diagnostic name.
    mutating func endEpisode(diagnostics: inout [Double])
    /// True when a parameter has become NaN or infinite: the run is recorded as diverged.
    var hasDiverged: Bool { get }
}

extension EpisodicAgent {
    public var diagnosticNames: [String] { [] }
    public mutating func endEpisode(diagnostics: inout [Double]) {}
}

/// What a rule needs to know about the task to build its networks.
public struct TaskShape: Sendable, Equatable {
    /// The length of the observation vector.
    public var observationCount: Int
    /// The actions the task accepts.
    public var actionSpace: ActionSpace
    /// A shape from its parts.
    public init(observationCount: Int, actionSpace: ActionSpace) {
        self.observationCount = observationCount
        self.actionSpace = actionSpace
    }
    /// The shape of an environment.
    public init(_ env: any Environment) {
        self.init(observationCount: env.observationCount, actionSpace: env.actionSpace)
    }
}
