import Foundation
import ThreeFactor

/// One experiment to run under a profile, logged to one HDF5 file.
public struct RunRequest: Sendable {
    /// The paper module's id.
    public var paper: String
    /// The profile.
    public var profile: String
    /// Already resolved for the profile.
    public var experiment: ExperimentSpec
    /// The run log's path.
    public var path: String
    /// A request from its parts; `experiment` must already be resolved for the profile.
    public init(paper: String, profile: String, experiment: ExperimentSpec, path: String) {
        self.paper = paper
        self.profile = profile
        self.experiment = experiment
        self.path = path
    }
}

/// How each seed of each experiment ended.
public struct RunOutcome: Sendable {
    /// The run log's path.
    public var path: String
    /// How each seed ended, by seed.
    public var statuses: [Int: RunStatus]
}

/// Runs every seed of every requested experiment on a pool of worker threads.
///
/// A seed is the unit of parallelism; each seed's trial is a pure function of
/// (experiment, seed), so the logged numbers do not depend on the number of workers.
/// Each seed commits its new records and a checkpoint to the run log at most every
/// `checkpointInterval` seconds and whenever it stops, so an interruption loses at most the
/// units in flight plus that interval (a graceful Ctrl-C loses only the unit in flight),
/// and a rerun of the same command continues from the checkpoints.
public final class Runner: @unchecked Sendable {
    /// Builds the trial of an experiment for one seed.
    public typealias TrialFactory = @Sendable (ExperimentSpec, Int) throws -> any Trial

    /// The number of worker threads; seeds run in parallel, one per worker.
    public let jobs: Int
    /// The longest time, in seconds, between two commits of a seed to its log.
    public let checkpointInterval: Double
    let makeTrial: TrialFactory
    let progress: RunProgress?
    /// Polled between units; true stops every seed at that boundary (Ctrl-C by default).
    let shouldStop: @Sendable () -> Bool
    /// Bytes that must stay free on a log's file system (`RunLog.checkSpace`).
    let reserveBytes: UInt64
    /// Set when a seed fails (a full disk, a write error): every other seed then stops at its
    /// next unit boundary and commits, instead of running on to its end.
    let failed = FailureFlag()

    final class FailureFlag: @unchecked Sendable {
        let lock = NSLock()
        var value = false
        func set() { lock.withLock { value = true } }
        func reset() { lock.withLock { value = false } }
        var isSet: Bool { lock.withLock { value } }
    }

    /// A runner with `jobs` workers (default: one per core), committing at least every
    /// `checkpointInterval` seconds. `shouldStop` is polled between units (Ctrl-C by default);
    /// `makeTrial` builds the trials (default: through the `Catalog`).
    public init(jobs: Int? = nil, checkpointInterval: Double = 0.5, progress: RunProgress? = nil,
                shouldStop: @escaping @Sendable () -> Bool = { Interrupt.requested },
                makeTrial: TrialFactory? = nil, reserveBytes: UInt64 = RunLog.defaultReserveBytes) {
        self.reserveBytes = reserveBytes
        self.jobs = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        self.checkpointInterval = checkpointInterval
        self.progress = progress
        self.shouldStop = shouldStop
        self.makeTrial = makeTrial ?? Runner.registeredTrial
    }

    /// Builds a trial through the catalog.
    @Sendable public static func registeredTrial(_ e: ExperimentSpec, _ seed: Int) throws -> any Trial {
        try Catalog.makeTrial(kind: e.kind, e.trialSpec(seed: seed))
    }

    struct Job {
        var request: Int
        var seed: Int
    }

    /// Builds every request's trial and checks every existing log (read-only), so that an
    /// error in a later experiment is found before the log of an earlier one is created, and
    /// before anything is submitted to a cluster. Returns each request's series names (empty
    /// for a request without seeds).
    public func validate(_ requests: [RunRequest]) throws -> [[String]] {
        var seriesNames: [[String]] = []
        for r in requests {
            guard let firstSeed = r.experiment.seeds.first else { seriesNames.append([]); continue }
            let names = try makeTrial(r.experiment, firstSeed).seriesNames
            seriesNames.append(names)
            if FileManager.default.fileExists(atPath: r.path) {
                HDF5File.lockLibrary()
                defer { HDF5File.unlockLibrary() }
                try RunLog.checkCompatible(
                    path: r.path, header: .init(paper: r.paper, profile: r.profile, experiment: r.experiment), seriesNames: names)
            }
        }
        return seriesNames
    }

