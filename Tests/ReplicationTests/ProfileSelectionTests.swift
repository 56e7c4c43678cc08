import Foundation
import Testing
import Replication

/// A profile that runs some experiments only (`[profiles.ci] experiments = [...]`) and the
/// verdicts a reference file pins for a profile (`[expected_verdicts.<profile>]`), which
/// `verify --expect-verdicts` holds the verdicts to: what CI runs on the papers' full
/// protocol of the experiments that fit in its time.
@Suite struct ProfileSelectionTests {
    static let experiments = """
        paper = "toy"
        title = "A toy paper: two experiments, a profile that runs one"

        [profiles]
        full = "the paper's protocol"
        [profiles.ci]
        description = "the NRL experiment only, 4 episodes"
        experiments = ["cartpole-nrl"]

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
          [experiments.profiles.ci]
          units = 4
          seeds = "0..1"

        [[experiments]]
        id = "cartpole-rmhl"
        env = "CartPole-v1"
        rule = "rmhl"
        label = "RMHL"
        figure = "cartpole"
        units = 20
        seeds = "0..2"
          [experiments.params]
          learning_rate = 0.01
          noise_std = 0.1
          hidden_units = 8

        """

    /// Two checks of profile ci: one passes (episodes last 1 to 500 steps), one fails
    /// (a mean episode length above 10,000 steps cannot happen on CartPole-v1).
    static func reference(pins: String) -> String {
        """
        paper = "toy"

        [[checks]]
        id = "episodes-end"
        description = "CartPole episodes last between 1 and 500 steps"
        experiments = ["cartpole-nrl"]
        profiles = ["full", "ci"]
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

        [[checks]]
        id = "impossible-length"
        description = "episodes longer than CartPole-v1 allows (fails by construction)"
        experiments = ["cartpole-nrl"]
        profiles = ["ci"]
        provenance = "claim in abstract"
        source = "made up for this test"
          [checks.metric]
          kind = "mean"
          series = "episode_length"
          [checks.comparison]
          kind = "band"
          statistic = "mean"
          low = 10000
          high = 20000

        \(pins)
        """
    }

    static let truePins = """
        [expected_verdicts.ci]
        episodes-end = "PASS"
        impossible-length = "FAIL"
        """

    static func checkout(pins: String = truePins, experiments: String = Self.experiments) throws -> String {
        try NewPaperModuleTests.checkout([
            "papers/toy/experiments.toml": experiments,
            "data/reference/toy.toml": reference(pins: pins),
        ])
    }

    @Test func aProfileTableRunsItsExperimentsOnly() throws {
        let root = try Self.checkout()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let loaded = try PaperExperiments.load(PaperModules.experimentsFile("toy", root: root))
        #expect(loaded.profiles == ["full": "the paper's protocol", "ci": "the NRL experiment only, 4 episodes"])
        #expect(loaded.experiments(in: "ci").map(\.id) == ["cartpole-nrl"])
        #expect(loaded.experiments(in: "full").map(\.id) == ["cartpole-nrl", "cartpole-rmhl"])
    }

