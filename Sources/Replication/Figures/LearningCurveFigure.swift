/// The mean over seeds, with its standard error, of every seed's running-average curve.
public struct LearningCurve: Sendable, Equatable {
    /// The experiment's legend label.
    public var label: String
    /// 1-based unit numbers.
    public var units: [Int]
    /// The mean over seeds of the running-average curves, one value per unit.
    public var mean: [Double]
    /// Standard error of the mean over the seeds that reached the unit (0 with one seed).
    public var standardError: [Double]
    /// Seeds contributing at each unit (interrupted or diverged seeds drop out).
    public var seedCounts: [Int]

    /// Seeds contribute up to their first non-finite value (a diverged seed stops there).
    public init(log: ExperimentLog, series: String, window: Int) {
        label = log.label
        let curves: [[Double]] = log.seeds.compactMap { seed in
            guard let values = seed.series[series] else { return nil }
            let finite = Array(values.prefix { $0.isFinite })
            return finite.isEmpty ? nil : runningAverageCurve(finite, window: window)
        }
        let length = curves.map(\.count).max() ?? 0
        units = length > 0 ? Array(1...length) : []
        mean = []
        standardError = []
        seedCounts = []
        for k in 0..<length {
            let values = curves.compactMap { k < $0.count ? $0[k] : nil }
            mean.append(Descriptive.mean(values))
            standardError.append(values.count >= 2 ? Descriptive.standardError(values) : 0)
            seedCounts.append(values.count)
        }
    }
}

/// Running-average return against units, one line per experiment with a ±1 standard
/// error band over seeds, reference values as dashed lines (or markers at a unit).
public struct LearningCurveFigure {
    /// The figure's title.
    public var title: String
    /// The experiments' logs, one line each, in legend order.
    public var logs: [ExperimentLog]
    /// The series plotted (e.g. "episode_return").
    public var series: String
    /// The running average's window, in units.
    public var window: Int
    /// Reference values: dashed lines, or markers at a unit.
    public var marks: [ReferenceMark]
    /// The x axis's label.
    public var xLabel: String
    /// The y axis's label.
    public var yLabel: String
    /// Lines with more units are thinned to about this many points (every k-th unit and
    /// the last), which keeps a 20,000-episode figure small without visible change.
    public var maxPointsPerLine: Int

    /// A figure of `series` from `logs`; the y label defaults to the series' name with spaces.
    public init(
        title: String, logs: [ExperimentLog], series: String = "episode_return", window: Int = 100,
        marks: [ReferenceMark] = [], xLabel: String = "episode", yLabel: String? = nil,
        maxPointsPerLine: Int = 800
    ) {
        self.title = title
        self.logs = logs
        self.series = series
        self.window = window
        self.marks = marks
        self.xLabel = xLabel
        self.yLabel = yLabel ?? series.replacingOccurrences(of: "_", with: " ")
        self.maxPointsPerLine = maxPointsPerLine
    }

    static let markDashes = ["7 4", "2 3", "10 3 2 3", "4 4"]
    static let markColors = ["#333333", "#777777", "#333333", "#777777"]

    /// The figure as a standalone SVG document.
    public func svg() -> String {
        let curves = logs.map { LearningCurve(log: $0, series: series, window: window) }
        let layout = FigureLayout()
        var svg = SVGDocument(width: layout.width, height: layout.height)

        var low = Double.infinity, high = -Double.infinity
        for c in curves {
            for k in c.mean.indices {
                low = min(low, c.mean[k] - c.standardError[k])
                high = max(high, c.mean[k] + c.standardError[k])
            }
        }
        for m in marks {
            low = min(low, m.value)
            high = max(high, m.value)
        }
        let maxUnits = max(1, curves.map { $0.units.last ?? 0 }.max() ?? 1, Int(marks.compactMap(\.unit).max() ?? 0))
        let frame = PlotFrame(
            left: layout.plotLeft, top: layout.plotTop, width: layout.plotWidth, height: layout.plotHeight,
            x: NiceScale(covering: 0, Double(maxUnits)), y: NiceScale(covering: low, high))

        let seedsText = Set(curves.map { $0.seedCounts.first ?? 0 }).sorted().map(String.init).joined(separator: "/")
        svg.text(title, x: frame.left + frame.width / 2, y: 24, size: 16, anchor: .middle, weight: "bold")
        svg.text(
            "running average over \(window) \(xLabel.hasSuffix("ch") ? xLabel + "es" : xLabel + "s"); line: mean over seeds (n = \(seedsText)), band: ±1 standard error",
            x: frame.left + frame.width / 2, y: 42, size: 11, anchor: .middle, color: "#555555")
        frame.drawAxes(&svg, xLabel: xLabel, yLabel: "\(yLabel) (running average)")

        svg.defineClip(id: "plot", x: frame.left, y: frame.top, width: frame.width, height: frame.height)
        svg.beginGroup(clip: "plot")
        var legend: [LegendEntry] = []
        for (i, c) in curves.enumerated() where !c.units.isEmpty {
            let color = figurePalette[i % figurePalette.count]
            let stride = max(1, (c.units.count + maxPointsPerLine - 1) / maxPointsPerLine)
            var indices = Array(Swift.stride(from: 0, to: c.units.count, by: stride))
            if indices.last != c.units.count - 1 { indices.append(c.units.count - 1) }
            let upper = indices.map { (frame.px(Double(c.units[$0])), frame.py(c.mean[$0] + c.standardError[$0])) }
            let lower = indices.reversed().map { (frame.px(Double(c.units[$0])), frame.py(c.mean[$0] - c.standardError[$0])) }
            svg.polygon(upper + lower, fill: color, opacity: 0.2)
            svg.polyline(indices.map { (frame.px(Double(c.units[$0])), frame.py(c.mean[$0])) }, .init(color: color, width: 2))
            legend.append(LegendEntry(label: c.label, symbol: .line(color: color, dash: nil, band: true)))
        }
        for (i, m) in marks.enumerated() {
            let color = Self.markColors[i % Self.markColors.count]
            if let unit = m.unit {
                drawDiamond(&svg, x: frame.px(unit), y: frame.py(m.value), color: color)
                legend.append(LegendEntry(label: m.label, symbol: .diamond(color: color)))
            } else {
                let dash = Self.markDashes[i % Self.markDashes.count]
                svg.line(frame.left, frame.py(m.value), frame.left + frame.width, frame.py(m.value), .init(color: color, width: 1.5, dash: dash))
                legend.append(LegendEntry(label: m.label, symbol: .line(color: color, dash: dash, band: false)))
            }
        }
        svg.endGroup()
        if curves.allSatisfy({ $0.units.isEmpty }) {
            svg.text("no data", x: frame.left + frame.width / 2, y: frame.top + frame.height / 2, size: 14, anchor: .middle, color: "#999999")
        }
        drawLegend(&svg, legend, x: layout.legendLeft, y: frame.top + 8)
        return svg.render()
    }
}

/// Shared geometry: plot on the left, legend column on the right (never over the data).
struct FigureLayout {
    var width = 920.0
    var height = 500.0
    var plotLeft = 80.0
    var plotTop = 60.0
    var plotWidth = 560.0
    var plotHeight = 370.0
    var legendLeft: Double { plotLeft + plotWidth + 20 }
}

func drawDiamond(_ svg: inout SVGDocument, x: Double, y: Double, color: String, size: Double = 6) {
    svg.polygon([(x, y - size), (x + size, y), (x, y + size), (x - size, y)], fill: color, opacity: 1)
}
