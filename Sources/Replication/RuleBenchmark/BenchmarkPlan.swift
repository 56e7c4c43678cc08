import Foundation
import ThreeFactor

/// What the benchmark runs for one profile: every (task, rule) cell of the catalog — the
/// applicable ones with their candidate configurations, the others with the reason they do
/// not apply. A pure function of the spec, the catalog and the paper modules' files.
public struct BenchmarkPlan: Sendable {
    /// One (task, rule) pair of the catalog.
    public struct Cell: Sendable {
        /// The task, with the profile's budget in `units`.
        public var task: BenchmarkSpec.Task
        /// The rule's catalog name.
        public var rule: String
        /// Whether the cell runs, and with what.
        public var status: Status

        /// Whether a cell runs.
        public enum Status: Sendable {
            /// The rule cannot run on the task (no implementation for its kind or action
            /// space, or no valid pinned setting); the reason is the catalog's error.
            case notApplicable(reason: String)
            /// The rule runs on the task with these candidate configurations.
            case applicable(Candidates)
        }
    }

    /// An applicable cell's settings to try: index 0 is the pinned setting.
    public struct Candidates: Sendable {
        /// The experiment kind the rule's implementation runs the task as.
        public var kind: ExperimentKind
        /// Where the pinned setting comes from ("map-prop:cartpole-map-prop", "defaults").
        public var pinnedSource: String
        /// The settings to try, in order: the pinned setting, then the draws (each a pure
        /// function of rule, task and index). One entry when nothing is searchable.
        public var configurations: [Hyperparameters]
        /// The search groups that applied (keys present in the rule's table for this kind).
        public var searched: [BenchmarkSpec.SearchGroup]
    }

    /// The benchmark file the plan was made from.
    public var spec: BenchmarkSpec
    /// The profile's name ("full", "quick", ...).
    public var profile: String
    /// Every cell of the profile, task by task (the file's order), rule by rule (the
    /// catalog's order), applicable or not.
    public var cells: [Cell]
    /// The profile's tuning seeds.
    public var tuningSeeds: [Int]
    /// The profile's evaluation seeds, disjoint from the tuning seeds.
    public var evaluationSeeds: [Int]

    /// The plan of one profile; throws a `ConfigError` for a profile the file does not
    /// describe. A pinned setting that cannot be read makes its cell not applicable instead.
    ///
    /// - Parameters:
    ///   - spec: the benchmark file.
    ///   - profile: a profile the file describes.
    ///   - root: the directory holding `papers/` (for pinned settings).
    public init(spec: BenchmarkSpec, profile: String, root: String) throws {
        guard spec.profiles[profile] != nil else {
            throw ConfigError(
                file: spec.file, key: "profiles",
                message: "no profile \"\(profile)\"; valid: \(spec.profiles.keys.sorted().joined(separator: ", "))")
        }
        let settings = spec.settings(profile: profile)
        self.spec = spec
        self.profile = profile
        tuningSeeds = settings.tuningSeeds
        evaluationSeeds = settings.evaluationSeeds
        var papers: [String: PaperExperiments] = [:]
        var cells: [Cell] = []
        for task in settings.tasks {
            let entry = Catalog.task(task.id)!
            for rule in Catalog.rules where settings.rules?.contains(rule.name) ?? true {
                let resolved: Catalog.Resolved
                do {
                    resolved = try Catalog.resolve(kind: entry.kind, rule: rule.name, task: task.id)
                } catch {
                    cells.append(Cell(task: task, rule: rule.name, status: .notApplicable(reason: "\(error)")))
                    continue
                }
                let ruleSpec = spec.rule(rule.name)
                let source = ruleSpec?.pinned[task.id] ?? ruleSpec?.pinned[entry.kind] ?? "defaults"
                let pinned: Hyperparameters
                do {
                    pinned = try Self.pinnedParameters(source, root: root, papers: &papers, file: spec.file)
                    _ = try resolved.implementation.parameters.read(pinned)
                } catch {
                    cells.append(Cell(task: task, rule: rule.name, status: .notApplicable(reason: "no valid pinned setting (\(source)): \(error)")))
                    continue
                }
                let groups = (ruleSpec?.search ?? spec.defaultSearch).filter { g in
                    g.keys.allSatisfy { resolved.implementation.parameters.spec($0)?.isScalable == true }
                }
                var configurations = [pinned]
                if !groups.isEmpty {
                    for k in 1..<settings.configurations {
                        configurations.append(try Self.draw(
                            around: pinned, groups: groups, table: resolved.implementation.parameters,
                            stream: RandomStream(seed: stableHash("\(rule.name)|\(task.id)"), stream: UInt64(k))))
                    }
                }
                cells.append(Cell(
                    task: task, rule: rule.name,
                    status: .applicable(Candidates(kind: resolved.kind, pinnedSource: source, configurations: configurations, searched: groups))))
            }
        }
        self.cells = cells
    }

    /// The pinned parameters named by `source`: a paper experiment's `params` (its full
    /// setting), or the rule's defaults.
    static func pinnedParameters(_ source: String, root: String, papers: inout [String: PaperExperiments], file: String) throws -> Hyperparameters {
        guard source != "defaults" else { return Hyperparameters() }
        let parts = source.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw ConfigError(file: file, key: "pinned", message: "expected \"<paper>:<experiment>\" or \"defaults\", found \"\(source)\"")
        }
        if papers[parts[0]] == nil { papers[parts[0]] = try PaperExperiments.load("\(root)/papers/\(parts[0])/experiments.toml") }
        guard let e = papers[parts[0]]!.experiment(parts[1]) else {
            throw ConfigError(file: file, key: "pinned", message: "papers/\(parts[0])/experiments.toml has no experiment \"\(parts[1])\"")
        }
        return e.params
    }

    /// One draw of the search space: every group's keys scaled by one factor, log-uniform in
    /// [low, high], around the pinned value (or the table's default).
    static func draw(
        around pinned: Hyperparameters, groups: [BenchmarkSpec.SearchGroup], table: ParameterTable, stream: RandomStream
    ) throws -> Hyperparameters {
        var stream = stream
        var values = pinned.values
        for g in groups {
            let factor = exp(stream.uniform(log(g.low), log(g.high)))
            for key in g.keys {
                guard let base = pinned.values[key] ?? table.spec(key)?.defaultValue.value else { continue }
                values[key] = base.scaled(by: factor)
            }
        }
        return Hyperparameters(values, context: pinned.context)
    }
}

extension ParameterSpec {
    /// A number or an array of numbers with a stated default or a value to scale.
    var isScalable: Bool {
        switch type {
        case .number, .numbers: true
        default: false
        }
    }
}

extension ParameterSpec.Default {
    var value: ParameterValue? {
        if case .value(let v) = self { return v }
        return nil
    }
}

extension ParameterValue {
    /// A number, or every number of an array, times `factor`.
    func scaled(by factor: Double) -> ParameterValue {
        switch self {
        case .number(let x): .number(x * factor)
        case .integer(let x): .number(Double(x) * factor)
        case .list(let xs): .list(xs.map { $0.scaled(by: factor) })
        default: self
        }
    }
}
