import ArgumentParser
import Foundation
import Replication

/// One command's work on Slurm: its phases (a replication has one; the benchmark two, tuning
/// then evaluation), each a job array over its shards and a merge job, chained by
/// dependencies; and the array tasks and merge jobs that the submitted scripts run by calling
/// the same command back with a hidden `--slurm-task` or `--slurm-merge`.
///
/// Chain: array(p) → merge(p) `afterany:array(p)` (so that the merge runs, and names the failed
/// shard and its log, even when a task failed) and `afterok:merge(p-1)`; array(p)
/// `afterok:merge(p-1)`. The last merge job then goes on as the one-machine command does
/// (verification, report, figures), finding every log complete.
///
/// Files, under `directory` (`<out>/slurm`): `<phase>-array.sbatch`, `<phase>-merge.sbatch`,
/// `shards/…` (`ShardPlan`), `logs/<phase>-<index>.out` (array tasks, appended by reruns),
/// `logs/<phase>-merge.out` and `logs/<phase>-merge.exit` ("<job id> <exit status>"), and
/// `jobs` (the last submission's job ids).
struct ClusterJob {
    /// One phase: a name (`run`, `tuning`, `evaluation`) and its sharded requests.
    struct Phase {
        var name: String
        var plan: ShardPlan
    }

    let options: SlurmOptions
    /// The job name when `--job-name` is not given.
    let defaultName: String
    /// Where the logs of the one-machine run go.
    let outputDirectory: String
    /// The Slurm files' directory.
    let directory: String
    /// The one-machine command line (without the executable, `--jobs` or any Slurm option).
    let arguments: [String]

    init(options: SlurmOptions, defaultName: String, outputDirectory: String, directory: String, arguments: [String]) {
        self.options = options
        self.defaultName = defaultName
        self.outputDirectory = outputDirectory
        self.directory = directory
        self.arguments = arguments
    }

    func plan(_ requests: [RunRequest]) throws -> ShardPlan {
        do {
            return try ShardPlan(requests: requests, outputDirectory: outputDirectory, shardDirectory: "\(directory)/shards",
                                 seedsPerShard: options.seedsPerShard ?? options.cpusPerTask, maxShards: options.maxArraySize)
        } catch let e as ShardError {
            throw UsageError("--seeds-per-shard: \(e)")
        }
    }

    func taskLog(_ phase: String, _ index: Int) -> String { "\(directory)/logs/\(phase)-\(index).out" }
    func mergeLog(_ phase: String) -> String { "\(directory)/logs/\(phase)-merge.out" }
    func exitFile(_ phase: String) -> String { "\(directory)/logs/\(phase)-merge.exit" }
    var jobsFile: String { "\(directory)/jobs" }

    // MARK: - Array task and merge job

    /// Runs shard `index` of `plan` (an array task). Exit status 130 when it was stopped
    /// (scancel, preemption: a rerun resumes the shard), 2 on an error.
    func runTask(_ plan: ShardPlan, phase: String, index: Int, jobs: Int?) throws {
        try checkFingerprint(plan)
        guard plan.shards.indices.contains(index) else {
            throw UsageError("--slurm-task: shard \(index) does not exist (\(phase) has \(plan.shards.count))")
        }
        let shard = plan.shards[index]
        print("shard \(index) of \(phase): experiment \(plan.requests[shard.request].experiment.id), seeds \(SeedRange.describe(shard.seeds))")
        fflush(stdout)
        Interrupt.installHandlers()
        let outcome = try plan.run(shard, runner: Runner(jobs: jobs, progress: ConsoleProgress()))
        let statuses = shard.seeds.map { "\($0): \(outcome.statuses[$0]?.rawValue ?? "not run")" }.joined(separator: ", ")
        print("shard \(index): \(statuses)")
        if outcome.statuses.values.contains(.interrupted) {
            print("interrupted: \(shard.partialPath) keeps the committed units; a rerun of this shard resumes it")
            throw ExitCode(130)
        }
        print("shard \(index): complete: \(shard.path)")
    }

    /// Merges the shards of `plan` into the logs of the one-machine run (the merge job).
    func merge(_ plan: ShardPlan, phase: String) throws {
        try checkFingerprint(plan)
        let seriesNames = try Runner().validate(plan.requests)
        let written = try ShardMerge.merge(plan, seriesNames: seriesNames, taskLog: { taskLog(phase, $0.index) })
        print("merged \(phase): \(written.count) log(s) written from \(plan.shards.count) shard(s)")
        for path in written { print("  \(path)") }
    }

    /// Dispatches a command of one phase (`run`, `replicate`): submits, runs an array task
    /// or merges. Returns true when the command is done (it submitted, or ran its task), false
    /// when it goes on as a one-machine run (locally, or after the merge).
    func handle(_ requests: [RunRequest], jobs: Int?) throws -> Bool {
        let mode = try options.mode
        switch mode {
        case .local:
            if options.dryRun { throw UsageError("--dry-run: only with --slurm") }
            return false
        case .submit:
            _ = try Runner().validate(requests)
            try submit([Phase(name: "run", plan: plan(requests))])
            return true
        case .task(let phase, let index):
            guard phase == "run" else { throw UsageError("--slurm-task: no phase '\(phase)' (this command has: run)") }
            try runTask(plan(requests), phase: phase, index: index, jobs: jobs)
            return true
        case .merge(let phase):
            guard phase == "run" else { throw UsageError("--slurm-merge: no phase '\(phase)' (this command has: run)") }
            try merge(plan(requests), phase: phase)
            return false
        }
    }

