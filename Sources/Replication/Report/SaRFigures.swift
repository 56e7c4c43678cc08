import Foundation
import ThreeFactor

/// The figures of the Sign-and-Relevance replication (`papers/sar`), beyond the generic
/// learning curves of `episode_return` (= -mean |E|):
///
/// - per figure id of the experiment file: the closed-loop error `|E|` per block, per
///   method (what the authors plot: the error shrinks as the network takes over from the
///   reflex); steps to success with each of the authors' two tests (the median and
///   interquartile range over the seeds that passed, and how many passed, because a
///   mean over the passing seeds alone would hide the ones that never learned); and the
///   distance of every layer's weights from their initial values at the end of the run
///   (the abstract's claim that the sign reaches the whole network);
/// - the track with the path driven from the start of the first seed of SaR (a), once
///   with the initial network and once with the network it learned, both frozen (the
///   robot, the line and the learning, visible).
enum SaRFigures {
    /// The experiment whose first seed is drawn on the track.
    static let trackExperiment = "sim-sar-sign"
    /// Steps driven for the track picture: about one lap (a lap takes about 880 steps at
    /// the forward speed of 30).
    static let trackPathSteps = 900
    /// Running-average window of the |E| curves, in blocks.
    static let errorWindow = 5

    static func build(_ context: PaperFigureContext) throws -> [FigureFile] {
        var order: [String] = []
        for log in context.logs where !order.contains(log.figure) { order.append(log.figure) }
        var files: [FigureFile] = []
        for figure in order {
            let logs = context.logs.filter { $0.figure == figure }
            let title = context.experiments.figureTitles[figure] ?? figure
            files.append(errorCurve(figure: figure, title: title, logs: logs))
            files.append(stepsToSuccess(figure: figure, title: title, logs: logs))
            if let f = weightDistance(figure: figure, title: title, logs: logs) { files.append(f) }
        }
        if let f = try track(context) { files.append(f) }
        return files
    }

