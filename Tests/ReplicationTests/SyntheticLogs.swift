import Foundation
import ThreeFactor
@testable import Replication

/// Synthetic run logs for verifier tests, drawn from a `RandomStream` so that no
/// number in a test is typed in by hand.
///
/// Seed s of an experiment learns a saturating curve: its return at unit k is
/// `start + (plateau_s − start)(1 − exp(−k / tau)) + noise`, with the seed's plateau
/// drawn from N(plateauMean, plateauSD) and per-unit noise N(0, noiseSD). The episode
/// length is the return clamped to [1, 500] (CartPole-like: one reward per step).
struct SyntheticExperiment {
    var id: String
    var label: String = ""
    var figure: String = "synthetic"
    var profile: String = "quick"
    var seeds: [Int] = Array(0..<10)
    var units: Int = 200
    var start: Double = 20
    var plateauMean: Double
    var plateauSD: Double
    var tau: Double = 30
    var noiseSD: Double = 10
    var streamSeed: UInt64 = 1

    func log() -> ExperimentLog {
        let root = RandomStream(seed: streamSeed, stream: stableHash(id))
        let seedLogs = seeds.map { seed -> SeedLog in
            var rng = root.split(UInt64(seed))
            let plateau = rng.normal(mean: plateauMean, standardDeviation: plateauSD)
            var returns: [Double] = []
            var lengths: [Double] = []
            for k in 1...units {
                let r = start + (plateau - start) * (1 - exp(-Double(k) / tau))
                    + rng.normal(mean: 0, standardDeviation: noiseSD)
                returns.append(r)
                lengths.append(min(500, max(1, r.rounded())))
            }
            return SeedLog(
                seed: seed, status: .complete,
                series: ["episode_return": returns, "episode_length": lengths], wallSeconds: 1.5)
        }
        return ExperimentLog(
            paper: "synthetic", experiment: id, profile: profile,
            label: label.isEmpty ? id : label, figure: figure,
            expectedUnits: units, seeds: seedLogs)
    }
}

extension ExperimentLog {
    /// A copy whose seed `seed` stopped after `units` units with `status`.
    func truncating(seed: Int, to units: Int, status: RunStatus) -> ExperimentLog {
        var copy = self
        let i = copy.seeds.firstIndex { $0.seed == seed }!
        copy.seeds[i].status = status
        for key in copy.seeds[i].series.keys {
            copy.seeds[i].series[key] = Array(copy.seeds[i].series[key]!.prefix(units))
        }
        return copy
    }
}
