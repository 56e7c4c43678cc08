import ThreeFactor

/// How a seed's run ended.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    /// All units of the experiment were run.
    case complete
    /// The run stopped early (interrupted, killed, or still running); a rerun resumes it.
    case interrupted
    /// A parameter or a logged value became NaN or infinite; the run stopped there.
    case diverged
}

/// One seed's logged series, as read back from a run log.
public struct SeedLog: Sendable, Equatable {
    /// The seed.
    public var seed: Int
    /// How the seed's run ended (or stands).
    public var status: RunStatus
    /// One value per completed unit for every series name of the trial
    /// (e.g. "episode_return", "episode_length", rule diagnostics).
    public var series: [String: [Double]]
    /// Wall-clock seconds the seed has run, over all its sessions.
    public var wallSeconds: Double
    /// CPU seconds its thread used, over all its sessions; nil in a log written before the
    /// attribute existed.
    public var cpuSeconds: Double?

    /// A seed's log from its parts.
    public init(seed: Int, status: RunStatus, series: [String: [Double]], wallSeconds: Double = 0, cpuSeconds: Double? = nil) {
        self.cpuSeconds = cpuSeconds
        self.seed = seed
        self.status = status
        self.series = series
        self.wallSeconds = wallSeconds
    }

    /// Number of completed units (the length of the shortest series).
    public var unitsDone: Int { series.values.map(\.count).min() ?? 0 }
}

/// Everything the verifier and the figures need from one experiment's run log.
public struct ExperimentLog: Sendable, Equatable {
    /// The paper module's id.
    public var paper: String
    /// The experiment's id.
    public var experiment: String
    /// The profile the log was run under.
    public var profile: String
    /// Legend label of the method (from the experiment file).
    public var label: String
    /// Experiments with the same figure id are drawn in one figure.
    public var figure: String
    /// Units (episodes, batches, blocks) each seed must complete.
    public var expectedUnits: Int
    /// Every seed in the log, in seed order.
    public var seeds: [SeedLog]
    /// The resolved configuration the log was run with (its `config` attribute); nil for a
    /// log built in memory. The verifier holds it against the experiment file's.
    public var config: String?

    /// A log from its parts.
    public init(
        paper: String, experiment: String, profile: String, label: String, figure: String,
        expectedUnits: Int, seeds: [SeedLog], config: String? = nil
    ) {
        self.config = config
        self.paper = paper
        self.experiment = experiment
        self.profile = profile
        self.label = label
        self.figure = figure
        self.expectedUnits = expectedUnits
        self.seeds = seeds
    }
}
