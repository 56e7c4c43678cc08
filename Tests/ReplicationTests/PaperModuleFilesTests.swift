import Foundation
import Testing
@testable import Replication

/// Every paper module's data files: the experiments file loads, every experiment builds a
/// trial, and the reference file parses and names only experiments and profiles that exist.
@Suite struct PaperModuleFilesTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var papers: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/papers")) ?? []).sorted()
    }

    @Test func everyPaperHasItsFiles() {
        #expect(!Self.papers.isEmpty)
        for paper in Self.papers {
            #expect(FileManager.default.fileExists(atPath: "\(Self.root)/papers/\(paper)/experiments.toml"), "\(paper)")
            #expect(FileManager.default.fileExists(atPath: "\(Self.root)/papers/\(paper)/README.md"), "\(paper)")
            #expect(FileManager.default.fileExists(atPath: "\(Self.root)/data/reference/\(paper).toml"), "\(paper)")
        }
    }

    @Test(arguments: papers)
    func experimentsBuildAndReferencesNameRealExperiments(paper: String) throws {
        let experiments = try PaperExperiments.load("\(Self.root)/papers/\(paper)/experiments.toml")
        #expect(experiments.paper == paper)
        #expect(experiments.profiles["full"] != nil && experiments.profiles["quick"] != nil)
        for profile in experiments.profiles.keys {
            for e in experiments.experiments {
                let resolved = e.resolved(profile: profile)
                _ = try Runner.registeredTrial(resolved, resolved.seeds[0])
            }
        }
        let reference = try ReferenceFile.load(path: "\(Self.root)/data/reference/\(paper).toml")
        let ids = Set(experiments.experiments.map(\.id))
        for check in reference.checks {
            for e in check.experiments { #expect(ids.contains(e), "\(paper): check \(check.id) reads unknown experiment \(e)") }
            for p in check.profiles { #expect(experiments.profiles[p] != nil, "\(paper): check \(check.id) names unknown profile \(p)") }
        }
        #expect(reference.checks.contains { $0.profiles.contains("quick") }, "\(paper): CI (quick) verifies nothing")
        let figures = Set(experiments.experiments.map(\.figure))
        for mark in reference.marks { #expect(figures.contains(mark.figure), "\(paper): mark on unknown figure \(mark.figure)") }
    }

    /// Any other experiments file of a module (a sweep, run with `replicate --experiments`)
    /// loads and builds every trial too, so the evidence it produced can be regenerated.
    @Test func otherExperimentFilesBuild() throws {
        var checked = 0
        for paper in Self.papers {
            let directory = "\(Self.root)/papers/\(paper)"
            for file in try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            where file.hasSuffix(".toml") && file != "experiments.toml" {
                let experiments = try PaperExperiments.load("\(directory)/\(file)")
                #expect(experiments.paper == paper, "\(paper)/\(file)")
                for profile in experiments.profiles.keys {
                    for e in experiments.experiments {
                        let resolved = e.resolved(profile: profile)
                        _ = try Runner.registeredTrial(resolved, resolved.seeds[0])
                    }
                }
                checked += 1
            }
        }
        #expect(checked > 0, "no sweep file found; the NRL module has one")
    }
}
