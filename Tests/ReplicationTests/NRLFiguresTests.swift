import Foundation
import Testing
@testable import Replication

/// The NRL depth figure: one series per method across depths, depths in order, the value
/// of each point the verifier's final level (last 10 % of units) averaged over seeds.
@Suite struct NRLFiguresTests {
    static func context(_ logs: [ExperimentLog]) throws -> PaperFigureContext {
        let experiments = try PaperExperiments.load("\(PaperModuleFilesTests.root)/papers/nrl/experiments.toml")
        return PaperFigureContext(experiments: experiments, profile: "quick", logs: logs, reference: ReferenceFile(paper: "nrl", checks: []))
    }

    @Test func depthFigureHasOneSeriesPerMethodInDepthOrder() throws {
        var logs: [ExperimentLog] = []
        // RMHL listed before NRL and depth 2 before depth 1: the figure must reorder.
        for (method, plateau) in [("rmhl", 40.0), ("nrl", 200.0)] {
            for depth in [2, 1] {
                logs.append(SyntheticExperiment(
                    id: "depth\(depth)-\(method)", label: "\(method) \(depth)", seeds: [0, 1, 2],
                    units: 100, plateauMean: plateau / Double(depth), plateauSD: 5).log())
            }
        }
        let files = try NRLFigures.build(Self.context(logs))
        #expect(files.map(\.name) == [NRLFigures.depthFigureID])
        let figure = try #require(try NRLFigures.depthFigure(Self.context(logs)))
        #expect(figure.categories == ["1 hidden layer", "2 hidden layers"])
        #expect(figure.series.map(\.label) == ["NRL", "RMHL"])
        // Each point: mean over seeds of the mean of the last 10 units (10 % of 100).
        let metric = Metric.final(series: "episode_return", window: 10)
        for (s, method) in zip(figure.series, ["nrl", "rmhl"]) {
            #expect(s.points.map(\.category) == figure.categories)
            for (p, depth) in zip(s.points, [1, 2]) {
                let log = logs.first { $0.experiment == "depth\(depth)-\(method)" }!
                let expected = Descriptive.mean(log.seeds.map { try! metric.evaluate($0).get().value })
                #expect(abs(p.value - expected) < 1e-12)
                #expect(p.n == 3)
            }
        }
        let svg = files[0].svg
        #expect(!svg.contains("nrl 1"), "per-depth labels must be replaced by the method")
    }

    @Test func noDepthLogsNoFigure() throws {
        #expect(try NRLFigures.build(Self.context([])).isEmpty)
    }
}
