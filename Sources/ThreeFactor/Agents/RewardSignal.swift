/// The global learning signal of the policy-gradient family (NRL, RMHL, BP) and its record for
/// one episode: the moving-average baseline, the episode's return, the last relative error
/// δ = (R − R̄)/|R| (episodic mode) and the RMS of the per-step errors r_t − r̄ (immediate
/// mode). The three rules differ only in what they multiply this signal with.
struct RewardSignal: Sendable, Equatable {
    let mode: RewardMode
    private(set) var baseline: RewardBaseline
    private(set) var episodeReturn = 0.0
    private(set) var lastDelta = 0.0
    private var squaredErrorSum = 0.0
    private var errorCount = 0

    init(mode: RewardMode, baselineRate: Double) {
        self.mode = mode
        baseline = RewardBaseline(rate: baselineRate)
    }

    /// Clears the episode's record; in immediate mode the baseline restarts with the trial.
    mutating func beginEpisode() {
        episodeReturn = 0
        lastDelta = 0
        squaredErrorSum = 0
        errorCount = 0
        if mode == .immediate { baseline.restart() }
    }

    /// Adds a reward to the return; in immediate mode returns r_t − r̄ and updates r̄
    /// (nil on a trial's first step, and always nil in episodic mode).
    mutating func record(reward: Double) -> Double? {
        episodeReturn += reward
        guard mode == .immediate, let error = baseline.error(reward: reward) else { return nil }
        squaredErrorSum += error * error
        errorCount += 1
        return error
    }

    /// At the end of an episode (episodic mode): δ and the baseline update; nil on the first
    /// episode, which only initialises the baseline.
    mutating func episodeError() -> Double? {
        guard let delta = baseline.relativeError(episodeReturn: episodeReturn) else {
            lastDelta = 0
            return nil
        }
        lastDelta = delta
        return delta
    }

    var diagnosticNames: [String] {
        mode == .episodic ? ["rpe", "return_baseline", "weight_norm"] : ["rpe_rms", "weight_norm"]
    }

    func writeDiagnostics(_ diagnostics: inout [Double], weightNorm: Double) {
        switch mode {
        case .episodic:
            diagnostics[0] = lastDelta
            diagnostics[1] = baseline.value
            diagnostics[2] = weightNorm
        case .immediate:
            diagnostics[0] = errorCount > 0 ? (squaredErrorSum / Double(errorCount)).squareRoot() : 0
            diagnostics[1] = weightNorm
        }
    }
}

extension RewardSignal: Checkpointable {
    func save(to archive: inout StateArchive) {
        baseline.save(to: &archive)
        archive.append(episodeReturn)
        archive.append(lastDelta)
        archive.append(squaredErrorSum)
        archive.append(errorCount)
    }

    mutating func load(from reader: inout StateArchive.Reader) throws {
        try baseline.load(from: &reader)
        episodeReturn = try reader.double()
        lastDelta = try reader.double()
        squaredErrorSum = try reader.double()
        errorCount = try reader.int()
    }
}
