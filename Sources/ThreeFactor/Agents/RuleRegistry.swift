/// What a rule needs to know about the task to build its networks.
public struct TaskShape: Sendable, Equatable {
    public var observationCount: Int
    public var actionSpace: ActionSpace
    public init(observationCount: Int, actionSpace: ActionSpace) {
        self.observationCount = observationCount
        self.actionSpace = actionSpace
    }
    public init(_ env: any Environment) {
        self.init(observationCount: env.observationCount, actionSpace: env.actionSpace)
    }
}

/// A learning rule usable in the reinforcement-learning loop, by name.
///
/// To add a rule: write one file for the rule (update equation and paper in its doc
/// comment) and one entry here. `make` receives the rule's hyperparameters (unknown keys
/// must be rejected), the task's shape and the stream from which the rule draws its
/// initial weights and all its noise.
public struct RuleEntry: Sendable {
    public let name: String
    public let summary: String
    public let make: @Sendable (Hyperparameters, TaskShape, RandomStream) throws -> any EpisodicAgent

    public init(
        name: String, summary: String,
        make: @escaping @Sendable (Hyperparameters, TaskShape, RandomStream) throws -> any EpisodicAgent
    ) {
        self.name = name
        self.summary = summary
        self.make = make
    }
}

public enum RuleRegistry {
    public static let all: [RuleEntry] = [
        RuleEntry(
            name: ActorCriticRule.mapPropagation.rawValue,
            summary: "MAP propagation actor-critic (Chung, NeurIPS 2021): teams of stochastic units, MAP step then REINFORCE"
        ) { try ActorCriticAgent(rule: .mapPropagation, parameters: $0, task: $1, stream: $2) },
        RuleEntry(
            name: ActorCriticRule.reinforceTeam.rawValue,
            summary: "actor-critic whose every unit is a REINFORCE agent driven by the TD error (no MAP step)"
        ) { try ActorCriticAgent(rule: .reinforceTeam, parameters: $0, task: $1, stream: $2) },
        RuleEntry(
            name: ActorCriticRule.backprop.rawValue,
            summary: "deterministic actor-critic of the same shape trained by backprop, TD(lambda), Adam"
        ) { try ActorCriticAgent(rule: .backprop, parameters: $0, task: $1, stream: $2) },
        RuleEntry(
            name: NoiseBasedRewardModulated.ruleName,
            summary: "noise-based reward-modulated learning (García Fernández, Ahmad & van Gerven 2025)"
        ) { try NoiseBasedRewardModulated(parameters: $0, task: $1, stream: $2) },
        RuleEntry(
            name: RewardModulatedHebbian.ruleName,
            summary: "reward-modulated Hebbian learning / node perturbation (Legenstein et al. 2010)"
        ) { try RewardModulatedHebbian(parameters: $0, task: $1, stream: $2) },
        RuleEntry(
            name: BackpropREINFORCE.ruleName,
            summary: "REINFORCE by backpropagation, moving-average baseline (Williams 1992)"
        ) { try BackpropREINFORCE(parameters: $0, task: $1, stream: $2) },
    ]

    public static var names: [String] { all.map(\.name) }

    public static func entry(_ name: String) -> RuleEntry? { all.first { $0.name == name } }
}
