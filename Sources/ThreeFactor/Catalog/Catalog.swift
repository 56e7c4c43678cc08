import Synchronization

/// The single source of truth for what the toolkit can run: every learning rule, every
/// task (environment) and every kind of experiment loop, by name.
///
/// The toolkit registers its own entries (`Catalog+BuiltIn.swift`); a package that depends
/// on the library registers more at start-up, before it runs anything:
///
///     try Catalog.register(WeightPerturbation.descriptor)
///
/// and from then on the rule runs through the same runner, logs, resume and verifier as
/// the built-in ones (`threefactor run --rule <name>`, any experiment file). Lookups are
/// thread-safe; entries are never removed.
public enum Catalog {
    struct Contents {
        var rules: [RuleDescriptor]
        var kinds: [ExperimentKind]
        var tasks: [TaskEntry]
    }

    static let contents = Mutex(Contents(rules: builtInRules, kinds: builtInKinds, tasks: builtInTasks))

    /// Every registered rule, the built-in ones first, in the order of registration.
    public static var rules: [RuleDescriptor] { contents.withLock { $0.rules } }
    /// Every registered experiment kind, in the order of registration.
    public static var kinds: [ExperimentKind] { contents.withLock { $0.kinds } }
    /// Every registered task, the built-in ones first, in the order of registration.
    public static var tasks: [TaskEntry] { contents.withLock { $0.tasks } }

    /// The tasks that are environments (built from options, stepped by a loop).
    public static var environments: [TaskEntry] { tasks.filter { $0.makeEnvironment != nil } }

    /// The rule registered under `name`, or nil.
    public static func rule(_ name: String) -> RuleDescriptor? { rules.first { $0.name == name } }
    /// The experiment kind registered under `name`, or nil.
    public static func kind(_ name: String) -> ExperimentKind? { kinds.first { $0.name == name } }
    /// The task registered under `id` (e.g. "CartPole-v1"), or nil.
    public static func task(_ id: String) -> TaskEntry? { tasks.first { $0.id == id } }

    /// Adds a rule; a name already taken is an error (a rule cannot be replaced).
    public static func register(_ rule: RuleDescriptor) throws {
        try contents.withLock { c in
            guard !c.rules.contains(where: { $0.name == rule.name }) else { throw CatalogError.duplicate("rule", rule.name) }
            for i in rule.implementations where !c.kinds.contains(where: { $0.name == i.kind }) {
                throw CatalogError.unknownKind(i.kind, valid: c.kinds.map(\.name))
            }
            c.rules.append(rule)
        }
    }

    /// Adds an experiment kind; a name already taken is an error.
    public static func register(_ kind: ExperimentKind) throws {
        try contents.withLock { c in
            guard !c.kinds.contains(where: { $0.name == kind.name }) else { throw CatalogError.duplicate("experiment kind", kind.name) }
            c.kinds.append(kind)
        }
    }

    /// Adds a task; an id already taken is an error. Its `kind` must name the experiment kind
    /// that runs it.
    public static func register(_ task: TaskEntry) throws {
        try contents.withLock { c in
            guard !c.tasks.contains(where: { $0.id == task.id }) else { throw CatalogError.duplicate("task", task.id) }
            c.tasks.append(task)
        }
    }

    /// The kind, rule and task of an experiment, checked against each other: the rule must
    /// implement the kind, the task must belong to it and have an action space the rule
    /// can act on.
    public static func resolve(kind kindName: String, rule ruleName: String, task taskID: String?) throws -> Resolved {
        guard let kind = kind(kindName) else { throw CatalogError.unknownKind(kindName, valid: kinds.map(\.name)) }
        guard let rule = rule(ruleName) else { throw CatalogError.unknownRule(ruleName, valid: rules.map(\.name)) }
        guard let implementation = rule.implementation(for: kind.name) else {
            throw CatalogError.ruleLacksKind(rule: rule.name, kind: kind.name, supported: rule.implementations.map(\.kind))
        }
        let kindTasks = tasks.filter { $0.kind == kind.name }
        guard let taskID else {
            if let only = kindTasks.first, kindTasks.count == 1 { return Resolved(kind: kind, rule: rule, implementation: implementation, task: only) }
            throw CatalogError.missingTask(kind: kind.name, valid: kindTasks.map(\.id))
        }
        guard let task = kindTasks.first(where: { $0.id == taskID }) else {
            if let other = self.task(taskID) {
                throw CatalogError.taskOfOtherKind(task: taskID, kind: kind.name, taskKind: other.kind)
            }
            throw CatalogError.unknownTask(taskID, valid: kindTasks.map(\.id))
        }
        guard implementation.actionSpaces.contains(task.actionSpace.kind) else {
            throw CatalogError.actionSpaceNotSupported(rule: rule.name, task: task.id, space: task.actionSpace)
        }
        return Resolved(kind: kind, rule: rule, implementation: implementation, task: task)
    }

