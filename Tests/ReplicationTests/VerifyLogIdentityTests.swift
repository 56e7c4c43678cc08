import CHDF5
import Foundation
import Testing
@testable import Replication

/// `verify` checks that each log is the experiment it is verified as (issue 13): a log run
/// with another configuration is MISSING with the first difference; a log whose `config` or
/// `format` attribute is missing, replaced by another type, or of an unknown format version
/// is an error naming the file and the attribute.
@Suite struct VerifyLogIdentityTests {
    /// The toy paper of `NewPaperModuleTests`, run under the quick profile; returns the root,
    /// the log directory and the log's path.
    func runToy() throws -> (root: String, directory: String, log: String) {
        let root = try NewPaperModuleTests.checkout([
            "papers/toy/experiments.toml": NewPaperModuleTests.experiments,
            "data/reference/toy.toml": NewPaperModuleTests.reference,
        ])
        let directory = "\(root)/runs/toy/quick"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let loaded = try PaperExperiments.load(PaperModules.experimentsFile("toy", root: root))
        let requests = loaded.experiments.map {
            RunRequest(paper: "toy", profile: "quick", experiment: $0.resolved(profile: "quick"), path: "\(directory)/\($0.id).h5")
        }
        _ = try Runner(jobs: 1, shouldStop: { false }).run(requests)
        return (root, directory, "\(directory)/cartpole-nrl.h5")
    }

    func verify(_ t: (root: String, directory: String, log: String)) throws -> VerificationReport {
        try PaperVerification.run(paper: "toy", profile: "quick", root: t.root, directory: t.directory).report
    }

    func edit(_ path: String, _ body: (HDF5File) throws -> Void) throws {
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        let f = try HDF5File(path: path, mode: .readWrite)
        try body(f)
        try f.close()
    }

    @Test func aLogOfAnotherConfigurationIsMissingWithTheDifference() throws {
        let t = try runToy()
        defer { try? FileManager.default.removeItem(atPath: t.root) }
        #expect(try verify(t).results.map(\.verdict) == [.pass])
        // The experiment file changes after the run (another noise): the log no longer is it.
        let file = "\(t.root)/papers/toy/experiments.toml"
        try NewPaperModuleTests.experiments.replacingOccurrences(of: "noise_std = 0.1", with: "noise_std = 0.2")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let report = try verify(t)
        #expect(report.results.map(\.verdict) == [.missing])
        let note = report.results[0].notes.joined()
        #expect(note.contains("experiment cartpole-nrl: the log was run with another configuration"), "\(note)")
        #expect(note.contains("noise_std = 0.1") && note.contains("noise_std = 0.2"), "\(note)")
        #expect(report.exitCode == 2)
    }

    @Test func aReplacedConfigTextIsMissing() throws {
        let t = try runToy()
        defer { try? FileManager.default.removeItem(atPath: t.root) }
        try edit(t.log) { try $0.setAttribute("config", "units = 4\n") }
        let report = try verify(t)
        #expect(report.results.map(\.verdict) == [.missing])
        #expect(report.results[0].notes.joined().contains("another configuration"))
    }

    @Test(arguments: [
        ("configNotAString", "attribute config on / is not a string"),
        ("configMissing", "exists and is not a ThreeFactor run log"),
        ("formatMissing", "attribute format is missing or not an integer"),
        ("formatNotAnInteger", "attribute format is missing or not an integer"),
        ("formatUnknown", "format 2 is not a format this toolkit reads (1)"),
    ])
    func aDamagedIdentityIsAnErrorNamingFileAndAttribute(damage: String, message: String) throws {
        let t = try runToy()
        defer { try? FileManager.default.removeItem(atPath: t.root) }
        try edit(t.log) { f in
            switch damage {
            case "configNotAString": try f.setAttribute("config", 7)
            case "configMissing": #expect(H5Adelete_by_name(f.id, "/", "config", chdf5_p_default()) >= 0)
            case "formatMissing": #expect(H5Adelete_by_name(f.id, "/", "format", chdf5_p_default()) >= 0)
            case "formatNotAnInteger": try f.setAttribute("format", "1")
            default: try f.setAttribute("format", 2)
            }
        }
        let error = #expect(throws: (any Error).self) { try verify(t) }
        let line = "\(error.map { "\($0)" } ?? "")"
        #expect(line.hasPrefix(t.log + ": "), "\(line)")
        #expect(line.contains(message), "\(line)")
    }

    /// A reference file of another paper, an experiments file of another paper, or a check
    /// whose profile is misspelt is an error naming the file and key, not a silent skip.
    @Test(arguments: [
        ("reference", "paper = \"toy\"", "paper = \"other\"", "data/reference/toy.toml: key \"paper\": is \"other\""),
        ("experiments", "paper = \"toy\"", "paper = \"other\"", "papers/toy/experiments.toml: key \"paper\": is \"other\""),
        ("reference", "profiles = [\"full\", \"quick\"]", "profiles = [\"full\", \"quikc\"]",
         "check \"episodes-end\": key \"profiles\": profile \"quikc\" is not a profile"),
    ])
    func filesOfAnotherPaperOrAMisspeltProfileAreRefused(file: String, old: String, new: String, message: String) throws {
        let t = try runToy()
        defer { try? FileManager.default.removeItem(atPath: t.root) }
        let path = file == "reference" ? "\(t.root)/data/reference/toy.toml" : "\(t.root)/papers/toy/experiments.toml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(old))
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try verify(t) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }
}
