/// A credit-assignment rule for a `TeamNetwork`: after the network has drawn a sample (an
/// action, a value, a prediction), the rule leaves in every layer the eligibility that
/// multiplies the global signal in the network's shared update
/// `W_l += Adam(lr_l, signal * Tw_l)`, `Tw_l <- lambda Tw_l + h_{l-1} (outer) e_l`.
///
/// One actor–critic (`ActorCriticAgent`) and one supervised-style loop (`SupervisedTrial`)
/// run every such rule; the rules of the MAP propagation paper are its implementations:
/// MAP propagation (`MAPPropagation`), the REINFORCE team (`REINFORCETeam`) and backprop
/// (`Backpropagation`). A new rule of this family conforms and is registered with
/// `descriptor(...)`, which gives it both loops.
public protocol TeamNetworkRule: Sendable {
    /// True when hidden units sample around their means (team rules); false when they pass
    /// their means on (backprop).
    static var stochasticHiddenUnits: Bool { get }

    /// False: credit is assigned to the sample with the weights that drew it, before the
    /// step's learning (REINFORCE, backprop). True: after it (MAP propagation's ascent runs
    /// with the updated weights, as the reference loop does).
    static var assignsCreditAfterLearning: Bool { get }

    /// The rule's own keys in an actor–critic experiment (beyond the loop's).
    static var actorCriticParameters: [ParameterSpec] { get }
    /// The rule's own keys in a supervised-style experiment (beyond the loop's).
    static var supervisedParameters: [ParameterSpec] { get }

    /// The rule as applied to the critic and to the actor of an actor–critic.
    static func actorCritic(_ p: ParameterValues) throws -> (critic: Self, actor: Self)
    /// The rule as applied to the network of a supervised-style task.
    static func supervised(_ p: ParameterValues) throws -> Self

    /// Leaves the eligibilities of every row's current sample in every layer. `objective`
    /// says what the signal will reward: the log-probability of the sampled output (a
    /// policy), or the output's mean (a value or a prediction, which needs a gate).
    func assignCredit(_ network: inout TeamNetwork, objective: TeamObjective)
}

/// What the global signal rewards in a `TeamNetwork`.
public enum TeamObjective: Sendable {
    /// The sampled output itself: the signal is a reward or TD error of the action.
    case policy
    /// The output unit's mean: the signal is an error of that mean (a critic's TD error, a
    /// regression error), which is uncorrelated with the units' noise.
    case value
}

extension TeamNetworkRule {
    /// The catalog entry of the rule: both team-network loops. `actionSpaces` narrows the
    /// action spaces the rule acts on (default: discrete and continuous).
    public static func descriptor(
        name: String, summary: String, citation: String, equations: String,
        actionSpaces: Set<ActionSpace.Kind> = [.discrete, .continuous]
    ) -> RuleDescriptor {
        RuleDescriptor(
            name: name, summary: summary, citation: citation, equations: equations,
            implementations: [ActorCriticAgent<Self>.implementation, SupervisedTrial<Self>.implementation].map {
                RuleImplementation(kind: $0.kind, actionSpaces: actionSpaces, parameters: $0.parameters, factory: $0.factory)
            })
    }
}

extension TeamNetworkRule {
    public static var actorCriticParameters: [ParameterSpec] { [] }
    public static var supervisedParameters: [ParameterSpec] { [] }
}

/// A team-network rule without hyperparameters of its own: one value serves every network.
public protocol ParameterFreeTeamNetworkRule: TeamNetworkRule {
    /// The rule; it has no settings to read.
    init()
}

extension ParameterFreeTeamNetworkRule {
    public static func actorCritic(_ p: ParameterValues) throws -> (critic: Self, actor: Self) { (Self(), Self()) }
    public static func supervised(_ p: ParameterValues) throws -> Self { Self() }
}
