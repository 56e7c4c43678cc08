import Foundation
import Synchronization
import Testing
import ThreeFactor
@testable import Replication

@Suite struct RunnerTests {
    func run(_ spec: ExperimentSpec, path: String, jobs: Int, interval: Double = 0.5,
             stop: @escaping @Sendable () -> Bool = { false }, factory: @escaping Runner.TrialFactory = walkFactory) throws -> RunOutcome {
        let runner = Runner(jobs: jobs, checkpointInterval: interval, shouldStop: stop, makeTrial: factory)
        return try runner.run([RunRequest(paper: "test", profile: "quick", experiment: spec, path: path)])[0]
    }

    @Test func logRoundTripHasEveryUnitAndAttribute() throws {
        let dir = Scratch.directory()
        let outcome = try run(walkExperiment(), path: "\(dir)/a.h5", jobs: 2)
        #expect(outcome.allComplete)
        let log = try RunLog.read("\(dir)/a.h5")
        #expect(log.paper == "test" && log.experiment == "walk" && log.profile == "quick" && log.expectedUnits == 50)
        #expect(log.seeds.map(\.seed) == [0, 1, 2, 3])
        for s in log.seeds {
            #expect(s.status == .complete)
            #expect(s.unitsDone == 50)
            // The logged values are exactly what the trial produces when run directly.
            var direct = RandomWalkTrial(seed: s.seed)
            var record = [0.0, 0.0, 0.0]
            var expected: [Double] = []
            for _ in 0..<50 {
                direct.runUnit(record: &record)
                expected.append(record[0])
            }
            #expect(s.series["episode_return"] == expected)
        }
    }

    /// Each seed records the CPU time of its thread beside its wall-clock time; a resume adds
    /// to both. (A busy loop in the trial makes the time measurable.)
    @Test func everySeedRecordsItsCPUSeconds() throws {
        let dir = Scratch.directory()
        let busy: Runner.TrialFactory = { _, seed in BusyTrial(inner: RandomWalkTrial(seed: seed)) }
        let stopAfter = Atomic<Int>(0)
        let first = try run(walkExperiment(units: 40, seeds: [0]), path: "\(dir)/a.h5", jobs: 1, interval: 0,
                            stop: { stopAfter.add(1, ordering: .relaxed).newValue > 20 }, factory: busy)
        #expect(first.statuses[0] == .interrupted)
        let partial = try #require(try RunLog.read("\(dir)/a.h5").seeds.first?.cpuSeconds)
        #expect(partial > 0)
        _ = try run(walkExperiment(units: 40, seeds: [0]), path: "\(dir)/a.h5", jobs: 1, factory: busy)
        let seed = try #require(try RunLog.read("\(dir)/a.h5").seeds.first)
        let cpu = try #require(seed.cpuSeconds)
        #expect(cpu > partial && cpu <= seed.wallSeconds + 0.05, "cpu \(cpu), wall \(seed.wallSeconds), after the first session \(partial)")
    }

    @Test func resultsDoNotDependOnTheNumberOfThreads() throws {
        let dir = Scratch.directory()
        _ = try run(walkExperiment(seeds: Array(0..<6)), path: "\(dir)/one.h5", jobs: 1)
        _ = try run(walkExperiment(seeds: Array(0..<6)), path: "\(dir)/many.h5", jobs: 4)
        let one = try RunLog.read("\(dir)/one.h5"), many = try RunLog.read("\(dir)/many.h5")
        #expect(one.seeds.map(\.series) == many.seeds.map(\.series))
        #expect(one.seeds.map(\.status) == many.seeds.map(\.status))
    }

    @Test func interruptedRunResumesToTheSameNumbers() throws {
        let dir = Scratch.directory()
        let spec = walkExperiment(units: 200)
        _ = try run(spec, path: "\(dir)/straight.h5", jobs: 2)

        // Stop after roughly a third of the work, committing every unit.
        let calls = Atomic<Int>(0)
        let first = try run(spec, path: "\(dir)/resumed.h5", jobs: 2, interval: 0,
                            stop: { calls.add(1, ordering: .relaxed).newValue > 250 })
        #expect(first.statuses.values.contains(.interrupted))
        let partial = try RunLog.read("\(dir)/resumed.h5")
        #expect(partial.seeds.contains { $0.status == .interrupted && $0.unitsDone < 200 })

        let second = try run(spec, path: "\(dir)/resumed.h5", jobs: 2)
        #expect(second.allComplete)
        let a = try RunLog.read("\(dir)/straight.h5"), b = try RunLog.read("\(dir)/resumed.h5")
        #expect(a.seeds.map(\.series) == b.seeds.map(\.series))
    }