    func checkFingerprint(_ plan: ShardPlan) throws {
        guard let submitted = options.slurmPlan else { return }
        guard submitted == plan.fingerprint else {
            throw UsageError("--slurm-plan: the experiments were cut into other shards at submission (plan \(submitted), now \(plan.fingerprint)): an experiment file or option changed since; submit again")
        }
    }

    // MARK: - Submission

    /// Validates, writes the scripts, submits the chain and prints how to follow it; with
    /// `--wait`, follows it and ends with the last merge job's exit status.
    func submit(_ phases: [Phase]) throws {
        let client: SlurmClient?
        do { client = try SlurmClient() } catch let e as SlurmError {
            guard options.dryRun else { throw UsageError("--slurm: \(e)") }
            client = nil
        }
        if let partition = options.partition, let client {
            let known = try slurmCall { try client.partitions() }
            guard known.contains(partition) else {
                throw UsageError("--partition: '\(partition)' is not a partition of this cluster; sinfo lists: \(known.joined(separator: ", "))")
            }
        }
        try checkWritable()
        if let client, FileManager.default.fileExists(atPath: jobsFile) {
            let previous = ((try? String(contentsOfFile: jobsFile, encoding: .utf8)) ?? "")
                .split(whereSeparator: \.isNewline).compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            let queued = try slurmCall { try client.queue(previous) }
            guard queued.isEmpty else {
                throw UsageError("--slurm: jobs of the previous submission are still queued or running (\(queued.keys.sorted().joined(separator: ", "))): wait for them (squeue) or cancel them (scancel) first")
            }
        }
        let settings = options.settings(defaultName: defaultName)
        let workingDirectory = FileManager.default.currentDirectoryPath
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var scripts: [(phase: Phase, todo: [Int], array: String, merge: String)] = []
        for phase in phases {
            let todo = try phase.plan.incompleteShards().map(\.index)
            let fingerprint = ["--slurm-plan", phase.plan.fingerprint]
            let array = SlurmScript.array(
                settings, indices: todo, workingDirectory: workingDirectory, log: "\(directory)/logs/\(phase.name)-%a.out",
                command: [executable] + arguments + fingerprint,
                taskArguments: "--jobs \"$SLURM_CPUS_PER_TASK\" --slurm-task \(phase.name):\"$SLURM_ARRAY_TASK_ID\"")
            let merge = SlurmScript.merge(
                settings, phase: phase.name, workingDirectory: workingDirectory, log: mergeLog(phase.name),
                command: [executable] + arguments + fingerprint + ["--slurm-merge", phase.name], exitFile: exitFile(phase.name))
            scripts.append((phase, todo, array, merge))
        }
        if options.dryRun {
            var previous: String?
            for s in scripts {
                print("# \(s.phase.name): \(s.todo.count) of \(s.phase.plan.shards.count) shard(s) to run, \(s.phase.plan.seedsPerShard) seed(s) per shard")
                let after = previous.map { "afterok:<\($0) merge job>" }
                if !s.todo.isEmpty {
                    print("# sbatch\(after.map { " --dependency=\($0)" } ?? "") \(directory)/\(s.phase.name)-array.sbatch\n\(s.array)")
                }
                let dependency = [s.todo.isEmpty ? nil : "afterany:<\(s.phase.name) array job>", after].compactMap { $0 }
                print("# sbatch\(dependency.isEmpty ? "" : " --dependency=" + dependency.joined(separator: ",")) \(directory)/\(s.phase.name)-merge.sbatch\n\(s.merge)")
                previous = s.phase.name
            }
            return
        }
        guard let client else { return }
        var chain: [(phase: String, kind: String, id: Int)] = []
        var previousMerge: Int?
        for s in scripts {
            let arrayPath = "\(directory)/\(s.phase.name)-array.sbatch", mergePath = "\(directory)/\(s.phase.name)-merge.sbatch"
            try write(s.array, to: arrayPath)
            try write(s.merge, to: mergePath)
            unlink(exitFile(s.phase.name))
            var arrayID: Int?
            if !s.todo.isEmpty {
                arrayID = try slurmCall { try client.submit(arrayPath, dependency: previousMerge.map { "afterok:\($0)" }) }
                chain.append((s.phase.name, "array", arrayID!))
            }
            let dependency = [arrayID.map { "afterany:\($0)" }, previousMerge.map { "afterok:\($0)" }].compactMap { $0 }
            let mergeID = try slurmCall { try client.submit(mergePath, dependency: dependency.isEmpty ? nil : dependency.joined(separator: ",")) }
            chain.append((s.phase.name, "merge", mergeID))
            previousMerge = mergeID
        }
        try write(chain.map { "\($0.phase) \($0.kind) \($0.id)" }.joined(separator: "\n") + "\n", to: jobsFile)
        for s in scripts {
            let ids = chain.filter { $0.phase == s.phase.name }
            for job in ids {
                if job.kind == "array" {
                    print("job \(job.id): \(s.phase.name) array, \(s.todo.count) task(s) [\(SlurmScript.arraySpec(s.todo))] of \(s.phase.plan.seedsPerShard) seed(s); logs \(directory)/logs/\(s.phase.name)-<index>.out")
                } else {
                    print("job \(job.id): \(s.phase.name) merge\(s.phase.name == phases.last!.name ? " and verdict" : ""); log \(mergeLog(s.phase.name))")
                }
            }
        }
        let ids = chain.map { String($0.id) }.joined(separator: ",")
        print("follow: squeue -j \(ids)   the verdict: \(mergeLog(phases.last!.name))")
        if options.wait { try follow(chain, phases: phases, client: client) }
    }

