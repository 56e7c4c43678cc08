import Foundation
import ThreeFactor

/// The cross-paper benchmark as data (`data/benchmark/benchmark.toml`): the tasks with their
/// budgets and normalisation anchors, each rule's pinned settings and search space, the
/// tuning budget, the selection criterion and the checks. The file's header explains each
/// choice; this type only reads and checks it.
public struct BenchmarkSpec: Sendable {
    /// One `[[tasks]]` table: a task of the catalog with its budget and the two anchors of
    /// its normalised score.
    public struct Task: Sendable {
        /// The catalog's task id ("CartPole-v1", "Multiplexer", ...).
        public var id: String
        /// Units each run takes (the full profile's budget).
        public var units: Int
        /// Units in the quick profile (default: `units`).
        public var quickUnits: Int?
        /// The task's `[tasks.env_options]`, passed to every run as the experiment's
        /// environment options (empty: the environment's defaults).
        public var envOptions: Hyperparameters
        /// The score normalised to 0, and where it comes from.
        public var randomScore: Double
        /// Where `randomScore` comes from (a calibration run, a constant output, ...).
        public var randomProvenance: String
        /// The score normalised to 1, and where it comes from.
        public var referenceScore: Double
        /// Where `referenceScore` comes from (a maximum return, a registered threshold, ...).
        public var referenceProvenance: String

        /// `(s - random) / (reference - random)`: 0 is the random policy, 1 the reference,
        /// whichever way the raw score improves. The file guarantees the anchors differ, so
        /// the division is defined; it is unbounded (a run can score below 0 or above 1).
        public func normalised(_ s: Double) -> Double { (s - randomScore) / (referenceScore - randomScore) }
    }

    /// A group of keys scaled together by one log-uniform factor (arrays element-wise).
    public struct SearchGroup: Sendable, Equatable {
        /// The parameter keys the factor multiplies (numbers or arrays of numbers).
        public var keys: [String]
        /// The smallest factor, > 0.
        public var low: Double
        /// The largest factor, >= `low`; `low == high` scales by a constant.
        public var high: Double
    }

    /// One `[[rules]]` table: where a rule's pinned setting comes from and what its search
    /// varies. A catalog rule with no table uses its defaults and `defaultSearch`.
    public struct Rule: Sendable {
        /// The rule's catalog name ("map-prop", "backprop", ...).
        public var name: String
        /// Task id or kind name -> "<paper>:<experiment>" or "defaults".
        /// A task id takes precedence over a kind name; neither: "defaults".
        public var pinned: [String: String]
        /// The rule's search space; the groups whose keys the rule's parameter table does not
        /// have as numbers are dropped per cell.
        public var search: [SearchGroup]
    }

    /// One `[[checks]]` table: a claim about one cell that the benchmark can fail (exit
    /// status 1 when it does).
    public struct Check: Sendable {
        /// What a check asserts; the raw value is the file's `kind`.
        public enum Kind: String, Sendable, CaseIterable {
            /// The lower end of the 95 % CI of the rule's IQM normalised score on the task is > 0.
            case beatsRandom = "beats_random"
        }
        /// The check's name in the report.
        public var id: String
        /// What it asserts.
        public var kind: Kind
        /// The rule whose evaluation it judges (a catalog name).
        public var rule: String
        /// The task it judges the rule on (a task of this file).
        public var task: String
    }

    /// What a profile changes: which tasks and rules run, how many configurations and seeds.
    public struct ProfileSettings: Sendable {
        /// Only these task ids, in the file's order (default: every task of the file).
        public var tasks: [String]?
        /// Only these rules (default: every rule of the catalog).
        public var rules: [String]?
        /// Configurations per cell (default: the file's `configurations`).
        public var configurations: Int?
        /// Tuning seeds (default: the file's); disjoint from the profile's evaluation seeds.
        public var tuningSeeds: [Int]?
        /// Evaluation seeds (default: the file's).
        public var evaluationSeeds: [Int]?
    }

    /// The report's title.
    public var title: String
    /// Seeds the configurations are tried on, to choose the winner (the full profile's).
    public var tuningSeeds: [Int]
    /// Seeds the winner is evaluated on, disjoint from the tuning seeds, so the reported
    /// scores are not those the selection saw (the full profile's).
    public var evaluationSeeds: [Int]
    /// Configurations tried per cell (> 0): the pinned setting and `configurations - 1`
    /// draws from the search space.
    public var configurations: Int
    /// The fraction of a run's units, in (0, 1], whose mean headline value is its score; also
    /// the running-average window of the sample-efficiency measures.
    public var finalFraction: Double
    /// The normalised level (finite) whose first crossing by the running average measures
    /// sample efficiency.
    public var threshold: Double
    /// Profile name -> description; "full" is always present.
    public var profiles: [String: String]
    /// Per profile name, what it changes from the file's top-level settings; a profile
    /// with no entry runs them unchanged.
    public var profileSettings: [String: ProfileSettings]
    /// Every task, in the file's order (at least one).
    public var tasks: [Task]
    /// The rules with a `[[rules]]` table, in the file's order.
    public var rules: [Rule]
    /// The search space of a rule without a `[[rules]]` table.
    public var defaultSearch: [SearchGroup]
    /// The checks, in the file's order.
    public var checks: [Check]
    /// The path the spec was read from (for error messages).
    public var file: String

