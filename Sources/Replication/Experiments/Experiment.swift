import Foundation
import ThreeFactor

/// One experiment: a rule on a task, a budget, the seeds — everything a run is a pure
/// function of, together with the seed.
public struct ExperimentSpec: Sendable, Equatable {
    /// The experiment's id, unique in its file; names its run log (`<id>.h5`).
    public var id: String
    /// The experiment kind (`kind`), e.g. "episodic"; see `Catalog.kinds`.
    public var kind: String
    /// The task's id (`env`), e.g. "CartPole-v1"; nil when the kind has only one task.
    public var env: String?
    /// The environment's options (`env_options`).
    public var envOptions: Hyperparameters
    /// The rule's name (`rule`).
    public var rule: String
    /// The rule's and the loop's hyperparameters (`params`).
    public var params: Hyperparameters
    /// The legend label of the experiment in figures; the rule's name by default.
    public var label: String
    /// The figure the experiment is drawn in; its id by default.
    public var figure: String
    /// Units (episodes, batches, blocks) each seed runs.
    public var units: Int
    /// The seeds to run.
    public var seeds: [Int]
    /// Profile name -> overrides of units, seeds and params.
    public var profiles: [String: ProfileOverride]

    /// What a profile (e.g. "quick") changes: fewer units, other seeds, some params.
    public struct ProfileOverride: Sendable, Equatable {
        /// The units each seed runs under the profile; nil keeps the experiment's.
        public var units: Int?
        /// The seeds under the profile; nil keeps the experiment's.
        public var seeds: [Int]?
        /// Params that replace the experiment's under the profile, by key.
        public var params: [String: ParameterValue]
        /// An override; all of its parts are optional.
        public init(units: Int? = nil, seeds: [Int]? = nil, params: [String: ParameterValue] = [:]) {
            self.units = units
            self.seeds = seeds
            self.params = params
        }
    }

    /// An experiment from its parts; `label` defaults to the rule's name and `figure` to the
    /// id.
    public init(
        id: String, kind: String = EpisodicTrials.kindName, env: String?, envOptions: Hyperparameters = .init(), rule: String,
        params: Hyperparameters = .init(), label: String? = nil, figure: String? = nil, units: Int, seeds: [Int],
        profiles: [String: ProfileOverride] = [:]
    ) {
        self.id = id
        self.kind = kind
        self.env = env
        self.envOptions = envOptions
        self.rule = rule
        self.params = params
        self.label = label ?? rule
        self.figure = figure ?? id
        self.units = units
        self.seeds = seeds
        self.profiles = profiles
    }

    /// The experiment as it runs under `profile` (overrides applied, no profiles left).
    public func resolved(profile: String) -> ExperimentSpec {
        var r = self
        if let o = profiles[profile] {
            if let u = o.units { r.units = u }
            if let s = o.seeds { r.seeds = s }
            for (k, v) in o.params { r.params.values[k] = v }
        }
        r.profiles = [:]
        return r
    }

