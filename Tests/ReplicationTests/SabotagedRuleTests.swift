import Foundation
import Testing
@testable import Replication

/// A verifier that cannot fail proves nothing. Here the real rule, run by the real binary,
/// is sabotaged — MAP propagation with its actor's learning rates set to zero, so the policy
/// never leaves its initial weights (a negative rate, which would descend the objective, is
/// refused by the rule's parameter table) — and the paper's quick CI check must FAIL it; the
/// same files with the rates as published must PASS.
@Suite(.serialized) struct SabotagedRuleTests {
    /// A scratch copy of the map-prop module holding only CartPole's MAP propagation and
    /// REINFORCE-team experiments (quick profile), with the actor's rates multiplied by `factor`.
    static func module(factor: Double) throws -> String {
        let dir = Scratch.directory("sabotage\(factor == 0 ? "d" : "ok")")
        let root = PaperModuleFilesTests.root
        let experiments = try PaperExperiments.load("\(root)/papers/map-prop/experiments.toml")
        let keep = ["cartpole-map-prop", "cartpole-reinforce-team"]
        var text = "paper = \"map-prop\"\n[profiles]\nfull = \"\(experiments.profiles["full"]!)\"\nquick = \"\(experiments.profiles["quick"]!)\"\n"
        for id in keep {
            let e = try #require(experiments.experiment(id))
            var params = e.params.values
            if id == "cartpole-map-prop" {
                for key in ["actor_lr_st", "actor_lr_end"] {
                    guard case .list(let items)? = params[key] else { continue }
                    params[key] = .list(items.map { if case .number(let x) = $0 { .number(factor * x) } else { $0 } })
                }
            }
            let quick = try #require(e.profiles["quick"])
            text += "\n[[experiments]]\nid = \"\(id)\"\nenv = \"\(e.env!)\"\nrule = \"\(e.rule)\"\nfigure = \"\(e.figure)\"\n"
            text += "units = \(e.units)\nseeds = \(e.seeds)\n[experiments.params]\n"
            text += params.keys.sorted().map { "\($0) = \(params[$0]!)" }.joined(separator: "\n") + "\n"
            text += "[experiments.profiles.quick]\nunits = \(quick.units!)\nseeds = \(quick.seeds!)\n"
        }
        try FileManager.default.createDirectory(atPath: "\(dir)/papers/map-prop", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(dir)/data/reference", withIntermediateDirectories: true)
        try text.write(toFile: "\(dir)/papers/map-prop/experiments.toml", atomically: true, encoding: .utf8)
        // The reference file as shipped, without the profile ci this module does not have:
        // checks on experiments not run here report MISSING.
        var reference = try String(contentsOfFile: "\(root)/data/reference/map-prop.toml", encoding: .utf8)
            .replacingOccurrences(of: ", \"ci\"]", with: "]")
        if let pins = reference.range(of: "\n[expected_verdicts.ci]") { reference = String(reference[..<pins.lowerBound]) + "\n" }
        try reference.write(toFile: "\(dir)/data/reference/map-prop.toml", atomically: true, encoding: .utf8)
        return dir
    }

    static func replicate(_ dir: String) throws -> CommandLineTests.Result {
        try CommandLineTests.threefactor(["replicate", "map-prop", "--profile", "quick", "--root", dir, "--out", "\(dir)/runs"])
    }

    static func verdict(of check: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.contains("| \(check.prefix(30))") }.map { String($0.prefix(7)).trimmingCharacters(in: .whitespaces) }
    }

    @Test func frozenMAPPropagationFailsTheQuickCheck() throws {
        let dir = try Self.module(factor: 0)
        let r = try Self.replicate(dir)
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        #expect(Self.verdict(of: "quick-cartpole-map-prop-faster-than-reinforce-team", in: r.stdout) == "FAIL", "\(r.stdout)")
        // The verdict is also stored in the run log's /summary.
        HDF5File.libraryLock.lock()
        defer { HDF5File.libraryLock.unlock() }
        let log = try HDF5File(path: "\(dir)/runs/cartpole-map-prop.h5", mode: .readOnly)
        #expect(try log.stringAttribute("verdict", on: "/summary/quick-cartpole-map-prop-faster-than-reinforce-team") == "FAIL")
    }

    @Test func publishedRatesPassTheSameCheck() throws {
        let dir = try Self.module(factor: 1)
        let r = try Self.replicate(dir)
        #expect(Self.verdict(of: "quick-cartpole-map-prop-faster-than-reinforce-team", in: r.stdout) == "PASS", "\(r.stdout)")
    }
}
