import Foundation
import Testing
import ThreeFactor
@testable import Replication

/// The benchmark statistics (Sources/Replication/Statistics: ScoreMatrix, AggregateMetric,
/// intervalEstimates, performanceProfile, probabilityOfImprovement, SampleEfficiency,
/// ComputeCost) against numbers computed by rliable itself
/// (`data/known-answers/rliable_known_answers.json`, written by
/// `data/known-answers/generate_rliable_known_answers.py`).
///
/// Exact formulas agree to 1e-12 of the scores' magnitude (NumPy sums pairwise, we sum in
/// order; a result near zero from scores of size one can only agree absolutely).
/// Bootstrap intervals are compared exactly (to the same 1e-12) by replaying the very
/// resamples rliable drew; intervals from our own Philox draws are checked to lie within
/// 5 Monte-Carlo standard errors of rliable's (bands computed by the script).
@Suite struct RliableKnownAnswerTests {
    struct Aggregates: Decodable {
        var name: String
        var scores: [[Double]]
        var iqm, mean, median: Double
        var optimality_gap: Double
        var optimality_gap_gamma: Double
        var optimality_gap_at_gamma: Double
        var per_task_iqm: [Double]
    }
    struct Intervals: Decodable {
        var name: String
        var scores: [[Double]]
        var level: Double
        var metrics: [String]
        var indices: [[[Int]]]
        var point, low, high: [Double]
    }
    struct Profile: Decodable {
        var name: String
        var scores: [[Double]]
        var taus: [Double]
        var kind: String
        var level: Double
        var indices: [[[Int]]]
        var fractions, low, high: [Double]
    }
    struct Improvement: Decodable {
        var name: String
        var x, y: [[Double]]
        var level: Double
        var indices: [[[Int]]]
        var point, low, high: Double
        var per_task: [Double]
    }
    struct MonteCarlo: Decodable {
        var name: String
        var kind: String
        var scores: [[Double]]
        var y: [[Double]]?
        var swift_reps: Int
        var level: Double
        var point: [Double]
        var low_band, high_band: [[Double]]
    }
    struct Efficiency: Decodable {
        var name: String
        var series: [Double]
        var window: Int
        var low, high: Double?
        var curve: [Double]
        var auc: Double
        var threshold: Double
        var direction: String
        var units: Int
        var censored: Bool
    }
    struct Cost: Decodable {
        var name: String
        var costs, scores: [[Double]]
        var per_run: Double
        var per_unit_score: Double?
    }
    struct File: Decodable {
        var versions: [String: String]
        var aggregates: [Aggregates]
        var interval_estimates: [Intervals]
        var performance_profiles: [Profile]
        var probability_of_improvement: [Improvement]
        var monte_carlo: [MonteCarlo]
        var sample_efficiency: [Efficiency]
        var compute_cost: [Cost]
    }

    static let file: File = {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("data/known-answers/rliable_known_answers.json")
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }()

    /// |ours − expected| ≤ 1e-12 × max(|expected|, scale).
    func close(_ ours: Double, _ expected: Double, scale: Double) -> Bool {
        abs(ours - expected) <= 1e-12 * max(abs(expected), scale)
    }

    func scale(_ rows: [[Double]]) -> Double { max(1, rows.joined().map(abs).max() ?? 1) }

    func metric(_ name: String) -> AggregateMetric {
        switch name {
        case "median": .median
        case "iqm": .interquartileMean
        case "mean": .mean
        default: .optimalityGap(gamma: 1)
        }
    }

    @Test func aggregates() {
        #expect(Self.file.aggregates.count >= 8)
        for c in Self.file.aggregates {
            let m = ScoreMatrix(rows: c.scores), s = scale(c.scores)
            #expect(close(AggregateMetric.interquartileMean(m), c.iqm, scale: s), "\(c.name): IQM")
            #expect(close(AggregateMetric.mean(m), c.mean, scale: s), "\(c.name): mean")
            #expect(close(AggregateMetric.median(m), c.median, scale: s), "\(c.name): median")
            #expect(close(AggregateMetric.optimalityGap(gamma: 1)(m), c.optimality_gap, scale: s), "\(c.name): optimality gap")
            #expect(close(AggregateMetric.optimalityGap(gamma: c.optimality_gap_gamma)(m), c.optimality_gap_at_gamma, scale: s), "\(c.name): optimality gap at γ")
            for t in 0..<m.taskCount {
                #expect(close(AggregateMetric.interquartileMean(m.task(t)), c.per_task_iqm[t], scale: s), "\(c.name): IQM of task \(t)")
            }
        }
    }

