import ArgumentParser
import Foundation
import Replication
import ThreeFactor

struct ReplicateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate",
        abstract: "Run a paper module's experiments (papers/<paper>/experiments.toml) into runs/<paper>/.",
        discussion: "Rerunning after an interruption resumes every experiment where its log stops."
    )

    @Argument(help: "Paper module id, e.g. map-prop.") var paper: String
    @Option(help: "Profile: full (the paper's protocol) or quick (CI).") var profile: String = "full"
    @Option(help: "Only these experiment ids (repeatable).") var only: [String] = []
    @Option(help: "Directory holding papers/ (default: current directory).") var root: String = "."
    @Option(help: "Output directory (default: runs/<paper> for full, runs/<paper>/<profile> otherwise).") var out: String?
    @Option(help: "Worker threads (default: all cores). Results do not depend on it.") var jobs: Int?

    func run() throws {
        let file = "\(root)/papers/\(paper)/experiments.toml"
        guard FileManager.default.fileExists(atPath: file) else {
            let available = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/papers"))?.sorted() ?? []
            throw UsageError("paper '\(paper)': no \(file); valid: \(available.joined(separator: ", "))")
        }
        let experiments = try PaperExperiments.load(file)
        guard experiments.profiles[profile] != nil else {
            throw UsageError("--profile: '\(profile)' is not a profile of \(file); valid: \(experiments.profiles.keys.sorted().joined(separator: ", "))")
        }
        for id in only where experiments.experiment(id) == nil {
            throw UsageError("--only: no experiment '\(id)' in \(file); valid: \(experiments.experiments.map(\.id).joined(separator: ", "))")
        }
        let directory = out ?? PaperExperiments.outputDirectory(paper: paper, profile: profile)
        let selected = experiments.experiments.filter { only.isEmpty || only.contains($0.id) }
        let requests = selected.map {
            RunRequest(paper: paper, profile: profile, experiment: $0.resolved(profile: profile),
                       path: "\(directory)/\($0.id).h5")
        }
        try CommandSupport.runAndReport(requests, jobs: jobs)
        try VerifyCommand.verify(paper: paper, profile: profile, root: root, directory: directory)
    }
}
