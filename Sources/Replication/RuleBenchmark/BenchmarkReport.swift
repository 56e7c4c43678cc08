import Foundation
import ThreeFactor

/// `report.md` and the figures of a benchmark run: the rules × tasks table of IQMs with
/// their CIs, the aggregates, the probability of improvement of every pair, sample
/// efficiency and compute cost, the tuning evidence, what does not apply and why, and the
/// checks.
public enum BenchmarkReport {
    /// Writes the report and its figures into `directory`; returns the report's URL.
    @discardableResult
    public static func write(_ results: BenchmarkResults, to directory: String, date: Date = Date()) throws -> URL {
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        let figures = self.figures(results)
        try FigureFile.write(figures, into: url.appendingPathComponent("figures", isDirectory: true))
        let reportURL = url.appendingPathComponent("report.md")
        try markdown(results, figures: figures, date: date).write(to: reportURL, atomically: true, encoding: .utf8)
        return reportURL
    }

    static func f(_ x: Double) -> String { String(format: "%.3f", x) }
    static func interval(_ i: Bootstrap.Interval) -> String { "\(f(i.estimate)) [\(f(i.low)), \(f(i.high))]" }

    /// The text of `report.md`: the figures are linked as `figures/<name>.svg` (relative to
    /// the report), and `date` is the time its first paragraph gives as written.
    public static func markdown(_ r: BenchmarkResults, figures: [FigureFile], date: Date) -> String {
        let spec = r.plan.spec
        let tasks = uniqueTasks(r)
        let rules = Catalog.rules.map(\.name).filter { rule in r.plan.cells.contains { $0.rule == rule } }
        var out = [
            "# \(spec.title) — benchmark report (profile \(r.plan.profile))", "",
            "Written \(ISO8601DateFormatter().string(from: date)). Normalised score: 0 = random policy (reflex alone for the closed loop), 1 = reference score; a run's score is the mean of its headline series over the final \(Int(spec.finalFraction * 100)) % of its units. Each (rule, task) was tuned over at most \(r.plan.cells.compactMap(candidates).map(\.configurations.count).max() ?? 0) configurations on tuning seeds \(r.plan.tuningSeeds.map(String.init).joined(separator: ", ")), the winner (highest mean normalised score, ties to the pinned setting) evaluated on seeds \(r.plan.evaluationSeeds.map(String.init).joined(separator: ", ")). Intervals: 95 % stratified-bootstrap percentile CIs, \(r.resamples) resamples (Agarwal et al., NeurIPS 2021).",
            "",
            "## IQM of the normalised score, per task", "",
            "| rule | " + tasks.joined(separator: " | ") + " |",
            "|---|" + tasks.map { _ in "---|" }.joined(),
        ]
        for rule in rules {
            let row = tasks.map { task -> String in
                if let c = r.cell(rule: rule, task: task) { return interval(c.iqm) + (c.diverged > 0 ? " (\(c.diverged) diverged)" : "") }
                return "n/a"
            }
            out.append("| \(rule) | " + row.joined(separator: " | ") + " |")
        }
        out += ["", "## Aggregates over each rule's tasks", "",
                "Rules run on different sets of tasks; an aggregate is over the tasks listed, so compare rules on the same tasks (the table above, and the probability of improvement below).", "",
                "| rule | tasks | " + (r.aggregates.first?.metrics.map(\.name) ?? []).joined(separator: " | ") + " |",
                "|---|---|" + (r.aggregates.first?.metrics.map { _ in "---|" } ?? []).joined()]
        for a in r.aggregates {
            out.append("| \(a.rule) | \(a.tasks.joined(separator: ", ")) | " + a.metrics.map { interval($0.interval) }.joined(separator: " | ") + " |")
        }
        out += ["", "## Probability of improvement P(X > Y)", "",
                "Over the tasks both rules run (Mann–Whitney U / (n m) per task, averaged).", "",
                "| X | Y | tasks | P(X > Y) [95 % CI] |", "|---|---|---|---|"]
        for i in r.improvements where i.x < i.y {
            out.append("| \(i.x) | \(i.y) | \(i.tasks.joined(separator: ", ")) | \(interval(i.probability)) |")
        }
        out += ["", "## Sample efficiency and compute cost", "",
                "Area: normalised area under the running-average curve (window = final fraction of the units), mean over seeds. Units to \(spec.threshold): median over seeds of the units until the running average first reaches it (runs that never do count as units + 1). CPU-seconds: the CPU time of the run's thread, mean over seeds (wall-clock seconds for a log written before CPU time was recorded).", "",
                "| task | rule | area | units to \(spec.threshold) (never) | CPU-seconds/run | env steps/run | CPU-seconds per unit of score |",
                "|---|---|---|---|---|---|---|"]
        for c in r.cells {
            out.append("| \(c.task) | \(c.rule) | \(f(Descriptive.mean(c.area))) | \(Int(c.unitsToThreshold)) (\(c.censored)) | \(String(format: "%.2f", c.secondsPerRun)) | \(Int(c.stepsPerRun)) | \(c.secondsPerScore.map { String(format: "%.2f", $0) } ?? "—") |")
        }
        out += ["", "## Tuning evidence", "",
                "Criterion per configuration (mean normalised score over the tuning seeds); configuration 0 is the pinned setting. Logs: `tuning/<task>/<rule>-c<k>.h5`.", "",
                "| task | rule | pinned from | searched | criterion per configuration | winner |", "|---|---|---|---|---|---|"]
        for s in r.selections {
            guard case .applicable(let c) = s.cell.status else { continue }
            let searched = c.searched.isEmpty ? "nothing (1 configuration)" : c.searched.map { "\($0.keys.joined(separator: "+")) ×[\($0.low), \($0.high)]" }.joined(separator: "; ")
            out.append("| \(s.cell.task.id) | \(s.cell.rule) | \(c.pinnedSource) | \(searched) | \(s.criterion.map(f).joined(separator: ", ")) | c\(s.winner) |")
        }
        out += ["", "## Not applicable", "", "| task | rule | why |", "|---|---|---|"]
        for cell in r.plan.cells {
            if case .notApplicable(let reason) = cell.status { out.append("| \(cell.task.id) | \(cell.rule) | \(reason) |") }
        }
        out += ["", "## Normalisation anchors", "", "| task | random (0) | reference (1) |", "|---|---|---|"]
        for t in spec.settings(profile: r.plan.profile).tasks {
            out.append("| \(t.id) | \(t.randomScore): \(t.randomProvenance) | \(t.referenceScore): \(t.referenceProvenance) |")
        }
        let checks = r.checkOutcomes()
        if !checks.isEmpty {
            out += ["", "## Checks", "", "| verdict | check | detail |", "|---|---|---|"]
            for c in checks { out.append("| \(c.verdict.rawValue) | \(c.check.id) | \(c.detail) |") }
        }
        out += ["", "## Figures", ""]
        for fig in figures { out.append("![\(fig.title)](figures/\(fig.name).svg)") }
        return out.joined(separator: "\n") + "\n"
    }