    @Test(arguments: [
        ("experiments = [\"cartpole-nrl\", \"nope\"]", "experiments", "no experiment \"nope\""),
        ("experiments = []", "experiments", "lists no experiment"),
        ("experiments = \"cartpole-nrl\"", "experiments", "expected"),
        ("experiments = [\"cartpole-nrl\"]\nseeds = \"0..1\"", "seeds", "unknown key"),
    ])
    func aBadSelectionNamesTheKey(lines: String, key: String, message: String) throws {
        let text = Self.experiments.replacingOccurrences(
            of: "experiments = [\"cartpole-nrl\"]\n", with: lines + "\n")
        let root = try Self.checkout(experiments: text)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = PaperModules.experimentsFile("toy", root: root)
        let error = #expect(throws: ConfigError.self) { try PaperExperiments.load(file) }
        #expect(error?.file == file)
        #expect(error?.key?.hasSuffix(key) == true, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func aCheckOfAProfileThatDoesNotRunItsExperimentIsAnError() throws {
        let root = try Self.checkout()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = Self.reference(pins: "").replacingOccurrences(
            of: "experiments = [\"cartpole-nrl\"]\nprofiles = [\"ci\"]", with: "experiments = [\"cartpole-rmhl\"]\nprofiles = [\"ci\"]")
        try text.write(toFile: "\(root)/data/reference/toy.toml", atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) {
            try PaperVerification.run(paper: "toy", profile: "ci", root: root, directory: "\(root)/runs")
        }
        #expect(error?.description.contains("profile \"ci\" does not run experiment \"cartpole-rmhl\"") == true,
                "\(error?.description ?? "")")
    }

    @Test(arguments: [
        ("[expected_verdicts.ci]\nepisodes-end = \"GOOD\"", "episodes-end", "expected PASS, FAIL or MISSING"),
        ("[expected_verdicts.ci]\nno-such-check = \"PASS\"", "no-such-check", "no check \"no-such-check\" of profile \"ci\""),
        ("[expected_verdicts.quick]\nepisodes-end = \"PASS\"", "episodes-end", "of profile \"quick\""),
    ])
    func badPinsNameTheKey(pins: String, key: String, message: String) throws {
        let file = NSTemporaryDirectory() + "threefactor-tests/pins-\(UUID().uuidString.prefix(8)).toml"
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Self.reference(pins: pins).write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let error = #expect(throws: ConfigError.self) { try ReferenceFile.load(path: file) }
        #expect(error?.key?.hasSuffix(key) == true, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.description ?? "")")
    }

    /// The CLI: `replicate --profile ci --expect-verdicts` runs only the profile's experiment,
    /// exits 0 when the verdicts are the pinned ones (a pinned FAIL included) and 1 naming
    /// each change otherwise; `--only` outside the profile is refused.
    @Test func expectVerdictsPassesOnThePinsAndFailsOnAChange() throws {
        let root = try Self.checkout()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let logs = "\(root)/runs/toy/ci"
        let run = try CommandLineTests.threefactor(
            ["replicate", "toy", "--profile", "ci", "--root", root, "--out", logs, "--expect-verdicts"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("verdicts as pinned"), "\(run.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: logs).filter { $0.hasSuffix(".h5") } == ["cartpole-nrl.h5"])

        let unpinned = try CommandLineTests.threefactor(["verify", "toy", "--profile", "ci", "--root", root, "--logs", logs])
        #expect(unpinned.status == 1, "without the flag, a FAIL is exit 1: \(unpinned.stdout)")

        try Self.reference(pins: Self.truePins.replacingOccurrences(of: "\"FAIL\"", with: "\"PASS\""))
            .write(toFile: "\(root)/data/reference/toy.toml", atomically: true, encoding: .utf8)
        let changed = try CommandLineTests.threefactor(
            ["verify", "toy", "--profile", "ci", "--root", root, "--logs", logs, "--expect-verdicts"])
        #expect(changed.status == 1)
        #expect(changed.stdout.contains("impossible-length: FAIL, pinned PASS"), "\(changed.stdout)")

        try Self.reference(pins: "[expected_verdicts.ci]\nepisodes-end = \"PASS\"")
            .write(toFile: "\(root)/data/reference/toy.toml", atomically: true, encoding: .utf8)
        let missingPin = try CommandLineTests.threefactor(
            ["verify", "toy", "--profile", "ci", "--root", root, "--logs", logs, "--expect-verdicts"])
        #expect(missingPin.status == 1)
        #expect(missingPin.stdout.contains("impossible-length: FAIL, no verdict pinned"), "\(missingPin.stdout)")

        let outside = try CommandLineTests.threefactor(
            ["replicate", "toy", "--profile", "ci", "--root", root, "--out", logs, "--only", "cartpole-rmhl"])
        #expect(outside.status == 2)
        #expect(outside.stderr.contains("--only: no experiment 'cartpole-rmhl' in profile ci"), "\(outside.stderr)")
    }

    /// The README's results section of a profile is what the verifier writes: `update`
    /// writes it between the markers and leaves the text around them; a second run leaves the
    /// file byte for byte the same; `check` exits 1 when the section was edited by hand; a
    /// README whose section has no end marker is one error naming the file.
    @Test func theReadmeResultsAreTheVerifiersOutput() throws {
        let root = try Self.checkout()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let readme = "\(root)/papers/toy/README.md"
        let before = "# toy\n\nWritten by hand.\n\n", after = "\nThe reading, by hand.\n"
        try (before + ReadmeResults.beginMarker(profile: "ci") + "\nold numbers\n" + ReadmeResults.endMarker + after)
            .write(toFile: readme, atomically: true, encoding: .utf8)
        let logs = "\(root)/runs/toy/ci"
        let run = try CommandLineTests.threefactor(
            ["replicate", "toy", "--profile", "ci", "--root", root, "--out", logs, "--expect-verdicts", "--readme", "update"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("results of profile ci rewritten"), "\(run.stdout)")
        let written = try String(contentsOfFile: readme, encoding: .utf8)
        #expect(written.hasPrefix(before + ReadmeResults.beginMarker(profile: "ci") + "\n"))
        #expect(written.hasSuffix(ReadmeResults.endMarker + after))
        #expect(!written.contains("old numbers"))
        #expect(written.contains("| cartpole-nrl | `episode_return` | 0..1 |"), "\(written)")
        #expect(written.contains("| PASS | `episodes-end` |") && written.contains("| **FAIL** | `impossible-length` |"), "\(written)")

        let again = try CommandLineTests.threefactor(
            ["verify", "toy", "--profile", "ci", "--root", root, "--logs", logs, "--expect-verdicts", "--readme", "check"])
        #expect(again.status == 0, "\(again.stdout)")
        #expect(again.stdout.contains("results of profile ci as generated"), "\(again.stdout)")
        #expect(try String(contentsOfFile: readme, encoding: .utf8) == written)

        try written.replacingOccurrences(of: "| PASS | `episodes-end` |", with: "| PASS | `episodes-end (edited)` |")
            .write(toFile: readme, atomically: true, encoding: .utf8)
        let edited = try CommandLineTests.threefactor(
            ["verify", "toy", "--profile", "ci", "--root", root, "--logs", logs, "--expect-verdicts", "--readme", "check"])
        #expect(edited.status == 1)
        #expect(edited.stdout.contains("its results of profile ci are not what the verifier writes"), "\(edited.stdout)")

        try (before + ReadmeResults.beginMarker(profile: "ci") + "\nno end\n").write(toFile: readme, atomically: true, encoding: .utf8)
        let broken = try CommandLineTests.threefactor(
            ["verify", "toy", "--profile", "ci", "--root", root, "--logs", logs, "--readme", "update"])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("README.md") && broken.stderr.contains("has no \"<!-- end of results -->\" after it"), "\(broken.stderr)")
    }
}
