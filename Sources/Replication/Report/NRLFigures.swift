import Foundation
import ThreeFactor

/// Figures of the NRL replication (papers/nrl) beyond the learning curves.
///
/// Claim C3 (abstract v3: NRL scales to multi-layer networks much better than RMHL) is about
/// how the final return changes with the number of hidden layers, which the learning curves
/// (one figure per depth experiment set) do not show at a glance: this draws the final
/// return against depth, one line per method.
enum NRLFigures {
    /// Figure id (file name) of the depth figure; reference marks on this id are drawn.
    static let depthFigureID = "depth-cartpole-final"

    /// Method suffix of the depth experiments' ids (`depth<k>-<suffix>`) -> legend label.
    static let methods: [(suffix: String, label: String)] = [
        ("nrl", "NRL"), ("rmhl", "RMHL"), ("bp", "BP (REINFORCE)"),
    ]

    static func build(_ context: PaperFigureContext) throws -> [FigureFile] {
        guard let figure = try depthFigure(context) else { return [] }
        return [FigureFile(name: depthFigureID, title: figure.title, svg: figure.svg())]
    }

    /// Final return vs depth, or nil when no depth experiment has a log.
    static func depthFigure(_ context: PaperFigureContext) throws -> ErrorBarFigure? {
        var entries: [(category: String, log: ExperimentLog)] = []
        var windows: Set<Int> = []
        for (suffix, label) in methods {
            for depth in 1...9 {
                guard var log = context.logs.first(where: { $0.experiment == "depth\(depth)-\(suffix)" }) else { continue }
                // One series per method across depths (the logs' own labels name the depth).
                log.label = label
                entries.append((category: depth == 1 ? "1 hidden layer" : "\(depth) hidden layers", log: log))
                windows.insert(finalWindow(units: log.expectedUnits))
            }
        }
        guard !entries.isEmpty else { return nil }
        // Every depth experiment of a profile has the same budget; if not, say so rather
        // than silently mixing windows.
        guard windows.count == 1, let window = windows.first else {
            throw NRLFigureError.mixedBudgets(windows.sorted())
        }
        // Categories in depth order whatever the method order above.
        entries.sort { depthOf($0.category) < depthOf($1.category) }
        var figure = ErrorBarFigure.fromLogs(
            title: "CartPole-v1: final return vs number of hidden layers (claim C3)",
            xLabel: "hidden layers (128 units each)",
            yLabel: "mean return, last \(window) episodes",
            metric: .final(series: "episode_return", window: window),
            entries: entries,
            marks: context.reference.marks.filter { $0.figure == depthFigureID },
            connectPoints: true)
        let unitsText = entries.first.map { "\($0.log.expectedUnits) episodes per run" } ?? ""
        figure.subtitle = "mean ± 1 standard error over seeds; \(unitsText); final = last 10 %"
        return figure
    }

    /// The verifier's "final level": the last 10 % of the run's units.
    static func finalWindow(units: Int) -> Int { max(1, units / 10) }

    private static func depthOf(_ category: String) -> Int {
        Int(category.prefix { $0.isNumber }) ?? 0
    }
}

enum NRLFigureError: Error, CustomStringConvertible {
    case mixedBudgets([Int])
    var description: String {
        "NRL depth figure: the depth experiments have different final windows \(self.windows); run them with one profile"
    }
    private var windows: [Int] {
        switch self { case .mixedBudgets(let w): w }
    }
}
