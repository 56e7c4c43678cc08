import AllocationCounter
import Foundation
import Testing
import Replication
import ThreeFactor

/// No allocation inside a step: every pinned experiment of every paper module (so every
/// rule family on every kind of task it runs in a paper) runs its units without a single
/// heap allocation once warmed up. Counted by the test binary's own malloc, calloc, realloc
/// and aligned allocators (`AllocationCounter`), on the calling thread only. A unit holds
/// all of a unit's steps and its bookkeeping (an episode with its resets and its learning
/// update, a batch, a block of control steps); the first units are excluded, since buffers
/// sized by the first episode may grow once.
@Suite struct AllocationFreeStepTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Each distinct (kind, rule, task, parameters) of the paper modules, with its label.
    static func experiments() throws -> [(label: String, kind: String, spec: TrialSpec)] {
        var seen = Set<String>(), out: [(String, String, TrialSpec)] = []
        for paper in PaperModules.ids(root: root) {
            let file = try PaperExperiments.load(PaperModules.experimentsFile(paper, root: root))
            for e in file.experiments {
                let resolved = e.resolved(profile: "full")
                let spec = resolved.trialSpec(seed: 0)
                let key = "\(e.kind) \(spec.rule) \(spec.env ?? "") \(resolved.configText)"
                guard seen.insert(key).inserted else { continue }
                out.append(("\(paper)/\(e.id)", e.kind, spec))
            }
        }
        return out
    }

    @Test func warmedUpUnitsAllocateNothing() throws {
        var allocating: [String] = []
        for (label, kind, spec) in try Self.experiments() {
            var trial = try Catalog.makeTrial(kind: kind, spec)
            var record = Array(repeating: 0.0, count: trial.seriesNames.count)
            for _ in 0..<3 { trial.runUnit(record: &record) }
            allocation_counter_start()
            for _ in 0..<3 { trial.runUnit(record: &record) }
            let count = allocation_counter_stop()
            if count != 0 { allocating.append("\(label): \(count) allocations in 3 units") }
        }
        #expect(allocating.isEmpty, "\(allocating.joined(separator: "\n"))")
    }

    /// The counter counts: an array built on this thread is one allocation or more.
    @Test func theCounterSeesAnAllocation() {
        allocation_counter_start()
        let a = Array(repeating: 1.5, count: 1000)
        let count = allocation_counter_stop()
        #expect(a.count == 1000)
        #expect(count >= 1)
    }
}
