import Foundation
import ThreeFactor

/// `threefactor verify <paper>`: reads a profile's run logs, checks them against
/// `data/reference/<paper>.toml`, draws the figures and writes `report.md` beside the logs.
public enum PaperVerification {
    /// What a verification produced.
    public struct Outcome {
        /// The checks' verdicts and the runs' state.
        public var report: VerificationReport
        /// Where `report.md` was written.
        public var reportURL: URL
        /// Logs whose `/summary` could not be written (e.g. still open in a running job).
        public var warnings: [String]
        /// The reference file the logs were checked against.
        public var reference: ReferenceFile
        /// What became of the README's results section of the profile.
        public var readme: ReadmeResults.Status
        /// The README whose section `readme` is about.
        public var readmePath: String

        /// Every difference between the verdicts and those the reference file pins for the
        /// profile (`[expected_verdicts.<profile>]`, `[expected_verdicts_authors_code.<profile>]`),
        /// one line each; a check without a pinned verdict is a difference too. Nil when the
        /// file pins nothing for the profile.
        public var unexpectedVerdicts: [String]? {
            let pinned = reference.expectedVerdicts[report.profile] ?? [:]
            let pinnedAuthors = reference.expectedAuthorsCodeVerdicts[report.profile] ?? [:]
            guard !pinned.isEmpty || !pinnedAuthors.isEmpty else { return nil }
            var lines: [String] = []
            for r in report.results {
                if let v = pinned[r.id] {
                    if v != r.verdict { lines.append("\(r.id): \(r.verdict.rawValue), pinned \(v.rawValue)") }
                } else {
                    lines.append("\(r.id): \(r.verdict.rawValue), no verdict pinned")
                }
                guard let a = r.authors else { continue }
                let faithful: Verdict = a.replication == .pass && a.curves == .fail ? .fail : a.replication
                if let v = pinnedAuthors[r.id] {
                    if v != faithful { lines.append("\(r.id), ours vs the authors' code: \(faithful.rawValue), pinned \(v.rawValue)") }
                } else {
                    lines.append("\(r.id), ours vs the authors' code: \(faithful.rawValue), no verdict pinned")
                }
            }
            return lines
        }
    }

