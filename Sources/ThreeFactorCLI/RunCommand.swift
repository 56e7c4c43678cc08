import ArgumentParser
import Foundation
import Replication
import ThreeFactor

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train a rule on an environment for several seeds and write an HDF5 run log.",
        discussion: """
            Seeds run in parallel. The log is committed every half-second per seed; rerunning the
            same command after an interruption resumes from there and ends with the same numbers.
            Exit status: 0 all seeds complete, 2 bad input or a damaged log, 3 a seed diverged,
            130 interrupted.
            Example: threefactor run --env CartPole-v1 --rule reinforce-team --seeds 0..3 --episodes 300 --out runs/demo.h5
            """
    )

    @Option(help: "Environment id (see `threefactor list`).") var env: String
    @Option(help: "Learning rule (see `threefactor list`; its keys: `threefactor describe <rule>`).") var rule: String
    @Option(help: "Seeds: a range 0..9 (inclusive), a list 1,4,7, or one seed.") var seeds: String = "0"
    @Option(help: "Episodes per seed.") var episodes: Int
    @Option(help: "Output HDF5 file.") var out: String?
    @Option(name: .customLong("param"), help: "A rule hyperparameter as key=value (TOML value syntax); repeatable.")
    var params: [String] = []
    @Option(help: "Worker threads (default: all cores). Results do not depend on it.") var jobs: Int?
    @OptionGroup(title: "On a Slurm cluster") var cluster: SlurmOptions

    func run() throws {
        let implementation: RuleImplementation
        do {
            implementation = try Catalog.resolve(kind: EpisodicTrials.kindName, rule: rule, task: env).implementation
        } catch let e as CatalogError {
            throw UsageError("--\(e.key == "env" ? "env" : "rule"): \(e)")
        }
        let seedList: [Int]
        do { seedList = try SeedRange.parse(seeds) } catch { throw UsageError("--seeds: \(error)") }
        if let problem = Limits.checkUnits(episodes) { throw UsageError("--episodes: \(problem)") }
        if let jobs, jobs < 1 { throw UsageError("--jobs: expected a positive integer, got \(jobs)") }
        let parameters = try ParameterArguments.parse(params)
        _ = try implementation.parameters.read(parameters)
        let spec = ExperimentSpec(
            id: "\(env)-\(rule)", env: env, rule: rule, params: parameters, units: episodes, seeds: seedList)
        let path = out ?? "runs/\(spec.id).h5"
        let requests = [RunRequest(paper: "", profile: "adhoc", experiment: spec, path: path)]
        let directory = (path as NSString).deletingLastPathComponent
        let job = ClusterJob(
            options: cluster, defaultName: "threefactor-\(spec.id)", outputDirectory: directory.isEmpty ? "." : directory,
            directory: (path.hasSuffix(".h5") ? String(path.dropLast(3)) : path) + ".slurm",
            arguments: ["run", "--env", env, "--rule", rule, "--seeds", seeds, "--episodes", String(episodes), "--out", path]
                + params.flatMap { ["--param", $0] })
        if try job.handle(requests, jobs: jobs) { return }
        try CommandSupport.runAndReport(requests, jobs: jobs, divergedExits: true)
    }
}

enum ParameterArguments {
    /// Parses `key=value` pairs; values use TOML syntax (numbers, true/false, "strings",
    /// [arrays]); a bare word is taken as a string.
    static func parse(_ pairs: [String]) throws -> Hyperparameters {
        var values: [String: ParameterValue] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw UsageError("--param: expected key=value, got '\(pair)'")
            }
            let key = String(pair[..<eq]).trimmingCharacters(in: .whitespaces)
            let text = String(pair[pair.index(after: eq)...])
            if let table = try? ConfigFile.parse("v = \(text)", file: "--param"), case .value(let v)? = table["v"] {
                values[key] = v
            } else {
                values[key] = .string(text)
            }
        }
        return Hyperparameters(values, context: "--param")
    }
}

enum CommandSupport {
    /// Runs the requests with a progress display and Ctrl-C handling; prints where the logs
    /// are; exits 130 if interrupted and, with `divergedExits` (`run`), 3 if a seed diverged.
    /// (`replicate` goes on to verify: a diverged seed is the verifier's to judge.)
    static func runAndReport(_ requests: [RunRequest], jobs: Int?, divergedExits: Bool = false) throws {
        for r in requests {
            let dir = (r.path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        }
        Interrupt.installHandlers()
        let runner = Runner(jobs: jobs, progress: ConsoleProgress())
        let outcomes = try runner.run(requests)
        var interrupted = false, diverged = false
        for o in outcomes {
            let counts = Dictionary(grouping: o.statuses.values, by: { $0 }).mapValues(\.count)
            let text = RunStatus.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
            print("\(o.path): \(text)")
            if o.statuses.values.contains(.interrupted) { interrupted = true }
            if o.statuses.values.contains(.diverged) { diverged = true }
        }
        if interrupted {
            print("interrupted: rerun the same command to resume")
            throw ExitCode(130)
        }
        if diverged && divergedExits {
            print("diverged: a seed's parameters or logged values became NaN or infinite (status diverged in the log)")
            throw ExitCode(3)
        }
    }
}