    @Test func intervalEstimatesReplayRliablesResamples() {
        for c in Self.file.interval_estimates {
            let m = ScoreMatrix(rows: c.scores), s = scale(c.scores)
            let metrics = c.metrics.map(metric)
            #expect(metrics == AggregateMetric.standard)
            let intervals = intervalEstimates(m, metrics: metrics, level: c.level, draws: .supplied(c.indices))
            for (i, interval) in intervals.enumerated() {
                #expect(interval.resamples == c.indices.count && interval.undefinedResamples == 0)
                #expect(close(interval.estimate, c.point[i], scale: s), "\(c.name) \(c.metrics[i]): point \(interval.estimate), rliable \(c.point[i])")
                #expect(close(interval.low, c.low[i], scale: s), "\(c.name) \(c.metrics[i]): low \(interval.low), rliable \(c.low[i])")
                #expect(close(interval.high, c.high[i], scale: s), "\(c.name) \(c.metrics[i]): high \(interval.high), rliable \(c.high[i])")
            }
        }
    }

    @Test func performanceProfilesReplayRliablesResamples() {
        for c in Self.file.performance_profiles {
            let m = ScoreMatrix(rows: c.scores)
            let kind = PerformanceProfile.Kind(rawValue: c.kind)!
            #expect(PerformanceProfile.fractions(m, taus: c.taus, kind: kind) == c.fractions, "\(c.name) (\(c.kind))")
            let profile = performanceProfile(m, taus: c.taus, kind: kind, level: c.level, draws: .supplied(c.indices))
            #expect(profile.taus == c.taus && profile.kind == kind)
            for (i, p) in profile.points.enumerated() {
                #expect(p.estimate == c.fractions[i])
                #expect(close(p.low, c.low[i], scale: 1), "\(c.name) τ = \(c.taus[i]): low \(p.low), rliable \(c.low[i])")
                #expect(close(p.high, c.high[i], scale: 1), "\(c.name) τ = \(c.taus[i]): high \(p.high), rliable \(c.high[i])")
            }
        }
    }

    @Test func probabilityOfImprovementReplaysRliablesResamples() {
        for c in Self.file.probability_of_improvement {
            let x = ScoreMatrix(rows: c.x), y = ScoreMatrix(rows: c.y)
            #expect(close(probabilityOfImprovement(x, over: y), c.point, scale: 1), "\(c.name)")
            for t in 0..<x.taskCount {
                #expect(probabilityOfImprovement(x.task(t), over: y.task(t)) == c.per_task[t], "\(c.name), task \(t)")
            }
            let interval = probabilityOfImprovement(x, over: y, level: c.level, draws: .supplied(c.indices))
            #expect(close(interval.estimate, c.point, scale: 1))
            #expect(close(interval.low, c.low, scale: 1), "\(c.name): low \(interval.low), rliable \(c.low)")
            #expect(close(interval.high, c.high, scale: 1), "\(c.name): high \(interval.high), rliable \(c.high)")
        }
    }