    /// The task with this id, if the file lists it.
    public func task(_ id: String) -> Task? { tasks.first { $0.id == id } }
    /// The `[[rules]]` table of this rule, if the file has one.
    public func rule(_ name: String) -> Rule? { rules.first { $0.name == name } }

    /// Reads and checks the file; any problem is one `ConfigError` naming the file and key.
    public static func load(_ path: String) throws -> BenchmarkSpec {
        let root = ConfigReader(file: path, path: "", table: try ConfigFile.load(path))
        try root.rejectUnknownKeys([
            "title", "tuning_seeds", "evaluation_seeds", "configurations", "final_fraction", "threshold", "profiles",
            "profiles_settings", "tasks", "rules", "default_search", "checks",
        ])
        func seeds(_ r: ConfigReader, _ key: String) throws -> [Int]? {
            guard let v = try r.value(key) else { return nil }
            return try PaperExperiments.parseSeeds(v, reader: r, key: key)
        }
        func positive(_ r: ConfigReader, _ key: String) throws -> Int? {
            guard let n = try r.int(key) else { return nil }
            guard n > 0 else { throw r.error(key, "expected a positive integer, found \(n)") }
            return n
        }
        let title = try root.requiredString("title")
        guard let tuningSeeds = try seeds(root, "tuning_seeds") else { throw root.error("tuning_seeds", "missing; expected a seed range") }
        guard let evaluationSeeds = try seeds(root, "evaluation_seeds") else {
            throw root.error("evaluation_seeds", "missing; expected a seed range")
        }
        guard let configurations = try positive(root, "configurations") else { throw root.error("configurations", "missing; expected a positive integer") }
        let finalFraction = try root.requiredNumber("final_fraction")
        guard finalFraction > 0, finalFraction <= 1 else { throw root.error("final_fraction", "expected a number in (0, 1], found \(finalFraction)") }
        let threshold = try root.requiredNumber("threshold")
        guard threshold.isFinite else { throw root.error("threshold", "expected a finite number") }

        var profiles: [String: String] = [:]
        if let p = try root.subtable("profiles") {
            for k in p.table.keys { profiles[k] = try p.requiredString(k) }
        }
        guard profiles["full"] != nil else { throw root.error("profiles", "missing: describe at least the profile \"full\"") }
        var profileSettings: [String: ProfileSettings] = [:]
        if let p = try root.subtable("profiles_settings") {
            for name in p.table.keys.sorted() {
                guard profiles[name] != nil else { throw p.error(name, "profile \"\(name)\" is not described in [profiles]") }
                guard let s = try p.subtable(name) else { continue }
                let settings = ProfileSettings(
                    tasks: try s.strings("tasks"), rules: try s.strings("rules"), configurations: try positive(s, "configurations"),
                    tuningSeeds: try seeds(s, "tuning_seeds"), evaluationSeeds: try seeds(s, "evaluation_seeds"))
                try s.rejectUnknownKeys()
                profileSettings[name] = settings
            }
        }

        var tasks: [Task] = []
        for t in try root.tables("tasks") {
            let id = try t.requiredString("id")
            guard let entry = Catalog.task(id) else {
                throw t.error("id", "unknown task \"\(id)\"; valid: \(Catalog.tasks.map(\.id).joined(separator: ", "))")
            }
            _ = entry
            guard !tasks.contains(where: { $0.id == id }) else { throw t.error("id", "task \"\(id)\" listed twice") }
            guard let units = try positive(t, "units") else { throw t.error("units", "missing; expected a positive integer") }
            let task = Task(
                id: id, units: units, quickUnits: try positive(t, "quick_units"),
                envOptions: try t.subtable("env_options")?.parameters() ?? Hyperparameters(),
                randomScore: try t.requiredNumber("random_score"), randomProvenance: try t.requiredString("random_provenance"),
                referenceScore: try t.requiredNumber("reference_score"),
                referenceProvenance: try t.requiredString("reference_provenance"))
            guard task.randomScore != task.referenceScore else {
                throw t.error("reference_score", "must differ from random_score (\(task.randomScore)): they are the 0 and 1 of the normalised score")
            }
            try t.rejectUnknownKeys()
            tasks.append(task)
        }
        guard !tasks.isEmpty else { throw root.error("tasks", "missing: add at least one [[tasks]] table") }

        func searchGroups(_ tables: [ConfigReader]) throws -> [SearchGroup] {
            try tables.map { s in
                let keys = try s.requiredStrings("keys")
                guard case .list(let f)? = try s.value("factor"), f.count == 2,
                    let low = f[0].numberValue, let high = f[1].numberValue, low > 0, high >= low
                else { throw s.error("factor", "expected [low, high] with 0 < low <= high") }
                try s.rejectUnknownKeys()
                return SearchGroup(keys: keys, low: low, high: high)
            }
        }

        var rules: [Rule] = []
        for r in try root.tables("rules") {
            let name = try r.requiredString("name")
            guard Catalog.rule(name) != nil else {
                throw r.error("name", "unknown rule \"\(name)\"; valid: \(Catalog.rules.map(\.name).joined(separator: ", "))")
            }
            guard !rules.contains(where: { $0.name == name }) else { throw r.error("name", "rule \"\(name)\" listed twice") }
            var pinned: [String: String] = [:]
            if let p = try r.subtable("pinned") {
                for k in p.table.keys {
                    guard Catalog.task(k) != nil || Catalog.kind(k) != nil else {
                        throw p.error(k, "neither a task id nor an experiment kind")
                    }
                    pinned[k] = try p.requiredString(k)
                }
            }
            rules.append(Rule(name: name, pinned: pinned, search: try searchGroups(r.tables("search"))))
            try r.rejectUnknownKeys()
        }

        var checks: [Check] = []
        for c in try root.tables("checks") {
            let kindText = try c.requiredString("kind")
            guard let kind = Check.Kind(rawValue: kindText) else {
                throw c.error("kind", "unknown check kind \"\(kindText)\"; valid: \(Check.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let check = Check(id: try c.requiredString("id"), kind: kind, rule: try c.requiredString("rule"), task: try c.requiredString("task"))
            guard tasks.contains(where: { $0.id == check.task }) else { throw c.error("task", "not a task of this benchmark: \(check.task)") }
            guard Catalog.rule(check.rule) != nil else { throw c.error("rule", "unknown rule \"\(check.rule)\"") }
            try c.rejectUnknownKeys()
            checks.append(check)
        }

        let spec = BenchmarkSpec(
            title: title, tuningSeeds: tuningSeeds, evaluationSeeds: evaluationSeeds, configurations: configurations,
            finalFraction: finalFraction, threshold: threshold, profiles: profiles, profileSettings: profileSettings,
            tasks: tasks, rules: rules, defaultSearch: try searchGroups(root.tables("default_search")), checks: checks, file: path)
        try root.rejectUnknownKeys()
        for (name, p) in profileSettings.sorted(by: { $0.key < $1.key }) {
            for id in p.tasks ?? [] where spec.task(id) == nil {
                throw ConfigError(file: path, key: "profiles_settings.\(name).tasks", message: "not a task of this benchmark: \(id)")
            }
            for rule in p.rules ?? [] where Catalog.rule(rule) == nil {
                throw ConfigError(file: path, key: "profiles_settings.\(name).rules", message: "unknown rule \"\(rule)\"")
            }
        }
        for name in spec.profiles.keys.sorted() {
            let s = spec.settings(profile: name)
            guard Set(s.tuningSeeds).isDisjoint(with: s.evaluationSeeds) else {
                throw ConfigError(
                    file: path, key: "tuning_seeds", message: "profile \(name): tuning and evaluation seeds must be disjoint")
            }
        }
        return spec
    }

    /// The settings a profile runs with.
    public func settings(profile: String) -> (tasks: [Task], rules: [String]?, configurations: Int, tuningSeeds: [Int], evaluationSeeds: [Int]) {
        let p = profileSettings[profile]
        var chosen = tasks
        if let ids = p?.tasks { chosen = tasks.filter { ids.contains($0.id) } }
        if profile != "full" {
            chosen = chosen.map { var t = $0; t.units = t.quickUnits ?? t.units; return t }
        }
        return (chosen, p?.rules, p?.configurations ?? configurations, p?.tuningSeeds ?? tuningSeeds, p?.evaluationSeeds ?? evaluationSeeds)
    }
}

extension ParameterValue {
    /// The value as a number, when it is one.
    var numberValue: Double? {
        switch self {
        case .number(let x): x
        case .integer(let x): Double(x)
        default: nil
        }
    }
}