    @Test func differentConfigurationIsRefusedAndTheFileIsUntouched() throws {
        let dir = Scratch.directory()
        let path = "\(dir)/a.h5"
        _ = try run(walkExperiment(units: 20), path: path, jobs: 2)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: RunLog.OpenError.self) { try run(walkExperiment(units: 30), path: path, jobs: 2) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func aFileThatIsNotARunLogIsNotTouched() throws {
        let dir = Scratch.directory()
        let path = "\(dir)/notes.h5"
        try Data("precious notes".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: RunLog.OpenError.self) { try run(walkExperiment(), path: path, jobs: 1) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious notes")
    }

    @Test func unwritableDirectoryIsReportedBeforeRunning() throws {
        #expect(throws: RunLog.OpenError.self) { try run(walkExperiment(), path: "/nonexistent-dir/x.h5", jobs: 1) }
    }

    @Test func divergedSeedIsRecordedAsDivergedAndStops() throws {
        let dir = Scratch.directory()
        let outcome = try run(walkExperiment(units: 30, seeds: [0, 1]), path: "\(dir)/d.h5", jobs: 2,
                              factory: { _, seed in RandomWalkTrial(seed: seed, divergeAt: seed == 1 ? 10 : nil) })
        #expect(outcome.statuses == [0: .complete, 1: .diverged])
        let log = try RunLog.read("\(dir)/d.h5")
        #expect(log.seeds[1].status == .diverged)
        #expect(log.seeds[1].unitsDone == 10)
        // A rerun does not continue a diverged seed.
        let again = try run(walkExperiment(units: 30, seeds: [0, 1]), path: "\(dir)/d.h5", jobs: 2,
                            factory: { _, seed in RandomWalkTrial(seed: seed, divergeAt: seed == 1 ? 10 : nil) })
        #expect(again.statuses == [0: .complete, 1: .diverged])
        #expect(try RunLog.read("\(dir)/d.h5").seeds[1].unitsDone == 10)
    }

    /// An error in a later experiment (a trial that cannot be built, or an existing log of
    /// another configuration) is found before the log of an earlier experiment is created.
    @Test func aLaterExperimentsErrorIsFoundBeforeAnyLogIsCreated() throws {
        let dir = Scratch.directory()
        let runner = Runner(jobs: 1, shouldStop: { false }, makeTrial: { e, seed in
            if e.id == "bad" { throw ConfigError(file: "x.toml", key: "rule", message: "cannot build") }
            return RandomWalkTrial(seed: seed)
        })
        let requests = [
            RunRequest(paper: "test", profile: "quick", experiment: walkExperiment(id: "good"), path: "\(dir)/good.h5"),
            RunRequest(paper: "test", profile: "quick", experiment: walkExperiment(id: "bad"), path: "\(dir)/bad.h5"),
        ]
        #expect(throws: ConfigError.self) { try runner.run(requests) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)

        _ = try run(walkExperiment(units: 20, id: "other"), path: "\(dir)/other.h5", jobs: 1)
        let mixed = [
            RunRequest(paper: "test", profile: "quick", experiment: walkExperiment(id: "good"), path: "\(dir)/good.h5"),
            RunRequest(paper: "test", profile: "quick", experiment: walkExperiment(units: 30, id: "other"), path: "\(dir)/other.h5"),
        ]
        #expect(throws: RunLog.OpenError.self) { try Runner(jobs: 1, shouldStop: { false }, makeTrial: walkFactory).run(mixed) }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/good.h5"))
    }

    /// The progress display: an experiment is registered before any of its seeds is reported
    /// (a rerun reports the seeds already complete by the experiment's name), and a second run
    /// in the same process (the benchmark's evaluation after its tuning, numbered from 0
    /// again) starts from fresh counts.
    @Test func progressCountsEachRunOnItsOwn() throws {
        let dir = Scratch.directory()
        let progress = ConsoleProgress(isTerminal: false, logInterval: 3600)
        let runner = Runner(jobs: 1, progress: progress, shouldStop: { false }, makeTrial: walkFactory)
        let first = RunRequest(paper: "test", profile: "quick", experiment: walkExperiment(units: 5, seeds: [0, 1], id: "first"), path: "\(dir)/a.h5")
        _ = try runner.run([first])
        let second = RunRequest(paper: "test", profile: "quick", experiment: walkExperiment(units: 3, seeds: [0], id: "second"), path: "\(dir)/b.h5")
        _ = try runner.run([second])
        #expect(progress.summaryLines().isEmpty, "a finished run leaves no entry behind")
        progress.register(request: 0, experiment: second.experiment)
        progress.seedFinished(request: 0, seed: 0, unitsDone: 3, status: .complete, resumed: true)
        let line = progress.summaryLines().joined()
        #expect(line.hasPrefix("second") && line.contains("units 3/3") && line.contains("seeds complete 1/1"), "\(line)")

        let recorder = ProgressRecorder()
        _ = try Runner(jobs: 1, progress: recorder, shouldStop: { false }, makeTrial: walkFactory).run([first])
        #expect(recorder.events.first == "register 0", "\(recorder.events)")
        #expect(recorder.events.contains("finished 0 seed 1 resumed"), "\(recorder.events)")
    }
}

/// A trial that spends about a millisecond of CPU per unit before the wrapped trial's unit.
struct BusyTrial: Trial {
    var inner: RandomWalkTrial
    var seriesNames: [String] { inner.seriesNames }
    var hasDiverged: Bool { inner.hasDiverged }
    mutating func runUnit(record: inout [Double]) {
        var x = 1.0
        for i in 0..<200_000 { x = x * 1.000_000_1 + Double(i & 1) * 1e-12 }
        inner.runUnit(record: &record)
        record[1] += x * 0  // keeps the loop from being optimised away without changing a number
    }
    func save(to archive: inout StateArchive) { inner.save(to: &archive) }
    mutating func load(from reader: inout StateArchive.Reader) throws { try inner.load(from: &reader) }
}

/// Records the runner's progress events in order.
final class ProgressRecorder: RunProgress, @unchecked Sendable {
    let lock = NSLock()
    var events: [String] = []
    func record(_ e: String) { lock.withLock { events.append(e) } }
    func register(request: Int, experiment: ExperimentSpec) { record("register \(request)") }
    func start() { record("start") }
    func seedStarted(request: Int, seed: Int, unitsDone: Int) { record("started \(request) seed \(seed)") }
    func unitDone(request: Int, seed: Int, record: [Double]) {}
    func seedFinished(request: Int, seed: Int, unitsDone: Int, status: RunStatus, resumed: Bool) {
        record("finished \(request) seed \(seed)\(resumed ? " resumed" : "")")
    }
    func stop() { record("stop") }
}