    static func candidates(_ cell: BenchmarkPlan.Cell) -> BenchmarkPlan.Candidates? {
        if case .applicable(let c) = cell.status { return c }
        return nil
    }

    static func uniqueTasks(_ r: BenchmarkResults) -> [String] {
        var seen: [String] = []
        for c in r.plan.cells where !seen.contains(c.task.id) { seen.append(c.task.id) }
        return seen
    }

    /// IQM with CI bars per rule, performance profiles, the probability-of-improvement
    /// matrix, and the evaluation learning curves of every task.
    public static func figures(_ r: BenchmarkResults) -> [FigureFile] {
        var figures: [FigureFile] = []
        let iqm = ErrorBarFigure(
            title: "IQM of the normalised score over each rule's tasks", subtitle: "95 % stratified-bootstrap CI",
            xLabel: "rule", yLabel: "IQM (0 = random, 1 = reference)", categories: r.aggregates.map(\.rule),
            series: [ErrorBarFigure.Series(label: "IQM", points: r.aggregates.map { a in
                let i = a.metrics.first { $0.name == "IQM" }!.interval
                return ErrorBarFigure.Point(category: a.rule, value: i.estimate, low: i.low, high: i.high, n: a.tasks.count)
            })])
        figures.append(FigureFile(name: "aggregate-iqm", title: "IQM with 95 % CIs", svg: iqm.svg()))
        let taus = BenchmarkResults.taus.map { String(format: "%.3g", $0) }
        let profile = ErrorBarFigure(
            title: "Performance profiles", subtitle: "fraction of runs with normalised score > τ, 95 % CI",
            xLabel: "τ", yLabel: "fraction of runs", categories: taus,
            series: r.aggregates.map { a in
                ErrorBarFigure.Series(label: a.rule, points: zip(taus, a.profile.points).map {
                    ErrorBarFigure.Point(category: $0, value: $1.estimate, low: $1.low, high: $1.high, n: a.tasks.count)
                })
            }, connectPoints: true)
        figures.append(FigureFile(name: "performance-profiles", title: "Performance profiles", svg: profile.svg()))
        figures.append(FigureFile(name: "probability-of-improvement", title: "Probability of improvement", svg: improvementMatrix(r)))
        for task in uniqueTasks(r) {
            let cells = r.cells.filter { $0.task == task }
            guard let kind = cells.first?.kind else { continue }
            let units = cells.first!.log.expectedUnits
            let figure = LearningCurveFigure(
                title: "\(task): evaluation runs", logs: cells.map(\.log), series: kind.headlineSeries.name,
                window: max(1, units / 20), xLabel: kind.unit, yLabel: kind.headlineSeries.label)
            figures.append(FigureFile(name: "curves-\(task)", title: "\(task) learning curves", svg: figure.svg()))
        }
        return figures
    }

