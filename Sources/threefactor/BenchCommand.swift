import ArgumentParser
import Foundation
import Replication
import ThreeFactor

/// `make bench`: steps per CPU second of every environment alone and of every rule
/// learning, in one run, with the ratio to the official implementations' speed where it
/// is known. Build in release mode for meaningful numbers (the Makefile does).
/// Rates are per CPU second of the benchmarking thread, so other load on the machine
/// does not lower them; an environment's rate includes drawing its random actions.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure environment and learning steps per second (single thread).")

    @Option(help: "Scale every benchmark's step count (e.g. 0.1 for a smoke test).") var scale: Double = 1
    @Option(help: "Only benchmarks whose name contains this text.") var filter: String?
    @Option(help: "Directory holding papers/ (default: current directory).") var root: String = "."

    /// Official implementations' speed on this machine class, environment steps per second
    /// per core (../shared/papers/*/SPEC.md, "Measured here"/"Observed" sections).
    static let official: [String: (rate: Double, source: String)] = [
        "map-prop": (170, "official NumPy map_prop, CartPole, SPEC map-prop"),
        "nrl": (1_000, "official PyTorch code, CartPole H128, SPEC nrl"),
        "rmhl": (2_200, "official PyTorch code, CartPole H128, SPEC nrl"),
        "bp-reinforce": (1_800, "official PyTorch code, CartPole H128, SPEC nrl"),
    ]

    struct Case {
        var name: String
        var steps: Int
        var rule: String?
        var measure: (Int) throws -> Double  // steps per CPU second
    }

    func run() throws {
        #if DEBUG
        print("warning: this is a debug build; use `make bench` (release) for meaningful numbers")
        #endif
        var cases: [Case] = EnvironmentRegistry.ids.map { id in
            Case(name: "\(id) (environment alone, random actions)", steps: id.hasPrefix("LunarLander") ? 200_000 : 2_000_000, rule: nil) { steps in
                let cpu0 = AgentBenchmark.threadCPUSeconds()
                let r = try EnvironmentBenchmark.run(id, steps: steps)
                return Double(r.steps) / (AgentBenchmark.threadCPUSeconds() - cpu0)
            }
        }
        // Learning: the papers' pinned configurations, read from their experiment files.
        let learning: [(paper: String, experiment: String, steps: Int)] = [
            ("map-prop", "cartpole-reinforce-team", 200_000),
            ("map-prop", "cartpole-map-prop", 100_000),
            ("map-prop", "cartpole-backprop-ac", 200_000),
            ("nrl", "cartpole-nrl", 500_000),
            ("nrl", "cartpole-rmhl", 500_000),
            ("nrl", "cartpole-bp", 500_000),
            ("sar", "reflex-only", 100_000),
            ("sar", "sim-sar-sign", 100_000),
            ("sar", "sim-gdm", 100_000),
        ]
        for l in learning {
            let file = "\(root)/papers/\(l.paper)/experiments.toml"
            guard FileManager.default.fileExists(atPath: file) else {
                print("(skipping \(l.paper)/\(l.experiment): no \(file); run from the repository root or pass --root)")
                continue
            }
            guard let e = try PaperExperiments.load(file).experiment(l.experiment) else {
                throw UsageError("\(file) has no experiment \(l.experiment)")
            }
            let name = "\(e.rule) on \(e.env ?? "?") (\(l.paper): \(e.id))"
            if e.kind == "episodic", let env = e.env {
                cases.append(Case(name: name, steps: l.steps, rule: e.rule) { steps in
                    try AgentBenchmark.run(rule: e.rule, env: env, steps: steps, parameters: e.params,
                                           environmentOptions: e.envOptions).stepsPerCPUSecond
                })
            } else {
                cases.append(Case(name: name, steps: l.steps, rule: e.rule) { steps in
                    try TrialBenchmark.run(e, steps: steps).stepsPerCPUSecond
                })
            }
        }
        if let filter { cases = cases.filter { $0.name.contains(filter) } }

        print("benchmark".padding(toLength: 70, withPad: " ", startingAt: 0) + "  steps/CPU-s   vs official")
        for c in cases {
            let steps = max(1_000, Int(Double(c.steps) * scale))
            let rate = try c.measure(steps)
            var line = c.name.padding(toLength: 70, withPad: " ", startingAt: 0) + String(format: "  %11.0f", rate)
            if let rule = c.rule, let o = Self.official[rule] {
                line += String(format: "   %6.0fx  (%@ at %.0f/s)", rate / o.rate, o.source, o.rate)
            }
            print(line)
        }
    }
}