    func checkWritable() throws {
        let fm = FileManager.default
        if options.dryRun {
            var existing = directory
            while !fm.fileExists(atPath: existing), existing != "/", !existing.isEmpty { existing = (existing as NSString).deletingLastPathComponent }
            guard fm.isWritableFile(atPath: existing.isEmpty ? "." : existing) else {
                throw UsageError("--out: \(directory) cannot be created (\(existing) is not writable)")
            }
            return
        }
        do {
            for sub in ["logs", "shards"] { try fm.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true) }
        } catch {
            throw UsageError("--out: cannot create \(directory) (not writable)")
        }
        guard fm.isWritableFile(atPath: directory), fm.isWritableFile(atPath: "\(directory)/logs") else {
            throw UsageError("--out: \(directory) is not writable")
        }
    }

    func write(_ text: String, to path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw UsageError("--out: cannot write \(path)")
        }
    }

    func slurmCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as SlurmError { throw UsageError("--slurm: \(e)") }
    }

    // MARK: - Following

    /// Polls the queue every second, printing a line whenever the progress changes, until
    /// the last merge job has left the queue; then prints its log and exits with its status.
    /// A merge job that did not run (its dependency failed, or it was cancelled) is reported
    /// with the first shard that is missing, and the exit status is 2.
    func follow(_ chain: [(phase: String, kind: String, id: Int)], phases: [Phase], client: SlurmClient) throws {
        Interrupt.installHandlers()
        let last = chain.last!.id
        var shown = ""
        while true {
            if Interrupt.requested {
                print("stopped following; the jobs go on: squeue -j \(chain.map { String($0.id) }.joined(separator: ","))")
                throw ExitCode(130)
            }
            let queue = try slurmCall { try client.queue(chain.map(\.id)) }
            var parts: [String] = []
            for phase in phases {
                let done = phase.plan.shards.filter { FileManager.default.fileExists(atPath: $0.path) }.count
                var text = "\(phase.name) \(done)/\(phase.plan.shards.count) shards"
                if let array = chain.first(where: { $0.phase == phase.name && $0.kind == "array" }) {
                    let tasks = queue.filter { $0.key.hasPrefix("\(array.id)_") }
                    let running = tasks.values.filter { $0 == "RUNNING" }.count
                    if running > 0 { text += ", \(running) running" }
                    if tasks.values.contains("PENDING") { text += ", more pending" }
                }
                if let merge = chain.first(where: { $0.phase == phase.name && $0.kind == "merge" }) {
                    text += ", merge " + (queue[String(merge.id)]?.lowercased() ?? (finished(merge.id, phase.name) != nil ? "done" : "gone"))
                }
                parts.append(text)
            }
            let line = parts.joined(separator: "; ")
            if line != shown {
                print("[\(Self.clock())] \(line)")
                fflush(stdout)
                shown = line
            }
            if queue[String(last)] == nil { break }
            Thread.sleep(forTimeInterval: 1)
        }
        for job in chain where job.kind == "merge" {
            guard let status = finished(job.id, job.phase) else {
                print("merge job \(job.id) (\(job.phase)) did not run: Slurm cancelled it (a job it depends on failed, or it was cancelled)")
                if let phase = phases.first(where: { $0.name == job.phase }), let shard = try phase.plan.incompleteShards().first {
                    print(phase.plan.missing(shard, taskLog: taskLog(phase.name, shard.index)))
                }
                throw ExitCode(2)
            }
            guard status == 0 || job.id == last else {
                print("merge job \(job.id) (\(job.phase)) ended with exit status \(status); its log: \(mergeLog(job.phase))")
                throw ExitCode(status)
            }
        }
        if let text = try? String(contentsOfFile: mergeLog(chain.last!.phase), encoding: .utf8) { print(text, terminator: "") }
        throw ExitCode(finished(last, chain.last!.phase) ?? 2)
    }

    /// The exit status the merge job `id` recorded, or nil when it has not run.
    func finished(_ id: Int, _ phase: String) -> Int32? {
        guard let text = try? String(contentsOfFile: exitFile(phase), encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, Int(parts[0]) == id else { return nil }
        return Int32(parts[1])
    }

    static func clock() -> String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        return f.string(from: Date())
    }
}
