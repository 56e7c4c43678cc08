import ArgumentParser
import Replication

/// The options of `--slurm`, shared by `run`, `replicate` and `benchmark`: what a user sets
/// on a cluster, and the hidden options by which the submitted scripts call the same command
/// back as an array task or as the merge job.
struct SlurmOptions: ParsableArguments {
    @Flag(help: "Submit the work to Slurm as a job array (one task per shard: an experiment x a block of seeds) and a dependent merge-and-verify job, instead of running it here.")
    var slurm = false
    @Option(help: "With --slurm: the partition (default: the cluster's default).") var partition: String?
    @Option(help: "With --slurm: the account to charge (default: yours).") var account: String?
    @Option(help: "With --slurm: time limit of each array task and merge job, in Slurm's syntax, e.g. 2:00:00 (default: the partition's).")
    var time: String?
    @Option(help: "With --slurm: CPUs per array task; a task runs that many seeds at once.") var cpusPerTask: Int = 1
    @Option(help: "With --slurm: memory per array task, e.g. 4G (default: the cluster's).") var mem: String?
    @Option(help: "With --slurm: at most this many array tasks at once (--array=...%K; default: no limit).") var maxRunning: Int?
    @Option(help: "With --slurm: seeds per shard (default: --cpus-per-task). Shards grow when there would be more than --max-array-size.")
    var seedsPerShard: Int?
    @Option(help: "With --slurm: the most array tasks the cluster accepts in one array (Slurm's MaxArraySize minus 1).")
    var maxArraySize: Int = 1000
    @Option(name: .customLong("sbatch-line"), help: "With --slurm: an extra #SBATCH directive for every script, e.g. qos=long for #SBATCH --qos=long (repeatable).")
    var sbatchLines: [String] = []
    @Option(help: "With --slurm: the job name (default: threefactor-<paper or experiment>).") var jobName: String?
    @Flag(help: "With --slurm: print the scripts and the sbatch commands, submit and write nothing.") var dryRun = false
    @Flag(help: "With --slurm: block until the merge job ends, showing progress, and exit with its status (the verdict's).")
    var wait = false

    @Option(help: .hidden) var slurmTask: String?
    @Option(help: .hidden) var slurmMerge: String?
    @Option(help: .hidden) var slurmPlan: String?

    /// What this invocation does.
    enum Mode: Equatable {
        /// Runs here, as without Slurm.
        case local
        /// Submits the work.
        case submit
        /// Runs shard `index` of `phase` (an array task).
        case task(phase: String, index: Int)
        /// Merges the shards of `phase` (the merge job), then goes on as a local run would.
        case merge(phase: String)
    }

    var mode: Mode {
        get throws {
            if let task = slurmTask {
                let parts = task.split(separator: ":")
                guard parts.count == 2, let index = Int(parts[1]), index >= 0 else {
                    throw UsageError("--slurm-task: expected <phase>:<index>, got '\(task)'")
                }
                return .task(phase: String(parts[0]), index: index)
            }
            if let phase = slurmMerge { return .merge(phase: phase) }
            return slurm ? .submit : .local
        }
    }

    func validate() throws {
        guard cpusPerTask >= 1 else { throw UsageError("--cpus-per-task: expected a positive integer, got \(cpusPerTask)") }
        if let k = maxRunning, k < 1 { throw UsageError("--max-running: expected a positive integer, got \(k)") }
        if let n = seedsPerShard, n < 1 { throw UsageError("--seeds-per-shard: expected a positive integer, got \(n)") }
        guard maxArraySize >= 1 else { throw UsageError("--max-array-size: expected a positive integer, got \(maxArraySize)") }
        if let name = jobName, name.isEmpty || name.contains(where: { $0.isWhitespace }) {
            throw UsageError("--job-name: expected a name without spaces, got '\(name)'")
        }
        for line in sbatchLines where line.contains(where: \.isNewline) {
            throw UsageError("--sbatch-line: expected one line, got '\(line)'")
        }
        if !slurm {
            let clusterOnly: [(String, Bool)] = [
                ("--partition", partition != nil), ("--account", account != nil), ("--time", time != nil),
                ("--mem", mem != nil), ("--max-running", maxRunning != nil), ("--seeds-per-shard", seedsPerShard != nil),
                ("--sbatch-line", !sbatchLines.isEmpty), ("--job-name", jobName != nil), ("--wait", wait),
            ]
            if let (name, _) = clusterOnly.first(where: \.1) { throw UsageError("\(name): only with --slurm") }
        }
    }

    func settings(defaultName: String) -> SlurmSettings {
        SlurmSettings(jobName: jobName ?? defaultName, partition: partition, account: account, time: time, cpusPerTask: cpusPerTask,
                      memory: mem, maxRunning: maxRunning, extraDirectives: sbatchLines)
    }
}