    /// Verifies one profile of a paper: reads its logs, runs the checks, draws the figures
    /// and writes `report.md` and the verdicts (`/summary` of every log).
    ///
    /// - Parameters:
    ///   - paper: the paper module's id, e.g. "map-prop".
    ///   - profile: the profile whose logs are verified, e.g. "full" or "quick".
    ///   - root: the directory holding `papers/` and `data/`.
    ///   - directory: where the logs are and the report goes (default per profile).
    ///   - readme: whether to write the results section of `papers/<paper>/README.md`
    ///     (`ReadmeResults`), compare it, or leave it.
    public static func run(
        paper: String, profile: String, root: String = ".", directory: String? = nil, readme: ReadmeResults.Mode = .leave
    ) throws -> Outcome {
        let experiments = try PaperExperiments.load("\(root)/papers/\(paper)/experiments.toml")
        let experimentsFile = "\(root)/papers/\(paper)/experiments.toml"
        let referenceFile = "\(root)/data/reference/\(paper).toml"
        let reference = try ReferenceFile.load(path: referenceFile)
        // The files must be this paper's, and every check's profiles real ones: a misspelt
        // profile would otherwise drop the check without a word.
        guard experiments.paper == paper else {
            throw ConfigError(file: experimentsFile, key: "paper", message: "is \"\(experiments.paper)\", expected \"\(paper)\"")
        }
        guard reference.paper == paper else {
            throw ConfigError(file: referenceFile, key: "paper", message: "is \"\(reference.paper)\", expected \"\(paper)\"")
        }
        for check in reference.checks {
            for p in check.profiles where experiments.profiles[p] == nil {
                throw ConfigError(file: referenceFile, check: "check \"\(check.id)\"", key: "profiles",
                                  message: "profile \"\(p)\" is not a profile of \(experimentsFile) (\(experiments.profiles.keys.sorted().joined(separator: ", ")))")
            }
            // A profile that selects its experiments must select the check's (a profile that
            // runs the whole file reports a check of an absent experiment as MISSING).
            for p in check.profiles where experiments.profileExperiments[p] != nil {
                let run = experiments.experiments(in: p).map(\.id)
                for id in check.experiments where !run.contains(id) {
                    throw ConfigError(file: referenceFile, check: "check \"\(check.id)\"", key: "profiles",
                                      message: "profile \"\(p)\" does not run experiment \"\(id)\" (its experiments: \(run.joined(separator: ", ")))")
                }
            }
        }
        let dir = directory ?? PaperExperiments.outputDirectory(paper: paper, profile: profile)
        var logs: [ExperimentLog] = []
        var paths: [String: String] = [:]
        var expectedSeeds: [String: [Int]] = [:]
        var kinds: [String: String] = [:]
        var expectedConfigs: [String: String] = [:]
        for e in experiments.experiments(in: profile) {
            let resolved = e.resolved(profile: profile)
            expectedSeeds[e.id] = resolved.seeds
            expectedConfigs[e.id] = resolved.configText
            kinds[e.figure] = e.kind
            let path = "\(dir)/\(e.id).h5"
            if FileManager.default.fileExists(atPath: path) {
                logs.append(try RunLog.read(path))
                paths[e.id] = path
            }
        }
        var authorsCode: [String: AuthorsCodeRun] = [:]
        for check in reference.checks where check.profiles.contains(profile) {
            for path in check.authorsCode?.runs ?? [] where authorsCode[path] == nil {
                authorsCode[path] = try AuthorsCodeRun.load("\(root)/\(path)")
            }
        }
        let report = Verifier.run(reference: reference, logs: logs, profile: profile, expectedSeeds: expectedSeeds,
                                  expectedConfigs: expectedConfigs, authorsCode: authorsCode)
        var figures: [FigureFile] = []
        var figureOrder: [String] = []
        for log in logs where !figureOrder.contains(log.figure) { figureOrder.append(log.figure) }
        // The authors' code's curves are drawn beside ours, in the figure of the experiment
        // they re-run.
        var authorsCurves: [ExperimentLog] = []
        for check in reference.checks where check.profiles.contains(profile) {
            for (id, path) in zip(check.experiments, check.authorsCode?.runs ?? []) {
                guard let run = authorsCode[path], let ours = logs.first(where: { $0.experiment == id }),
                      !authorsCurves.contains(where: { $0.experiment == id }) else { continue }
                var curve = run.log(experiment: id, paper: paper, profile: profile)
                curve.figure = ours.figure
                curve.label = "\(ours.label), authors' code"
                authorsCurves.append(curve)
            }
        }
        for figure in figureOrder {
            let xLabel = kinds[figure].flatMap { Catalog.kind($0)?.unit } ?? "unit"
            figures += ReplicationReport.learningCurveFigures(
                logs: (logs + authorsCurves).filter { $0.figure == figure }, marks: reference.marks, xLabel: xLabel,
                titles: experiments.figureTitles)
        }
        figures += try PaperFigures.figures(
            for: paper, PaperFigureContext(experiments: experiments, profile: profile, logs: logs, reference: reference))
        let url = try ReplicationReport.write(
            report: report, title: "\(experiments.title) — replication report", figures: figures,
            to: URL(fileURLWithPath: dir, isDirectory: true))
        var warnings: [String] = []
        for (id, path) in paths.sorted(by: { $0.key < $1.key }) {
            do {
                try RunLog.writeSummary(path, results: report.results.filter { $0.experiments.contains(id) }, profile: profile)
            } catch {
                warnings.append("\(path): /summary not written (\(error))")
            }
        }
        let readmePath = "\(root)/papers/\(paper)/README.md"
        let body = ReadmeResults.section(report: report, logs: logs, experiments: experiments.experiments(in: profile), profile: profile)
        let readmeStatus = try ReadmeResults.apply(readme, path: readmePath, profile: profile, body: body)
        return Outcome(report: report, reportURL: url, warnings: warnings, reference: reference, readme: readmeStatus, readmePath: readmePath)
    }
}
