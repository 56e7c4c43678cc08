/// What a user sets for their cluster, as `sbatch` options: every field left nil takes the
/// cluster's own default.
public struct SlurmSettings: Sendable, Equatable {
    /// `--job-name`.
    public var jobName: String
    /// `--partition`.
    public var partition: String?
    /// `--account`.
    public var account: String?
    /// `--time` of each array task and of each merge job, in Slurm's syntax (e.g. `2:00:00`).
    public var time: String?
    /// `--cpus-per-task` of the array tasks (a merge job takes one).
    public var cpusPerTask: Int
    /// `--mem` per array task (e.g. `4G`).
    public var memory: String?
    /// At most this many array tasks at once (`--array=…%K`).
    public var maxRunning: Int?
    /// Extra lines for the scripts' headers, each an `#SBATCH` directive.
    public var extraDirectives: [String]

    /// Settings from their parts; an extra directive `qos=long` or `--qos=long` becomes
    /// `#SBATCH --qos=long` (a line that starts with `#SBATCH` is kept as it is).
    public init(jobName: String, partition: String? = nil, account: String? = nil, time: String? = nil, cpusPerTask: Int = 1,
                memory: String? = nil, maxRunning: Int? = nil, extraDirectives: [String] = []) {
        self.jobName = jobName
        self.partition = partition
        self.account = account
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.memory = memory
        self.maxRunning = maxRunning
        self.extraDirectives = extraDirectives.map { $0.hasPrefix("#SBATCH") ? $0 : $0.hasPrefix("-") ? "#SBATCH \($0)" : "#SBATCH --\($0)" }
    }
}

/// The batch scripts of a cluster run: a job array whose task `i` runs shard `i`, and a merge
/// job. Each script changes to the submission directory (`--chdir`), so the paths in the
/// command are those the user typed, on the shared file system.
public enum SlurmScript {
    /// The job-array script. `command` is the task's command line, quoted here; `taskArguments`
    /// are appended unquoted so that the shell expands `$SLURM_ARRAY_TASK_ID` and
    /// `$SLURM_CPUS_PER_TASK`. `log` is the output file, with `%a` for the task index; tasks
    /// append to it, so a rerun's output follows the earlier one's. A preempted task is
    /// requeued (`--requeue`) and resumes from its shard's checkpoint.
    public static func array(_ s: SlurmSettings, indices: [Int], workingDirectory: String, log: String,
                             command: [String], taskArguments: String) -> String {
        let spec = arraySpec(indices) + (s.maxRunning.map { "%\($0)" } ?? "")
        return header(s, name: s.jobName, cpus: s.cpusPerTask, memory: s.memory, workingDirectory: workingDirectory, log: log,
                      extra: ["#SBATCH --open-mode=append", "#SBATCH --array=\(spec)", "#SBATCH --requeue"])
            + "\(command.map(shellQuoted).joined(separator: " ")) \(taskArguments)\n"
    }

    /// The merge job's script: runs `command`, then writes "<job id> <exit status>" to
    /// `exitFile` (which is how a waiting client learns the verdict without Slurm's
    /// accounting) and exits with that status.
    public static func merge(_ s: SlurmSettings, phase: String, workingDirectory: String, log: String, command: [String], exitFile: String) -> String {
        header(s, name: "\(s.jobName)-\(phase)-merge", cpus: 1, memory: nil, workingDirectory: workingDirectory, log: log,
               extra: ["#SBATCH --open-mode=truncate"])
            + """
            \(command.map(shellQuoted).joined(separator: " "))
            status=$?
            echo "$SLURM_JOB_ID $status" > \(shellQuoted(exitFile))
            exit $status

            """
    }

    static func header(_ s: SlurmSettings, name: String, cpus: Int, memory: String?, workingDirectory: String, log: String,
                       extra: [String]) -> String {
        var lines = [
            "#!/bin/bash",
            "#SBATCH --job-name=\(name)",
            "#SBATCH --chdir=\(workingDirectory)",
            "#SBATCH --output=\(log)",
            "#SBATCH --cpus-per-task=\(cpus)",
        ]
        if let p = s.partition { lines.append("#SBATCH --partition=\(p)") }
        if let a = s.account { lines.append("#SBATCH --account=\(a)") }
        if let t = s.time { lines.append("#SBATCH --time=\(t)") }
        if let m = memory { lines.append("#SBATCH --mem=\(m)") }
        lines += extra + s.extraDirectives
        lines.append("set -u")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Array indices as Slurm reads them: runs of consecutive indices as `a-b`, joined by commas.
    public static func arraySpec(_ indices: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let sorted = indices.sorted()
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// `text` as one word for the shell: unchanged when it is plainly safe, else single-quoted.
    public static func shellQuoted(_ text: String) -> String {
        let safe = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=,+@%".contains($0)) }
        return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
