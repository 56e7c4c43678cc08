import ArgumentParser
import Foundation
import Replication
import ThreeFactor

struct ReplicateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate",
        abstract: "Run a paper module's experiments (papers/<paper>/experiments.toml) into runs/<paper>/.",
        discussion: """
            Rerunning after an interruption resumes every experiment where its log stops. \
            --experiments runs another file of the paper instead (e.g. its hyperparameter sweep, \
            papers/nrl/sweep.toml) into runs/<paper>/<file name>/ and skips the verification, \
            whose checks name the experiments of experiments.toml. \
            With --slurm the experiments run as a Slurm job array, one task per shard (an \
            experiment x a block of --seeds-per-shard seeds), and a dependent job merges the \
            shards into the same logs, bit for bit, as a run here, then verifies them; \
            submitting again reruns only the incomplete shards (README: "On a cluster").
            """
    )

    @Argument(help: "Paper module id, e.g. map-prop.") var paper: String
    @Option(help: "A profile of the experiments file: full (the paper's protocol), quick (a smoke run), ci (the full protocol of the experiments that fit in CI), ...") var profile: String = "full"
    @Option(help: "Only these experiment ids (repeatable).") var only: [String] = []
    @Option(help: "Directory holding papers/ (default: current directory).") var root: String = "."
    @Option(help: "Output directory (default: runs/<paper> for full, runs/<paper>/<profile> otherwise).") var out: String?
    @Option(help: "Worker threads (default: all cores). Results do not depend on it.") var jobs: Int?
    @Option(help: "Another experiments file of the paper to run instead of papers/<paper>/experiments.toml (e.g. papers/nrl/sweep.toml); its logs go to runs/<paper>/<file name>/ and are not verified.")
    var experiments: String?
    @Flag(help: "Exit 0 exactly when every verdict is the one data/reference/<paper>.toml pins for the profile, else 1 (see `verify --help`).")
    var expectVerdicts = false
    @Option(help: "The README's results section of the profile: update, check or leave (default: update when the logs go to the default directory, else leave; see `verify --help`).")
    var readme: ReadmeOption?
    @OptionGroup(title: "On a Slurm cluster") var cluster: SlurmOptions

    func run() throws {
        if let jobs, jobs < 1 { throw UsageError("--jobs: expected a positive integer, got \(jobs)") }
        let file: String
        let loaded: PaperExperiments
        if let alternate = experiments {
            file = alternate
            guard FileManager.default.fileExists(atPath: file) else { throw UsageError("--experiments: no file \(file)") }
            do { loaded = try PaperExperiments.load(file) } catch { throw UsageError("--experiments: \(error)") }
            guard loaded.paper == paper else {
                throw UsageError("--experiments: \(file) is an experiments file of paper '\(loaded.paper)', not '\(paper)'")
            }
        } else {
            file = PaperModules.experimentsFile(paper, root: root)
            guard FileManager.default.fileExists(atPath: file) else {
                throw UsageError("paper '\(paper)': no \(file); valid: \(PaperModules.ids(root: root).joined(separator: ", "))")
            }
            loaded = try PaperExperiments.load(file)
            guard loaded.paper == paper else {
                throw UsageError("\(file): key \"paper\": is \"\(loaded.paper)\", expected \"\(paper)\"")
            }
        }
        let experiments = loaded
        guard experiments.profiles[profile] != nil else {
            throw UsageError("--profile: '\(profile)' is not a profile of \(file); valid: \(experiments.profiles.keys.sorted().joined(separator: ", "))")
        }
        let inProfile = experiments.experiments(in: profile)
        for id in only where !inProfile.contains(where: { $0.id == id }) {
            throw UsageError("--only: no experiment '\(id)' in profile \(profile) of \(file); valid: \(inProfile.map(\.id).joined(separator: ", "))")
        }
        let variant = self.experiments.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        let directory = out ?? PaperExperiments.outputDirectory(paper: paper, profile: profile, variant: variant)
        let selected = inProfile.filter { only.isEmpty || only.contains($0.id) }
        let requests = selected.map {
            RunRequest(paper: paper, profile: profile, experiment: $0.resolved(profile: profile),
                       path: "\(directory)/\($0.id).h5")
        }
        let job = ClusterJob(
            options: cluster, defaultName: "threefactor-\(paper)", outputDirectory: directory, directory: "\(directory)/slurm",
            arguments: ["replicate", paper, "--profile", profile, "--root", root, "--out", directory]
                + only.flatMap { ["--only", $0] } + (self.experiments.map { ["--experiments", $0] } ?? []))
        if try job.handle(requests, jobs: jobs) { return }
        try CommandSupport.runAndReport(requests, jobs: jobs)
        if self.experiments != nil {
            print("not verified: data/reference/\(paper).toml checks the experiments of papers/\(paper)/experiments.toml, not of \(file)")
            return
        }
        try VerifyCommand.verify(paper: paper, profile: profile, root: root, directory: directory, expectVerdicts: expectVerdicts,
                                 readme: (readme ?? (out == nil ? .update : .leave)).mode)
    }
}
