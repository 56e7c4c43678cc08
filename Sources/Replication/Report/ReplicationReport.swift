import Foundation

/// A figure to be written as `<name>.svg` next to the report.
public struct FigureFile: Sendable, Equatable {
    /// File name without extension; also the anchor in the report.
    public var name: String
    /// The figure's title, as the report shows it.
    public var title: String
    /// The figure as standalone SVG text.
    public var svg: String

    /// A figure from its parts.
    public init(name: String, title: String, svg: String) {
        self.name = name
        self.title = title
        self.svg = svg
    }

    /// Writes each figure as `<directory>/<name>.svg`, creating the directory if needed.
    ///
    /// - Parameters:
    ///   - figures: the figures to write.
    ///   - directory: where they go.
    public static func write(_ figures: [FigureFile], into directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for f in figures {
            try f.svg.write(to: directory.appendingPathComponent(f.name + ".svg"), atomically: true, encoding: .utf8)
        }
    }
}

/// `runs/<paper>/report.md` and its figures.
public enum ReplicationReport {
    /// One learning-curve figure per figure id of the logs (in order of first
    /// appearance), drawn with the reference file's marks for that figure.
    ///
    /// - Parameters:
    ///   - logs: the logs to draw; those with the same figure id share a figure.
    ///   - marks: the reference file's marks; each figure draws those of its id.
    ///   - window: the running average's window, in units.
    ///   - series: the series drawn.
    ///   - xLabel: the x axis's label (the kind's unit).
    ///   - titles: figure id -> title; the id itself when absent.
    public static func learningCurveFigures(
        logs: [ExperimentLog], marks: [ReferenceMark] = [], window: Int = 100,
        series: String = "episode_return", xLabel: String = "episode",
        titles: [String: String] = [:]
    ) -> [FigureFile] {
        var order: [String] = []
        for log in logs where !order.contains(log.figure) { order.append(log.figure) }
        return order.map { id in
            let title = titles[id] ?? id
            let figure = LearningCurveFigure(
                title: title, logs: logs.filter { $0.figure == id }, series: series, window: window,
                marks: marks.filter { $0.figure == id }, xLabel: xLabel)
            return FigureFile(name: id, title: title, svg: figure.svg())
        }
    }

    /// The report's Markdown: title, profile, date, verdict table, figures (as links
    /// into `figureDirectory`) and every experiment's per-seed status.
    public static func markdown(
        report: VerificationReport, title: String, date: Date, figures: [FigureFile],
        figureDirectory: String = "figures"
    ) -> String {
        let stamp = ISO8601DateFormatter().string(from: date)
        var md = "# \(title)\n\n"
        md += "- Paper: `\(report.paper)`\n- Profile: `\(report.profile)`\n- Generated: \(stamp)\n"
        md += "- Result: \(report.summaryLine)\n\n"
        md += "## Verification\n\n"
        if report.results.isEmpty {
            md += "No check of the reference file applies to profile `\(report.profile)`.\n\n"
        } else {
            md += report.markdownTable(includeSummary: false) + "\n"
        }
        if !report.skippedChecks.isEmpty {
            md += "Checks not run for this profile: " + report.skippedChecks.map { "`\($0)`" }.joined(separator: ", ") + ".\n\n"
        }
        md += "Verdicts: PASS — agrees by the check's stated rule; FAIL — does not, or a seed diverged; "
        md += "MISSING — a needed experiment or seed has not (completely) run. "
        md += "Exit code: 1 if any FAIL, else 2 if any MISSING (or no check applies), else 0.\n\n"

        if !figures.isEmpty {
            md += "## Figures\n\n"
            for f in figures {
                md += "### \(f.title)\n\n![\(f.title)](\(figureDirectory)/\(f.name).svg)\n\n"
            }
        }

        md += "## Runs\n\n"
        for e in report.experiments {
            let complete = e.seeds.filter { $0.status == .complete && $0.unitsDone >= e.expectedUnits }.count
            md += "### `\(e.experiment)` — \(e.label)\n\n"
            md += "\(complete) of \(e.seeds.count + e.absentSeeds.count) seeds complete; \(e.expectedUnits) units each.\n\n"
            md += "| Seed | Status | Units | Wall time (s) |\n|---:|---|---:|---:|\n"
            for s in e.seeds {
                let status = s.status == .complete && s.unitsDone >= e.expectedUnits ? "complete" : "**\(s.status.rawValue)**"
                md += "| \(s.seed) | \(status) | \(s.unitsDone) / \(e.expectedUnits) | \(String(format: "%.1f", s.wallSeconds)) |\n"
            }
            for s in e.absentSeeds { md += "| \(s) | **not run** | 0 / \(e.expectedUnits) | — |\n" }
            md += "\n"
        }
        if !report.absentExperiments.isEmpty {
            md += "Experiments without a run log for this profile: "
                + report.absentExperiments.map { "`\($0)`" }.joined(separator: ", ") + ".\n"
        }
        return md
    }

    /// Writes `report.md` and `<figureDirectory>/<name>.svg` into `directory` (created if
    /// needed) and returns the report's URL.
    @discardableResult
    public static func write(
        report: VerificationReport, title: String, figures: [FigureFile], to directory: URL,
        date: Date = Date(), figureDirectory: String = "figures"
    ) throws -> URL {
        try FigureFile.write(figures, into: directory.appendingPathComponent(figureDirectory, isDirectory: true))
        let url = directory.appendingPathComponent("report.md")
        try markdown(report: report, title: title, date: date, figures: figures, figureDirectory: figureDirectory)
            .write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