    /// A short name of a set of experiments for figure titles: the experiment file's
    /// figure title up to its colon, without parentheses ("Simulator network, eta 0.1").
    static func setName(_ title: String) -> String {
        var name = title.split(separator: ":", maxSplits: 1).first.map(String.init) ?? title
        while let open = name.firstIndex(of: "("), let close = name[open...].firstIndex(of: ")") {
            name.removeSubrange(open...close)
        }
        return name.replacingOccurrences(of: " ,", with: ",").replacingOccurrences(of: "  ", with: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    /// Blocks whose mean |E| is below this are drawn at it: a block can have E = 0 exactly
    /// (a robot off the track sees white under both sensors), whose logarithm is -inf.
    static let errorFloor = 1e-3

    /// |E| spans three decades (reflex about 1.5, a trained network about 0.01), so the
    /// curves show log10 of each block's mean |E|, averaged over the window and the seeds
    /// (a geometric mean). The linear curve is the generic `episode_return` figure.
    static func errorCurve(figure: String, title: String, logs: [ExperimentLog]) -> FigureFile {
        let name = setName(title)
        let seriesName = "log10_abs_error_mean"
        let logScale = logs.map { log -> ExperimentLog in
            var copy = log
            copy.seeds = log.seeds.map { seed in
                var s = seed
                s.series = [seriesName: (seed.series["abs_error_mean"] ?? []).map { log10(max($0, errorFloor)) }]
                return s
            }
            return copy
        }
        let svg = LearningCurveFigure(
            title: "\(name): closed-loop error |E|", logs: logScale, series: seriesName, window: errorWindow,
            xLabel: "block", yLabel: "log10 mean |E| per block"
        ).svg()
        return FigureFile(name: "sar-abs-error-\(figure)", title: "\(name): closed-loop error |E| per block (log10)", svg: svg)
    }

    /// The series holding each test's step of success (-1 until it passes); the trial logs
    /// its configured test without a suffix and the other one with `_<kind>_test`.
    static func successSeries(_ log: ExperimentLog) -> (robot: String, simulator: String) {
        let keys = Set(log.seeds.flatMap { $0.series.keys })
        if keys.contains("steps_to_success_simulator_test") {
            return ("steps_to_success", "steps_to_success_simulator_test")
        }
        return ("steps_to_success_robot_test", "steps_to_success")
    }

    static let robotCategory = "robot's test: 800-step mean of |E| < 0.1"
    static let simulatorCategory = "simulator's test: 200-step sum of |E| < 0.1 for 200 steps"

    /// One series per log: per test, the median and quartiles of the steps to success of
    /// the complete seeds that passed; the label says how many passed.
    static func stepsToSuccessSeries(_ logs: [ExperimentLog]) -> [ErrorBarFigure.Series] {
        var series: [ErrorBarFigure.Series] = []
        for log in logs {
            let names = successSeries(log)
            let complete = log.seeds.filter { $0.status == .complete }
            var points: [ErrorBarFigure.Point] = []
            var counts: [String] = []
            for (category, seriesName, short) in [(robotCategory, names.robot, "robot's"), (simulatorCategory, names.simulator, "simulator's")] {
                let steps = complete.compactMap { $0.series[seriesName]?.last }.filter { $0 >= 0 }
                counts.append("\(short) \(steps.count)/\(complete.count)")
                guard !steps.isEmpty else { continue }
                points.append(ErrorBarFigure.Point(
                    category: category, value: Descriptive.median(steps),
                    low: Descriptive.quantile(steps, 0.25), high: Descriptive.quantile(steps, 0.75), n: steps.count))
            }
            series.append(.init(label: "\(log.label) — passed: \(counts.joined(separator: ", "))", points: points))
        }
        return series
    }

    static func stepsToSuccess(figure: String, title: String, logs: [ExperimentLog]) -> FigureFile {
        let series = stepsToSuccessSeries(logs)
        let name = setName(title)
        let svg = ErrorBarFigure(
            title: "\(name): steps to success",
            subtitle: "median and interquartile range over the seeds that passed; the legend says how many passed",
            xLabel: "success test", yLabel: "control steps to success",
            categories: [robotCategory, simulatorCategory], series: series
        ).svg()
        return FigureFile(name: "sar-steps-to-success-\(figure)", title: "\(name): steps to success", svg: svg)
    }

    /// The logged per-layer distances, in layer order (nil for a log without a network).
    static func layerSeries(_ log: ExperimentLog) -> [String] {
        let keys = Set(log.seeds.flatMap { $0.series.keys })
        var names: [String] = []
        while keys.contains("weight_distance_layer_\(names.count)") { names.append("weight_distance_layer_\(names.count)") }
        return names
    }

    static func weightDistance(figure: String, title: String, logs: [ExperimentLog]) -> FigureFile? {
        let networks = logs.compactMap { log -> (ExperimentLog, [String])? in
            let names = layerSeries(log)
            return names.isEmpty ? nil : (log, names)
        }
        guard let deepest = networks.map({ $0.1.count }).max() else { return nil }
        func category(_ k: Int) -> String { k == deepest - 1 ? "out" : "\(k + 1)" }
        var series: [ErrorBarFigure.Series] = []
        for (log, names) in networks {
            let complete = log.seeds.filter { $0.status == .complete }
            var points: [ErrorBarFigure.Point] = []
            for (k, seriesName) in names.enumerated() {
                let distances = complete.compactMap { $0.series[seriesName]?.last }.filter { $0.isFinite && $0 > 0 }
                guard !distances.isEmpty else { continue }
                // Layers move by very different amounts (the first layer's updates are
                // scaled by 1000), so distances are drawn on a log scale.
                let logs = distances.map { log10($0) }
                var p = ErrorBarFigure.Point.meanWithStandardError(logs, category: category(k))
                p.n = distances.count
                points.append(p)
            }
            series.append(.init(label: log.label, points: points))
        }
        let name = setName(title)
        let svg = ErrorBarFigure(
            title: "\(name): weight distance per layer",
            subtitle: "log10 of ||w - w_initial|| at the end of the run, mean ± 1 standard error over seeds",
            xLabel: "layer (1 = first hidden layer, out = output layer)", yLabel: "log10 distance from initial weights",
            categories: (0..<deepest).map(category), series: series, connectPoints: true
        ).svg()
        return FigureFile(name: "sar-weight-distance-\(figure)", title: "\(name): weight distance per layer", svg: svg)
    }

    /// The track picture: relearns the first seed of SaR (a) (a run is a pure function of
    /// its spec and seed, so this is the logged run), then drives its initial and its
    /// learned network, frozen, from the seed's start. Drawn only when that experiment
    /// has a log for the profile.
    static func track(_ context: PaperFigureContext) throws -> FigureFile? {
        guard context.logs.contains(where: { $0.experiment == trackExperiment && $0.profile == context.profile }),
              let experiment = context.experiments.experiment(trackExperiment)?.resolved(profile: context.profile),
              let seed = experiment.seeds.first
        else { return nil }
        let drive = try ClosedLoopTrials.beforeAndAfter(
            experiment.trialSpec(seed: seed), learningUnits: experiment.units, pathSteps: trackPathSteps)
        let steps = experiment.units * blockSteps(experiment)
        let svg = TrackFigure.svg(
            title: "\(setName(context.experiments.figureTitles[experiment.figure] ?? "")) — \(experiment.label), seed \(seed)",
            track: drive.track,
            paths: [
                .init(label: "before learning: initial weights, \(trackPathSteps) steps from the start", points: drive.before, colour: "#d62728"),
                .init(label: "after \(steps) steps of learning: learned weights, frozen, \(trackPathSteps) steps from the start",
                      points: drive.after, colour: "#1f77b4"),
            ])
        return FigureFile(name: "sar-track-before-after", title: "The track and the driven path before and after learning", svg: svg)
    }

    static func blockSteps(_ e: ExperimentSpec) -> Int {
        (try? e.params.int("block_steps", default: ClosedLoopSettings().blockSteps)) ?? ClosedLoopSettings().blockSteps
    }
}