    /// The resolved configuration as TOML text with sorted keys: stored in every run log,
    /// and the identity by which a rerun decides to resume (same text) or refuse (other).
    /// Seeds are not part of it: a log holds any subset of seeds of the same configuration.
    public var configText: String {
        var lines = [
            "id = \(TOMLText.string(id))",
            "kind = \(TOMLText.string(kind))",
        ]
        if let env { lines.append("env = \(TOMLText.string(env))") }
        lines += [
            "rule = \(TOMLText.string(rule))",
            "units = \(units)",
        ]
        if !envOptions.values.isEmpty {
            lines.append("\n[env_options]")
            lines += envOptions.values.keys.sorted().map { "\(TOMLText.key($0)) = \(TOMLText.value(envOptions.values[$0]!))" }
        }
        lines.append("\n[params]")
        lines += params.values.keys.sorted().map { "\(TOMLText.key($0)) = \(TOMLText.value(params.values[$0]!))" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The spec the core's trial factory receives for one seed.
    public func trialSpec(seed: Int) -> TrialSpec {
        TrialSpec(env: env, envOptions: envOptions, rule: rule, ruleParameters: params, seed: UInt64(seed))
    }
}

/// A paper module's `experiments.toml`.
public struct PaperExperiments: Sendable {
    /// The paper module's id (`paper`), e.g. "map-prop".
    public var paper: String
    /// The paper's title, shown in reports (`title`; the id when absent).
    public var title: String
    /// Profile name -> what the profile is for.
    public var profiles: [String: String]
    /// Profile name -> the only experiments it runs, for a profile declared as a table with
    /// `experiments = [...]` (e.g. `ci`: the paper's full protocol of the experiments that fit
    /// in CI); a profile not listed runs every experiment.
    public var profileExperiments: [String: [String]] = [:]
    /// The experiments, in file order.
    public var experiments: [ExperimentSpec]
    /// Figure id -> title (optional `[figures]` table); the id itself when absent.
    public var figureTitles: [String: String]
    /// The learning rows this paper adds to `make bench` (optional `[[bench]]` tables).
    public var benchmarks: [BenchmarkRow]
    /// The path the file was read from.
    public var file: String

    /// Reads and checks an experiments file; any problem is one `ConfigError` naming the
    /// file and the key.
    public static func load(_ path: String) throws -> PaperExperiments {
        try read(ConfigFile.load(path), file: path)
    }

    /// Parses and checks experiments-file text; `file` names it in errors (the fuzz target's
    /// entry point: the same checks as `load`, without the file system).
    public static func parse(_ text: String, file: String) throws -> PaperExperiments {
        try read(ConfigFile.parse(text, file: file), file: file)
    }

    static func read(_ table: [String: ConfigEntry], file path: String) throws -> PaperExperiments {
        let root = ConfigReader(file: path, path: "", table: table)
        try root.rejectUnknownKeys(["paper", "title", "profiles", "figures", "experiments", "bench"])
        let paper = try root.requiredString("paper")
        if let problem = Limits.checkName(paper) { throw root.error("paper", problem) }
        let title = try root.string("title") ?? paper
        var profiles: [String: String] = [:]
        var selections: [String: (reader: ConfigReader, ids: [String])] = [:]
        if let p = try root.subtable("profiles") {
            for k in p.table.keys {
                if let problem = Limits.checkName(k) { throw p.error(k, problem) }
                if let table = try? p.subtable(k) {
                    try table.rejectUnknownKeys(["description", "experiments"])
                    profiles[k] = try table.requiredString("description")
                    selections[k] = (table, try table.requiredStrings("experiments"))
                } else {
                    profiles[k] = try p.requiredString(k)
                }
            }
        }
        guard !profiles.isEmpty else { throw root.error("profiles", "missing: describe at least the profile \"full\"") }
        var figureTitles: [String: String] = [:]
        if let f = try root.subtable("figures") {
            for k in f.table.keys { figureTitles[k] = try f.requiredString(k) }
        }
        var experiments: [ExperimentSpec] = []
        let tables = try root.tables("experiments")
        guard !tables.isEmpty else { throw root.error("experiments", "missing: add at least one [[experiments]] table") }
        for t in tables {
            let spec = try parseExperiment(t, profiles: Set(profiles.keys))
            if experiments.contains(where: { $0.id == spec.id }) {
                throw t.error("id", "duplicate experiment id \"\(spec.id)\"")
            }
            experiments.append(spec)
        }
        var profileExperiments: [String: [String]] = [:]
        for (name, selection) in selections {
            guard !selection.ids.isEmpty else { throw selection.reader.error("experiments", "lists no experiment") }
            for id in selection.ids where !experiments.contains(where: { $0.id == id }) {
                throw selection.reader.error("experiments", "no experiment \"\(id)\" in this file")
            }
            profileExperiments[name] = selection.ids
        }
        let benchmarks = try BenchmarkRow.parse(root, experiments: experiments)
        return PaperExperiments(
            paper: paper, title: title, profiles: profiles, profileExperiments: profileExperiments, experiments: experiments,
            figureTitles: figureTitles, benchmarks: benchmarks, file: path)
    }

    /// The experiments `profile` runs, in file order.
    public func experiments(in profile: String) -> [ExperimentSpec] {
        guard let ids = profileExperiments[profile] else { return experiments }
        return experiments.filter { ids.contains($0.id) }
    }

    static func parseExperiment(_ t: ConfigReader, profiles: Set<String>) throws -> ExperimentSpec {
        try t.rejectUnknownKeys(["id", "kind", "env", "rule", "label", "figure", "units", "seeds", "env_options", "params", "profiles"])
        let kind = try t.string("kind") ?? EpisodicTrials.kindName
        let env = try t.string("env")
        let rule = try t.requiredString("rule")
        let implementation: RuleImplementation
        do {
            implementation = try Catalog.resolve(kind: kind, rule: rule, task: env).implementation
        } catch let e as CatalogError {
            throw t.error(e.key, e.description)
        }
        let id = try t.requiredString("id")
        if let problem = Limits.checkName(id) { throw t.error("id", problem) }
        let units = try t.requiredInt("units")
        if let problem = Limits.checkUnits(units) { throw t.error("units", problem) }
        guard let seedValue = try t.value("seeds") else { throw t.error("seeds", "missing: a range like \"0..9\" or an array of integers") }
        let seeds = try parseSeeds(seedValue, reader: t, key: "seeds")
        // Hyperparameters are checked against the rule's table now, for the experiment and
        // for every profile, so that no log is created before an error is found.
        let params = try t.subtable("params")?.parameters() ?? Hyperparameters()
        _ = try implementation.parameters.read(params)
        var overrides: [String: ExperimentSpec.ProfileOverride] = [:]
        if let p = try t.subtable("profiles") {
            for name in p.table.keys.sorted() {
                guard profiles.contains(name) else {
                    throw p.error(name, "profile \"\(name)\" is not described in [profiles]")
                }
                guard let o = try p.subtable(name) else { continue }
                try o.rejectUnknownKeys(["units", "seeds", "params"])
                var override = ExperimentSpec.ProfileOverride()
                override.units = try o.int("units")
                if let u = override.units, let problem = Limits.checkUnits(u) { throw o.error("units", problem) }
                if let s = try o.value("seeds") { override.seeds = try parseSeeds(s, reader: o, key: "seeds") }
                if let overridden = try o.subtable("params")?.parameters() {
                    override.params = overridden.values
                    var merged = overridden
                    merged.values.merge(params.values) { profile, _ in profile }
                    _ = try implementation.parameters.read(merged)
                }
                overrides[name] = override
            }
        }
        return ExperimentSpec(
            id: id, kind: kind, env: env,
            envOptions: try t.subtable("env_options")?.parameters() ?? Hyperparameters(),
            rule: rule,
            params: params,
            label: try t.string("label"), figure: try t.string("figure"),
            units: units, seeds: seeds, profiles: overrides)
    }

    static func parseSeeds(_ value: ParameterValue, reader: ConfigReader, key: String) throws -> [Int] {
        switch value {
        case .string(let s):
            do { return try SeedRange.parse(s) } catch let e as SeedRange.Error { throw reader.error(key, e.description) }
        case .list(let items):
            let seeds = try items.map { item -> Int in
                guard case .integer(let i) = item, i >= 0 else { throw reader.error(key, "expected non-negative integers") }
                guard i <= Limits.maxSeed else {
                    throw reader.error(key, "seed \(i) is larger than the largest seed, \(Limits.maxSeed)")
                }
                return i
            }
            guard seeds.count <= Limits.maxSeeds else { throw reader.error(key, "more than \(Limits.maxSeeds) seeds") }
            guard !seeds.isEmpty, Set(seeds).count == seeds.count else {
                throw reader.error(key, "expected a non-empty list of distinct seeds")
            }
            return seeds
        default:
            throw reader.error(key, "expected a range like \"0..9\" or an array of integers, found \(value)")
        }
    }

    /// The experiment with id `id`, or nil.
    public func experiment(_ id: String) -> ExperimentSpec? { experiments.first { $0.id == id } }

    /// Where a profile's run logs and report live: `runs/<paper>/` for the paper's full
    /// protocol, `runs/<paper>/<profile>/` for any other profile. The logs of another
    /// experiments file of the paper (`variant`, its name without extension, e.g. "sweep")
    /// go one level down, `runs/<paper>/<variant>/[<profile>/]`, so they never mix with the
    /// logs the verifier reads.
    public static func outputDirectory(paper: String, profile: String, variant: String? = nil, runs: String = "runs") -> String {
        let base = variant.map { "\(runs)/\(paper)/\($0)" } ?? "\(runs)/\(paper)"
        return profile == "full" ? base : "\(base)/\(profile)"
    }
}

/// The sizes an experiment may ask for, checked (with overflow-safe arithmetic) before
/// anything is allocated or written: a typo such as a seed range of 10^8 or a budget near
/// `Int.max` is one error naming the key, not gigabytes of memory or a trap.
public enum Limits {
    /// Most seeds one experiment (or `--seeds`) may list.
    public static let maxSeeds = 10_000
    /// The largest seed (seeds are 32-bit: 0...4294967295).
    public static let maxSeed = Int(UInt32.max)
    /// Most units (episodes, batches, blocks) per seed.
    public static let maxUnits = 1_000_000_000

    /// Checks a unit budget; the message says what was expected.
    public static func checkUnits(_ units: Int) -> String? {
        (1...maxUnits).contains(units) ? nil : "must be between 1 and \(maxUnits), found \(units)"
    }

    /// Checks a name that becomes part of a file or directory name (an experiment id, a
    /// paper, a profile): 1 to 100 of `A-Z a-z 0-9 . _ -`, not starting with `.` or `-`, so
    /// that no name from a file can point outside the output directory or hide a file.
    public static func checkName(_ name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 100, name.allSatisfy({ allowed.contains($0) }),
              let first = name.first, first != ".", first != "-" else {
            return "\"\(name)\" is not a valid name: use 1 to 100 of the characters A-Z a-z 0-9 . _ -, not starting with . or -"
        }
        return nil
    }
}

/// Seed lists on the command line and in files: "3", "0..9" (inclusive), "1,4,7".
public enum SeedRange {
    /// A seed list that cannot be read; its `description` says what was expected.
    public struct Error: Swift.Error, CustomStringConvertible {
        /// The one-line message for the user.
        public let description: String
    }

    /// The seeds in the syntax `parse` reads: `a..b` for consecutive seeds, else a list.
    public static func describe(_ seeds: [Int]) -> String {
        guard let first = seeds.first, let last = seeds.last else { return "none" }
        if seeds.count > 1, first < last, seeds == Array(first...last) { return "\(first)..\(last)" }
        return seeds.map(String.init).joined(separator: ",")
    }

    /// Parses "3", "0..9" (inclusive) or "1,4,7" into seeds, in the order given; negative or
    /// repeated seeds are errors.
    public static func parse(_ text: String) throws -> [Int] {
        let expected = "expected a seed range like 0..9 (inclusive), a list like 1,4,7, or one seed"
        var seeds: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let p = part.trimmingCharacters(in: .whitespaces)
            if let range = p.range(of: "..") {
                guard let a = Int(p[..<range.lowerBound]), let b = Int(p[range.upperBound...]), a >= 0, a <= b else {
                    throw Error(description: "\"\(text)\": \(expected)")
                }
                try checkBounds(text, b)
                // b - a cannot overflow (0 <= a <= b); the count is checked before allocating.
                guard b - a < Limits.maxSeeds - seeds.count else { throw tooMany(text) }
                seeds += Array(a...b)
            } else {
                guard let s = Int(p), s >= 0 else { throw Error(description: "\"\(text)\": \(expected)") }
                try checkBounds(text, s)
                guard seeds.count < Limits.maxSeeds else { throw tooMany(text) }
                seeds.append(s)
            }
        }
        guard Set(seeds).count == seeds.count else { throw Error(description: "\"\(text)\": seeds repeat") }
        return seeds
    }

    static func checkBounds(_ text: String, _ seed: Int) throws {
        guard seed <= Limits.maxSeed else {
            throw Error(description: "\"\(text)\": seed \(seed) is larger than the largest seed, \(Limits.maxSeed)")
        }
    }

    static func tooMany(_ text: String) -> Error {
        Error(description: "\"\(text)\": more than \(Limits.maxSeeds) seeds")
    }
}
