import Foundation
import Testing
import Replication

/// The README's "Adding a paper" recipe, tested: a paper module made of data files only
/// (no Swift), written into a temporary checkout, is found, benchmarked, run and verified
/// through the public API.
@Suite struct NewPaperModuleTests {
    static let experiments = """
        paper = "toy"
        title = "A toy paper: NRL on CartPole-v1"

        [profiles]
        full = "the paper's protocol"
        quick = "CI: 4 episodes, 2 seeds"

        [[experiments]]
        id = "cartpole-nrl"
        env = "CartPole-v1"
        rule = "nrl"
        label = "NRL"
        figure = "cartpole"
        units = 20
        seeds = "0..2"
          [experiments.params]
          learning_rate = 0.01
          noise_std = 0.1
          hidden_units = 8
          [experiments.profiles.quick]
          units = 4
          seeds = "0..1"

        [[bench]]
        experiment = "cartpole-nrl"
        steps = 1_000
          [bench.official]
          steps_per_second = 100
          label = "toy official code"
          source = "made up for this test"

        """

    static let reference = """
        paper = "toy"

        [[checks]]
        id = "episodes-end"
        description = "CartPole episodes last between 1 and 500 steps"
        experiments = ["cartpole-nrl"]
        profiles = ["full", "quick"]
        provenance = "claim in abstract"
        source = "the environment's definition"
          [checks.metric]
          kind = "mean"
          series = "episode_length"
          [checks.comparison]
          kind = "band"
          statistic = "mean"
          low = 1
          high = 500
        """

    /// A checkout with the given files (path relative to the root -> text).
    static func checkout(_ files: [String: String]) throws -> String {
        let root = NSTemporaryDirectory() + "threefactor-tests/new-paper-\(UUID().uuidString.prefix(8))"
        for (path, text) in files {
            let url = URL(fileURLWithPath: "\(root)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func aDataOnlyPaperIsFoundBenchmarkedRunAndVerified() throws {
        let root = try Self.checkout([
            "papers/toy/experiments.toml": Self.experiments,
            "papers/toy/README.md": "# toy\n",
            "data/reference/toy.toml": Self.reference,
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }

        #expect(PaperModules.ids(root: root) == ["toy"])
        let loaded = try PaperExperiments.load(PaperModules.experimentsFile("toy", root: root))
        #expect(loaded.experiments.map(\.id) == ["cartpole-nrl"])

        // make bench: the row and the official speed come from the file.
        let bench = try LearningBenchmark.all(root: root)
        #expect(bench.map(\.name) == ["nrl on CartPole-v1 (toy: cartpole-nrl)"])
        #expect(bench.first?.official == OfficialSpeed(stepsPerSecond: 100, label: "toy official code", source: "made up for this test"))
        #expect(try bench[0].run(steps: 200) > 0)

        // threefactor replicate toy --profile quick: run, then verify against the reference file.
        let directory = "\(root)/runs/toy/quick"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let requests = loaded.experiments.map {
            RunRequest(paper: "toy", profile: "quick", experiment: $0.resolved(profile: "quick"), path: "\(directory)/\($0.id).h5")
        }
        let outcomes = try Runner(jobs: 1, shouldStop: { false }).run(requests)
        #expect(outcomes.allSatisfy { $0.allComplete })
        let outcome = try PaperVerification.run(paper: "toy", profile: "quick", root: root, directory: directory)
        #expect(outcome.report.results.map(\.id) == ["episodes-end"])
        #expect(outcome.report.results.map(\.verdict) == [.pass])
        #expect(FileManager.default.fileExists(atPath: outcome.reportURL.path))
    }

    /// Bad `[[bench]]` data is one error naming the file and the key.
    @Test(arguments: [
        ("experiment = \"nope\"\nsteps = 10", "bench[0].experiment", "no experiment \"nope\""),
        ("experiment = \"cartpole-nrl\"\nsteps = 0", "bench[0].steps", "must be positive"),
        ("experiment = \"cartpole-nrl\"\nsteps = \"many\"", "bench[0].steps", "expected an integer"),
        ("experiment = \"cartpole-nrl\"\nsteps = 10\nstep = 10", "bench[0].step", "unknown key"),
        ("experiment = \"cartpole-nrl\"\nsteps = 10\n[bench.official]\nsteps_per_second = 5\nlabel = \"x\"",
         "bench[0].official.source", "missing"),
        ("experiment = \"cartpole-nrl\"\nsteps = 10\n[bench.official]\nsteps_per_second = 5\nlabel = \"x\"\nsource = \"y\"\nrate = 5",
         "bench[0].official.rate", "unknown key"),
    ])
    func badBenchRowsAreNamed(row: String, key: String, message: String) throws {
        let text = Self.experiments.components(separatedBy: "[[bench]]")[0] + "[[bench]]\n" + row + "\n"
        let root = try Self.checkout(["papers/toy/experiments.toml": text])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = PaperModules.experimentsFile("toy", root: root)
        let error = #expect(throws: ConfigError.self) { try LearningBenchmark.all(root: root) }
        #expect(error?.file == file)
        #expect(error?.key == key)
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }
}
