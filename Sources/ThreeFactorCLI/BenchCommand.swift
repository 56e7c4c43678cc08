import ArgumentParser
import Foundation
import Replication
import ThreeFactor

/// `make bench`: steps per CPU second of every environment alone and of every rule
/// learning, in one run, with the ratio to the official implementations' speed where it
/// is known. Rules that run in lockstep (`LockstepBenchmark.rules`) get a second row with
/// eight seeds at once for each SIMD instruction set the processor supports beyond the
/// portable one (steps of all lanes per CPU second, and the ratio to the single seed), and
/// every such row its matrix arithmetic as a fraction of the machine's peak, measured in the
/// same run. The learning rows and the official speeds are data: the `[[bench]]` tables
/// of every `papers/<id>/experiments.toml`. Build in release mode for meaningful numbers
/// (the Makefile does).
/// Rates are per CPU second of the benchmarking thread, so other load on the machine
/// does not lower them; an environment's rate includes drawing its random actions.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure environment and learning steps per second (single thread).")

    @Option(help: "Scale every benchmark's step count (e.g. 0.1 for a smoke test).") var scale: Double = 1
    @Option(help: "Only benchmarks whose name contains this text.") var filter: String?
    @Option(help: "Directory holding papers/ (default: current directory).") var root: String = "."

    struct Case {
        var name: String
        var steps: Int
        var official: OfficialSpeed?
        var measure: (Int) throws -> Double  // steps per CPU second
        /// Floating-point operations per step, when they are counted (`LockstepBenchmark`).
        var operationsPerStep: Double? = nil
        /// The case this one is a faster form of (its ratio is printed).
        var baseline: String? = nil
    }

    func run() throws {
        #if DEBUG
        print("warning: this is a debug build; use `make bench` (release) for meaningful numbers")
        #endif
        var cases: [Case] = Catalog.environments.map(\.id).map { id in
            Case(name: "\(id) (environment alone, random actions)", steps: id.hasPrefix("LunarLander") ? 200_000 : 2_000_000, official: nil) { steps in
                let cpu0 = AgentBenchmark.threadCPUSeconds()
                let r = try EnvironmentBenchmark.run(id, steps: steps)
                return Double(r.steps) / (AgentBenchmark.threadCPUSeconds() - cpu0)
            }
        }
        // Learning: every paper module's [[bench]] rows (papers/<id>/experiments.toml), each
        // timing one of the paper's pinned experiments.
        if PaperModules.ids(root: root).isEmpty {
            print("(no learning benchmarks: no papers/<id>/experiments.toml under \(root); run from the repository root or pass --root)")
        }
        for b in try LearningBenchmark.all(root: root) {
            let e = b.experiment
            var operations: Double?
            if e.kind == EpisodicTrials.kindName, let env = e.env, LockstepBenchmark.rules.contains(e.rule) {
                operations = try LockstepBenchmark.matrixOperationsPerStep(
                    rule: e.rule, env: env, parameters: e.params, environmentOptions: e.envOptions)
            }
            cases.append(Case(name: b.name, steps: b.steps, official: b.official, measure: { try b.run(steps: $0) }, operationsPerStep: operations))
            if let operations, let env = e.env {
                let lanes = LockstepActorCritic.lanes
                // The portable lane kernels (a C library call per fused multiply-add) are for
                // processors without SIMD FMA; LockstepTests holds their bits, not their speed.
                for isa in LaneInstructionSet.supported where isa != .portable {
                    cases.append(Case(
                        name: "\(b.name), \(lanes) seeds in lockstep (\(isa))", steps: b.steps * lanes, official: b.official,
                        measure: { steps in
                            try LockstepBenchmark.run(rule: e.rule, env: env, steps: steps, parameters: e.params,
                                                      environmentOptions: e.envOptions, instructionSet: isa).stepsPerCPUSecond
                        },
                        operationsPerStep: operations, baseline: b.name))
                }
            }
        }
        if let filter { cases = cases.filter { $0.name.contains(filter) } }

        // The peak is measured in every run that has a case to hold against it, with every
        // instruction set; the machine's is the widest's.
        var peak: Double?
        if filter == nil || cases.contains(where: { $0.operationsPerStep != nil }) {
            for isa in LaneInstructionSet.supported {
                let measured = PeakFLOPS.measure(rounds: max(500_000, Int(10_000_000 * scale)), instructionSet: isa)
                print(String(format: "FMA peak of this thread, %@: %.1f GFLOP per CPU second (12 chains of %d-wide FMA)",
                             isa.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0), measured / 1e9,
                             isa.operationsPerFMARound / 24))
                peak = measured
            }
        }
        print("benchmark".padding(toLength: 86, withPad: " ", startingAt: 0) + "  steps/CPU-s   ratio")
        var rates: [String: Double] = [:]
        for c in cases {
            let steps = max(1_000, Int(Double(c.steps) * scale))
            let rate = try c.measure(steps)
            rates[c.name] = rate
            var line = c.name.padding(toLength: 86, withPad: " ", startingAt: 0) + String(format: "  %11.0f", rate)
            if let b = c.baseline, let base = rates[b] {
                line += String(format: "   %6.2fx single seed", rate / base)
            }
            if let o = c.official {
                line += String(format: "   %6.0fx  (%@ at %.0f/s)", rate / o.stepsPerSecond, o.label, o.stepsPerSecond)
            }
            if let ops = c.operationsPerStep, let peak {
                line += String(format: "   %.2f GFLOP/s = %.1f %% of peak", rate * ops / 1e9, 100 * rate * ops / peak)
            }
            print(line)
        }
    }
}
