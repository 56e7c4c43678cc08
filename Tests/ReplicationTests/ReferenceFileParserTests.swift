import Foundation
import Testing
@testable import Replication

/// A malformed reference file must stop verification with one error naming the file,
/// the check and the key, and saying what was expected.
@Suite struct ReferenceFileParserTests {
    static let valid = """
    paper = "map-prop"

    [[checks]]
    id = "cartpole-average-return"
    description = "MAP propagation, CartPole-v1: mean return over all 1000 episodes"
    experiments = ["cartpole-map-prop"]
    profiles = ["full"]
    provenance = "official README"
    source = "README results table, CartPole column: 459.70 (13.89), 10 runs"
      [checks.metric]
      kind = "mean"
      series = "episode_return"
      [checks.comparison]
      kind = "reported"
      mean = 459.70
      std = 13.89
      std_kind = "population"
      n = 10
      alpha = 0.05
      margin = 25

    [[checks]]
    id = "map-prop-beats-reinforce"
    description = "MAP propagation learns faster than a REINFORCE team"
    experiments = ["cartpole-map-prop", "cartpole-reinforce"]
    profiles = ["full", "quick"]
    provenance = "claim in abstract"
    source = "arXiv:2010.07893 abstract"
      [checks.metric]
      kind = "auc"
      window = 100
      [checks.comparison]
      kind = "ordering"
      better = "higher"

    [[marks]]
    figure = "cartpole"
    label = "README: mean over all episodes"
    value = 459.70
    provenance = "official README"
    source = "README results table"
    """

