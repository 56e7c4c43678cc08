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
        var cases: [Case] = EnvironmentRegistry.ids.filter { $0 != "LineFollower-v0" }.map { id in
            Case(name: "\(id) (environment alone, random actions)", steps: id.hasPrefix("LunarLander") ? 200_000 : 2_000_000, rule: nil) { steps in
                let cpu0 = AgentBenchmark.threadCPUSeconds()
                let r = try EnvironmentBenchmark.run(id, steps: steps)
                return Double(r.steps) / (AgentBenchmark.threadCPUSeconds() - cpu0)
            }
        }
        let learning: [(rule: String, env: String, steps: Int)] = [
            ("reinforce-team", "CartPole-v1", 200_000),
            ("map-prop", "CartPole-v1", 100_000),
            ("backprop-ac", "CartPole-v1", 200_000),
            ("nrl", "CartPole-v1", 500_000),
            ("rmhl", "CartPole-v1", 500_000),
            ("bp-reinforce", "CartPole-v1", 500_000),
        ]
        for l in learning where RuleRegistry.entry(l.rule) != nil {
            cases.append(Case(name: "\(l.rule) learning on \(l.env)", steps: l.steps, rule: l.rule) { steps in
                try AgentBenchmark.run(rule: l.rule, env: l.env, steps: steps).stepsPerCPUSecond
            })
        }
        for rule in ["reflex-only", "sar-sign", "gdm"] {
            let spec = ExperimentSpec(id: "bench", kind: "closed-loop", env: "LineFollower-v0", rule: rule, units: 1, seeds: [0])
            guard (try? Runner.registeredTrial(spec, 0)) != nil else { continue }
            cases.append(Case(name: rule == "reflex-only" ? "reflex-only closed loop on LineFollower-v0 (no network)" : "\(rule) closed loop on LineFollower-v0 (10x10 hidden, 720 inputs)", steps: 100_000, rule: rule) { steps in
                try TrialBenchmark.run(spec, steps: steps).stepsPerCPUSecond
            })
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