    /// A matrix of P(row > column) over shared tasks, shaded from 0 (white) to 1.
    static func improvementMatrix(_ r: BenchmarkResults) -> String {
        let rules = r.aggregates.map(\.rule)
        let cell = 56.0, left = 130.0, top = 60.0
        var svg = SVGDocument(width: left + cell * Double(rules.count) + 20, height: top + cell * Double(rules.count) + 20)
        svg.text("P(row > column) over the tasks both run", x: 10, y: 22, size: 14, weight: "bold")
        for (j, y) in rules.enumerated() {
            svg.text(y, x: left + cell * (Double(j) + 0.5), y: top - 8, size: 10, anchor: .middle)
        }
        for (i, x) in rules.enumerated() {
            svg.text(x, x: left - 6, y: top + cell * (Double(i) + 0.55), size: 10, anchor: .end)
            for (j, y) in rules.enumerated() {
                let px = left + cell * Double(j), py = top + cell * Double(i)
                guard let p = r.improvements.first(where: { $0.x == x && $0.y == y })?.probability else {
                    svg.rect(x: px, y: py, width: cell, height: cell, fill: "#eeeeee", stroke: .init(color: "#ffffff"))
                    continue
                }
                let shade = Int((1 - p.estimate) * 200 + 55)
                svg.rect(x: px, y: py, width: cell, height: cell, fill: String(format: "#%02x%02xff", shade, shade), stroke: .init(color: "#ffffff"))
                svg.text(String(format: "%.2f", p.estimate), x: px + cell / 2, y: py + cell / 2 + 4, size: 11, anchor: .middle,
                         color: p.estimate > 0.6 ? "#ffffff" : "#222222")
            }
        }
        return svg.render()
    }
}