    func error(_ text: String) -> ReferenceFileError? {
        do {
            _ = try ReferenceFile.parse(text, file: "data/reference/map-prop.toml")
            return nil
        } catch let e as ReferenceFileError {
            return e
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    /// The valid file with one line replaced (the line must exist).
    func replacing(_ old: String, with new: String) -> String {
        precondition(Self.valid.contains(old), "test edits a line that is not there: \(old)")
        return Self.valid.replacingOccurrences(of: old, with: new)
    }

    @Test func parsesTheValidFile() throws {
        let file = try ReferenceFile.parse(Self.valid, file: "map-prop.toml")
        #expect(file.paper == "map-prop")
        #expect(file.checks.count == 2)
        let first = file.checks[0]
        #expect(first.metric == .mean(series: "episode_return"))
        guard case .reported(let r) = first.comparison else { Issue.record("not reported"); return }
        #expect(r.mean == 459.70 && r.n == 10 && r.stdKind == .population && r.margin == .absolute(25) && r.equivalence == .tost)
        // population sd 13.89 over 10 runs is a sample sd of 13.89 * sqrt(10/9).
        #expect(abs(r.sampleStd - 13.89 * (10.0 / 9).squareRoot()) < 1e-12)
        #expect(file.checks[1].metric == .areaUnderCurve(series: "episode_return", window: 100, normalisation: nil))
        #expect(file.checks[1].comparison == .ordering(.init(better: .higher, test: .mannWhitney, alpha: 0.05)))
        #expect(file.checks[1].provenance == .claimInAbstract)
        #expect(file.marks == [ReferenceMark(figure: "cartpole", label: "README: mean over all episodes", value: 459.70, provenance: .officialREADME, source: "README results table")])
    }

    @Test func missingKey() {
        let e = error(replacing("  std = 13.89\n", with: ""))
        #expect(e?.description == "data/reference/map-prop.toml: check \"cartpole-average-return\": key \"comparison.std\": missing; expected a number")
    }

    @Test func missingIdNamesTheCheckByPosition() {
        let e = error(replacing("id = \"map-prop-beats-reinforce\"\n", with: ""))
        #expect(e?.check == "check #2")
        #expect(e?.key == "id")
    }

    @Test func wrongType() {
        let e = error(replacing("n = 10", with: "n = \"10\""))
        #expect(e?.description == "data/reference/map-prop.toml: check \"cartpole-average-return\": key \"comparison.n\": expected an integer, found string \"10\"")
        let e2 = error(replacing("experiments = [\"cartpole-map-prop\"]", with: "experiments = \"cartpole-map-prop\""))
        #expect(e2?.key == "experiments")
        #expect(e2?.message.hasPrefix("expected an array of strings, found string") == true)
    }

    @Test func unknownComparison() {
        let e = error(replacing("kind = \"ordering\"", with: "kind = \"ttest\""))
        #expect(e?.check == "check \"map-prop-beats-reinforce\"")
        #expect(e?.key == "comparison.kind")
        #expect(e?.message == "unknown comparison \"ttest\"; expected one of: \"reported\", \"band\", \"ordering\", \"factor\", \"fraction\"")
    }

    @Test func unknownMetric() {
        let e = error(replacing("kind = \"auc\"", with: "kind = \"median_return\""))
        #expect(e?.key == "metric.kind")
        #expect(e?.message.contains("unknown metric \"median_return\"") == true)
    }

    @Test func unknownProvenance() {
        let e = error(replacing("provenance = \"claim in abstract\"", with: "provenance = \"paper figure 3\""))
        #expect(e?.key == "provenance")
        #expect(e?.message.hasPrefix("unknown provenance \"paper figure 3\"; expected one of: \"paper table\", \"official README\"") == true)
    }

    @Test func unknownKeysAreErrors() {
        // A misspelt optional key must not be ignored.
        let e = error(replacing("alpha = 0.05", with: "alpah = 0.05"))
        #expect(e?.key == "comparison.alpah")
        #expect(e?.message.hasPrefix("unknown key; allowed here: kind, mean, std, std_kind, n, alpha, margin") == true)
        // A key that belongs to another metric kind.
        let e2 = error(replacing("  kind = \"mean\"\n", with: "  kind = \"mean\"\n  window = 100\n"))
        #expect(e2?.key == "metric.window")
        let e3 = error(replacing("paper = \"map-prop\"", with: "paper = \"map-prop\"\nversion = 2"))
        #expect(e3?.key == "version" && e3?.check == nil)
        let e4 = error(replacing("source = \"arXiv:2010.07893 abstract\"", with: "source = \"arXiv:2010.07893 abstract\"\ntolerance = 3"))
        #expect(e4?.key == "tolerance" && e4?.check == "check \"map-prop-beats-reinforce\"")
    }

    @Test func inconsistentValues() {
        #expect(error(replacing("experiments = [\"cartpole-map-prop\", \"cartpole-reinforce\"]", with: "experiments = [\"cartpole-map-prop\"]"))?.message
            == "a ordering comparison reads exactly 2 experiment(s), found 1")
        #expect(error(replacing("margin = 25", with: "margin = 25\nrelative_margin = 0.05"))?.key == "comparison.relative_margin")
        #expect(error(replacing("margin = 25", with: ""))?.message.hasPrefix("missing: give the equivalence margin") == true)
        #expect(error(replacing("alpha = 0.05", with: "alpha = 5"))?.message == "must be in (0, 0.5), found 5.0")
        #expect(error(replacing("id = \"map-prop-beats-reinforce\"", with: "id = \"cartpole-average-return\""))?.message.contains("unique") == true)
        #expect(error(replacing("  window = 100\n", with: "  window = 0\n"))?.message == "must be >= 1, found 0")
    }

    @Test func invalidTOMLNamesTheLine() {
        let e = error(replacing("n = 10", with: "n = = 10"))
        #expect(e?.file == "data/reference/map-prop.toml")
        #expect(e?.message.contains("line 18") == true, "\(String(describing: e))")
    }

    @Test func loadChecksTheFileName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("refparse-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("map-prop.toml")
        try Self.valid.write(to: good, atomically: true, encoding: .utf8)
        #expect(try ReferenceFile.load(path: good.path).checks.count == 2)
        let wrong = dir.appendingPathComponent("nrl.toml")
        try Self.valid.write(to: wrong, atomically: true, encoding: .utf8)
        #expect(throws: ReferenceFileError.self) { try ReferenceFile.load(path: wrong.path) }
    }
}

/// The example in data/reference/README.md must stay a valid reference file.
@Test func readmeExampleParses() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("data/reference/README.md"), encoding: .utf8)
    let block = try #require(readme.components(separatedBy: "```toml\n").dropFirst().first?.components(separatedBy: "```").first)
    let file = try ReferenceFile.parse(block, file: "README example")
    #expect(file.checks.map(\.id) == ["cartpole-average-return", "map-prop-faster-than-reinforce"])
    #expect(file.marks.count == 1)
}