    /// Builds one seed's trial of an experiment.
    public static func makeTrial(kind: String, _ spec: TrialSpec) throws -> any Trial {
        let r = try resolve(kind: kind, rule: spec.rule, task: spec.env)
        var spec = spec
        spec.env = r.task.id
        return try r.kind.make(spec, r.implementation)
    }

    /// An experiment's kind, rule and task after `resolve(kind:rule:task:)` has checked them
    /// against each other.
    public struct Resolved: Sendable {
        /// The experiment kind (the loop that runs the trial).
        public let kind: ExperimentKind
        /// The rule, as registered.
        public let rule: RuleDescriptor
        /// The rule's implementation for `kind`.
        public let implementation: RuleImplementation
        /// The task, of `kind`, with an action space the implementation supports.
        public let task: TaskEntry
    }
}

/// A learning rule: who it is, where its equations are, and how each kind of experiment
/// loop builds it.
public struct RuleDescriptor: Sendable {
    /// The name used in experiment files and on the command line, e.g. "map-prop".
    public let name: String
    /// One line: what the rule does.
    public let summary: String
    /// The paper the rule comes from (authors, title, venue, year, identifier).
    public let citation: String
    /// Where the rule's update equations are written out (the rule's source file and the
    /// paper's equations).
    public let equations: String
    /// How each kind of experiment loop builds the rule: one entry per kind it runs in.
    public let implementations: [RuleImplementation]

    /// A rule's catalog entry; register it with `Catalog.register(_:)`. A rule of a family
    /// builds its entry with the family's `descriptor(...)` instead (e.g.
    /// `TeamNetworkRule.descriptor`).
    public init(name: String, summary: String, citation: String, equations: String, implementations: [RuleImplementation]) {
        self.name = name
        self.summary = summary
        self.citation = citation
        self.equations = equations
        self.implementations = implementations
    }

    /// The implementation for the experiment kind named `kind`, or nil when the rule does not
    /// run in that kind.
    public func implementation(for kind: String) -> RuleImplementation? { implementations.first { $0.kind == kind } }
}

/// How one kind of experiment loop builds a rule: its hyperparameters there, the action
/// spaces it can act on, and a kind-specific factory that only that kind reads (e.g. an
/// `EpisodicRuleFactory` for the episodic loop).
public struct RuleImplementation: Sendable {
    /// The name of the experiment kind this implementation runs in.
    public let kind: String
    /// The action spaces (discrete, continuous) the rule can act on in this kind; the catalog
    /// refuses a task whose action space is not among them.
    public let actionSpaces: Set<ActionSpace.Kind>
    /// The hyperparameters of the rule in this kind, the loop's own keys included.
    public let parameters: ParameterTable
    /// The kind-specific factory, read back with `factory(as:)`.
    public let factory: any Sendable

    /// An implementation of a rule for one experiment kind.
    public init(kind: String, actionSpaces: Set<ActionSpace.Kind>, parameters: ParameterTable, factory: any Sendable) {
        self.kind = kind
        self.actionSpaces = actionSpaces
        self.parameters = parameters
        self.factory = factory
    }

    /// The factory as the kind expects it; a mismatch is a programming error of the rule's
    /// registration.
    public func factory<F>(as: F.Type) -> F {
        guard let f = factory as? F else { preconditionFailure("rule implementation for \(kind) has no \(F.self)") }
        return f
    }
}

/// A kind of experiment loop (`kind` in an experiment file): what one logged unit is, which
/// series carries its headline result, and how it builds a trial.
public struct ExperimentKind: Sendable {
    /// The name used in experiment files (`kind = "..."`), e.g. "episodic".
    public let name: String
    /// One line: what the loop does.
    public let summary: String
    /// What one logged unit is, e.g. "episode", "batch", "block".
    public let unit: String
    /// The series a learning curve of this kind shows, and whether higher is better.
    public let headlineSeries: SeriesDescription
    /// Builds one seed's trial from the experiment's settings and the rule's implementation
    /// for this kind.
    public let make: @Sendable (TrialSpec, RuleImplementation) throws -> any Trial