    /// Our own (Philox) resamples: the interval ends lie within 5 Monte-Carlo standard
    /// errors of rliable's, and the point estimates are rliable's.
    @Test func drawnIntervalsAgreeWithinMonteCarloError() {
        for (n, c) in Self.file.monte_carlo.enumerated() {
            let x = ScoreMatrix(rows: c.scores)
            let draws = Bootstrap.Draws.stream(RandomStream(seed: 2021, stream: UInt64(n)), resamples: c.swift_reps)
            let intervals: [Bootstrap.Interval]
            let names: [String]
            if c.kind == "probability_of_improvement" {
                intervals = [probabilityOfImprovement(x, over: ScoreMatrix(rows: c.y!), level: c.level, draws: draws)]
                names = ["P(X > Y)"]
            } else {
                intervals = intervalEstimates(x, metrics: AggregateMetric.standard, level: c.level, draws: draws)
                names = AggregateMetric.standard.map(\.name)
            }
            for (i, interval) in intervals.enumerated() {
                #expect(close(interval.estimate, c.point[i], scale: scale(c.scores)), "\(c.name) \(names[i]): point")
                let lo = c.low_band[i], hi = c.high_band[i]
                #expect(interval.low >= lo[0] && interval.low <= lo[1], "\(c.name) \(names[i]): low \(interval.low) outside rliable's band \(lo)")
                #expect(interval.high >= hi[0] && interval.high <= hi[1], "\(c.name) \(names[i]): high \(interval.high) outside rliable's band \(hi)")
            }
        }
    }

    /// Supplying the indices a stream would draw gives the stream's intervals: the two
    /// paths of `Bootstrap.percentileIntervals` are one computation.
    @Test func suppliedIndicesReproduceDrawnOnes() {
        let c = Self.file.interval_estimates[0]
        let m = ScoreMatrix(rows: c.scores)
        let stream = RandomStream(seed: 11)
        var rng = stream
        let indices = (0..<100).map { _ in
            (0..<m.taskCount).map { _ in (0..<m.runCount).map { _ in rng.integer(below: m.runCount) } }
        }
        let drawn = intervalEstimates(m, draws: .stream(stream, resamples: 100))
        let supplied = intervalEstimates(m, draws: .supplied(indices))
        #expect(drawn == supplied)
    }

    @Test func sampleEfficiency() {
        for c in Self.file.sample_efficiency {
            let s = max(1, c.series.map(abs).max()!)
            let curve = runningAverageCurve(c.series, window: c.window)
            #expect(zip(curve, c.curve).allSatisfy { close($0, $1, scale: s) }, "\(c.name): curve")
            let range = c.low.map { NormalisationRange(low: $0, high: c.high!) }
            let auc = areaUnderCurve(c.series, window: c.window, normalisation: range)
            #expect(close(auc, c.auc, scale: s), "\(c.name): AUC \(auc), NumPy \(c.auc)")
            let hit = unitsToThreshold(c.series, window: c.window, threshold: c.threshold, direction: ThresholdDirection(rawValue: c.direction)!)
            #expect(hit.units == c.units && hit.censored == c.censored, "\(c.name): \(hit), NumPy \(c.units) \(c.censored)")
        }
    }

    @Test func computeCost() {
        for c in Self.file.compute_cost {
            let costs = ScoreMatrix(rows: c.costs), scores = ScoreMatrix(rows: c.scores)
            #expect(close(ComputeCost.perRun(costs), c.per_run, scale: 1), "\(c.name): per run")
            let ratio = ComputeCost.perUnitScore(costs: costs, scores: scores)
            if let expected = c.per_unit_score {
                #expect(ratio.map { close($0, expected, scale: 1) } == true, "\(c.name): per unit score \(String(describing: ratio)), expected \(expected)")
            } else {
                #expect(ratio == nil, "\(c.name): cost per unit of a non-positive score must be undefined")
            }
            let interval = ComputeCost.perUnitScore(
                costs: costs, scores: scores, draws: .stream(RandomStream(seed: 5), resamples: 200))
            if let r = ratio {
                #expect(interval.estimate == r && interval.low <= r && r <= interval.high)
            } else {
                #expect(interval.estimate.isNaN && interval.undefinedResamples > 0)
            }
        }
    }

    @Test func scoreMatrixLayout() {
        let m = ScoreMatrix(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(m.runCount == 2 && m.taskCount == 3)
        #expect(m[1, 2] == 6 && m.columns == [[1, 4], [2, 5], [3, 6]])
        #expect(m.taskMeans == [2.5, 3.5, 4.5])
        #expect(m == ScoreMatrix(columns: [[1, 4], [2, 5], [3, 6]]))
        #expect(Self.file.versions["rliable"] != nil)
    }
}