    /// Runs the requests. Every configuration is validated and every log opened before any
    /// seed starts, so a bad setting stops the run before anything is written.
    public func run(_ requests: [RunRequest]) throws -> [RunOutcome] {
        // A log is released (its memory and its writer lock) as soon as the last of its seeds
        // stops.
        var logs: [RunLog?] = []
        var seedsLeft: [Int] = []
        var jobs: [Job] = []
        var outcomes: [RunOutcome] = []
        failed.reset()
        let seriesNames = try validate(requests)
        for (i, r) in requests.enumerated() {
            guard !r.experiment.seeds.isEmpty else { continue }
            let log = try RunLog(path: r.path, header: .init(paper: r.paper, profile: r.profile, experiment: r.experiment),
                                 seriesNames: seriesNames[i], reserveBytes: reserveBytes)
            logs.append(log)
            progress?.register(request: i, experiment: r.experiment)
            var statuses: [Int: RunStatus] = [:]
            for seed in r.experiment.seeds {
                let state = try log.prepareSeed(seed)
                if let s = state.status, s != .interrupted {
                    statuses[seed] = s
                    progress?.seedFinished(request: i, seed: seed, unitsDone: state.unitsDone, status: s, resumed: true)
                } else {
                    jobs.append(Job(request: i, seed: seed))
                }
            }
            outcomes.append(RunOutcome(path: r.path, statuses: statuses))
            seedsLeft.append(jobs.filter { $0.request == i }.count)
            if seedsLeft[i] == 0 { logs[i] = nil }
        }
        progress?.start()
        defer { progress?.stop() }

        let queueLock = NSLock()
        var next = 0
        var errors: [Error] = []
        let workerCount = min(self.jobs, jobs.count)
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            while true {
                queueLock.lock()
                guard next < jobs.count, errors.isEmpty, !shouldStop() else {
                    queueLock.unlock()
                    return
                }
                let job = jobs[next]
                next += 1
                let log = logs[job.request]!
                queueLock.unlock()
                var status: RunStatus?
                do {
                    status = try runSeed(job, request: requests[job.request], log: log)
                } catch {
                    failed.set()
                    queueLock.lock()
                    errors.append(error)
                    queueLock.unlock()
                }
                queueLock.lock()
                outcomes[job.request].statuses[job.seed] = status
                seedsLeft[job.request] -= 1
                if seedsLeft[job.request] == 0 { logs[job.request] = nil }
                queueLock.unlock()
            }
        }
        if let e = errors.first { throw e }
        for (i, r) in requests.enumerated() {
            for seed in r.experiment.seeds where outcomes[i].statuses[seed] == nil {
                outcomes[i].statuses[seed] = .interrupted
            }
        }
        return outcomes
    }

    /// CPU seconds used by the calling thread. A seed runs on one worker thread from its start
    /// to its last commit, so the difference of two readings is that seed's CPU time.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    func runSeed(_ job: Job, request: RunRequest, log: RunLog) throws -> RunStatus {
        var trial = try makeTrial(request.experiment, job.seed)
        let state = try log.prepareSeed(job.seed)
        var unitsDone = 0
        if let checkpoint = state.checkpoint {
            var reader = StateArchive.Reader(checkpoint)
            do {
                try trial.load(from: &reader)
                guard reader.isAtEnd else { throw CheckpointError.trailingWords(checkpoint.words.count - reader.position) }
            } catch {
                throw RunLog.LogError(path: request.path, message: "seed \(job.seed): /seed_\(job.seed)/checkpoint does not fit this trial (\(error))")
            }
            unitsDone = state.unitsDone
        }
        let units = request.experiment.units
        var record = [Double](repeating: 0, count: trial.seriesNames.count)
        var pending: [[Double]] = []
        let started = Date()
        let startedCPU = Self.threadCPUSeconds()
        var lastCommit = started
        func commit(_ status: RunStatus) throws {
            var archive = StateArchive()
            trial.save(to: &archive)
            try log.commit(seed: job.seed, rows: pending, unitsDone: unitsDone, checkpoint: archive, status: status,
                           wallSeconds: state.wallSeconds + Date().timeIntervalSince(started),
                           cpuSeconds: state.cpuSeconds + Self.threadCPUSeconds() - startedCPU)
            pending.removeAll(keepingCapacity: true)
            lastCommit = Date()
        }
        progress?.seedStarted(request: job.request, seed: job.seed, unitsDone: unitsDone)
        while unitsDone < units {
            if shouldStop() || failed.isSet {
                try commit(.interrupted)
                progress?.seedFinished(request: job.request, seed: job.seed, unitsDone: unitsDone, status: .interrupted, resumed: false)
                return .interrupted
            }
            trial.runUnit(record: &record)
            unitsDone += 1
            pending.append(record)
            progress?.unitDone(request: job.request, seed: job.seed, record: record)
            if trial.hasDiverged || record.contains(where: { !$0.isFinite }) {
                try commit(.diverged)
                progress?.seedFinished(request: job.request, seed: job.seed, unitsDone: unitsDone, status: .diverged, resumed: false)
                return .diverged
            }
            if Date().timeIntervalSince(lastCommit) >= checkpointInterval, unitsDone < units {
                try commit(.interrupted)
            }
        }
        try commit(.complete)
        progress?.seedFinished(request: job.request, seed: job.seed, unitsDone: unitsDone, status: .complete, resumed: false)
        return .complete
    }
}