    /// An experiment kind; register it with `Catalog.register(_:)`.
    public init(
        name: String, summary: String, unit: String, headlineSeries: SeriesDescription,
        make: @escaping @Sendable (TrialSpec, RuleImplementation) throws -> any Trial
    ) {
        self.name = name
        self.summary = summary
        self.unit = unit
        self.headlineSeries = headlineSeries
        self.make = make
    }
}

/// A logged series: its dataset name, its label for a figure's axis, and its direction.
public struct SeriesDescription: Sendable, Equatable {
    /// The dataset name in the HDF5 log, e.g. "episode_return".
    public let name: String
    /// The axis label of a figure, e.g. "return per episode".
    public let label: String
    /// True when a larger value is a better result (a return), false when a smaller one is (an
    /// error).
    public let higherIsBetter: Bool

    /// A series' description.
    public init(name: String, label: String, higherIsBetter: Bool) {
        self.name = name
        self.label = label
        self.higherIsBetter = higherIsBetter
    }
}

/// A task: an environment (or a supervised-style task) of one experiment kind.
public struct TaskEntry: Sendable {
    /// The id used in experiment files and on the command line, e.g. "CartPole-v1".
    public let id: String
    /// One line: what the task is.
    public let summary: String
    /// The experiment kind that runs it.
    public let kind: String
    /// The action space of its default configuration.
    public let actionSpace: ActionSpace
    /// Builds the environment from the experiment's `env_options`; nil for tasks that the
    /// kind's loop draws itself (the supervised-style tasks).
    public let makeEnvironment: (@Sendable (Hyperparameters) throws -> any Environment)?

    /// A task's catalog entry; register it with `Catalog.register(_:)`.
    public init(
        id: String, summary: String, kind: String, actionSpace: ActionSpace,
        makeEnvironment: (@Sendable (Hyperparameters) throws -> any Environment)? = nil
    ) {
        self.id = id
        self.summary = summary
        self.kind = kind
        self.actionSpace = actionSpace
        self.makeEnvironment = makeEnvironment
    }
}

/// A catalog lookup or registration that failed; its `description` is the one-line message for
/// the user, naming the valid choices.
public enum CatalogError: Error, CustomStringConvertible, Equatable {
    /// No rule of that name; `valid` lists the registered ones.
    case unknownRule(String, valid: [String])
    /// No experiment kind of that name; `valid` lists the registered ones.
    case unknownKind(String, valid: [String])
    /// No task of that id among the kind's tasks; `valid` lists them.
    case unknownTask(String, valid: [String])
    /// The experiment names no task and its kind has more than one; `valid` lists them.
    case missingTask(kind: String, valid: [String])
    /// The task exists but runs in experiments of another kind (`taskKind`).
    case taskOfOtherKind(task: String, kind: String, taskKind: String)
    /// The rule has no implementation for the kind; `supported` lists the kinds it runs in.
    case ruleLacksKind(rule: String, kind: String, supported: [String])
    /// The rule cannot act on the task's action space (e.g. a discrete-only rule on a
    /// continuous task).
    case actionSpaceNotSupported(rule: String, task: String, space: ActionSpace)
    /// A rule, kind or task (the first value says which) of that name is already registered.
    case duplicate(String, String)

    /// The one-line message for the user.
    public var description: String {
        switch self {
        case .unknownRule(let name, let valid): "unknown rule '\(name)'; valid: \(valid.joined(separator: ", "))"
        case .unknownKind(let name, let valid): "unknown experiment kind '\(name)'; valid: \(valid.joined(separator: ", "))"
        case .unknownTask(let id, let valid): "unknown environment '\(id)'; valid: \(valid.joined(separator: ", "))"
        case .missingTask(let kind, let valid): "a \(kind) experiment needs an environment id; valid: \(valid.joined(separator: ", "))"
        case .taskOfOtherKind(let task, let kind, let taskKind):
            "environment '\(task)' runs in \(taskKind) experiments, not \(kind)"
        case .ruleLacksKind(let rule, let kind, let supported):
            "rule '\(rule)' has no \(kind) implementation; it runs in: \(supported.joined(separator: ", "))"
        case .actionSpaceNotSupported(let rule, let task, let space):
            "rule '\(rule)' cannot act on \(task)'s action space \(space)"
        case .duplicate(let what, let name): "a \(what) named '\(name)' is already registered"
        }
    }
}

extension CatalogError {
    /// The experiment-file key the error is about.
    public var key: String {
        switch self {
        case .unknownKind: "kind"
        case .unknownRule, .ruleLacksKind, .actionSpaceNotSupported, .duplicate: "rule"
        case .unknownTask, .missingTask, .taskOfOtherKind: "env"
        }
    }
}
