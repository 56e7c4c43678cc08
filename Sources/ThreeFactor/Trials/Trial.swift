/// One seed's whole run of an experiment, advanced one logged unit at a time.
///
/// A unit is what a paper's curve has one point for: an episode for the reinforcement-
/// learning tasks, a batch for the supervised-style tasks, a block of control steps for a
/// closed-loop robot. After every unit the replication layer appends the unit's record to
/// the run log and, at these boundaries only, may checkpoint the trial; so a trial must be
/// able to save and restore everything it will need to continue bit for bit.
public protocol Trial: Checkpointable {
    /// Names of the scalars logged per unit, e.g. ["episode_return", "episode_length"].
    var seriesNames: [String] { get }
    /// Runs one unit and writes one value per series name into `record`.
    mutating func runUnit(record: inout [Double])
    /// True once a parameter or a logged value has become NaN or infinite.
    var hasDiverged: Bool { get }
    /// Environment steps (or samples) taken so far, for throughput measurements; nil when
    /// the trial does not count them.
    var stepsTaken: Int? { get }
}

extension Trial {
    public var stepsTaken: Int? { nil }
}

/// Everything a trial factory receives: the experiment's settings and the run's seed.
public struct TrialSpec: Sendable {
    /// The task's id, nil when the kind has only one task (the catalog then fills it in).
    public var env: String?
    /// The environment's options (`env_options`).
    public var envOptions: Hyperparameters
    /// The rule's name.
    public var rule: String
    /// The rule's hyperparameters (`params`).
    public var ruleParameters: Hyperparameters
    /// The seed of this run; every stream of the run derives from it.
    public var seed: UInt64
    /// A spec from its parts.
    public init(env: String?, envOptions: Hyperparameters, rule: String, ruleParameters: Hyperparameters, seed: UInt64) {
        self.env = env
        self.envOptions = envOptions
        self.rule = rule
        self.ruleParameters = ruleParameters
        self.seed = seed
    }
}

/// Stream tags, so that every part of a run draws from its own stream of the seed.
public enum StreamTag {
    /// The stream of the agent: initial weights and all the rule's noise.
    public static let agent: UInt64 = 1
    /// The stream of the environment: start states and the environment's own noise.
    public static let environment: UInt64 = 2
    /// The stream of a supervised-style task's samples.
    public static let task: UInt64 = 3
}

/// A trial that could not be built.
public enum TrialError: Error, CustomStringConvertible, Equatable {
    /// The experiment names no environment, and its kind needs one.
    case missingEnvironment

    /// The one-line message for the user.
    public var description: String {
        switch self {
        case .missingEnvironment: "this kind of experiment needs an environment id"
        }
    }
}
