import ArgumentParser
import Foundation
import Replication
import ThreeFactor

/// `make bench`: steps per CPU second of every environment alone and of every rule
/// learning, in one run, with the ratio to the official implementations' speed where it
/// is known. The learning rows and the official speeds are data: the `[[bench]]` tables
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
            cases.append(Case(name: b.name, steps: b.steps, official: b.official) { try b.run(steps: $0) })
        }
        if let filter { cases = cases.filter { $0.name.contains(filter) } }

        if filter == nil {
            let peak = PeakFLOPS.measure(iterations: max(1_000_000, Int(20_000_000 * scale)))
            print(String(format: "peak of this thread: %.1f GFLOP per CPU second (12 chains of 4-wide double FMA)", peak / 1e9))
        }
        print("benchmark".padding(toLength: 70, withPad: " ", startingAt: 0) + "  steps/CPU-s   vs official")
        for c in cases {
            let steps = max(1_000, Int(Double(c.steps) * scale))
            let rate = try c.measure(steps)
            var line = c.name.padding(toLength: 70, withPad: " ", startingAt: 0) + String(format: "  %11.0f", rate)
            if let o = c.official {
                line += String(format: "   %6.0fx  (%@ at %.0f/s)", rate / o.stepsPerSecond, o.label, o.stepsPerSecond)
            }
            print(line)
        }
    }
}
