/// Values with error bars at categorical positions: final return per network depth,
/// steps to success per method, … One colour per series, series side by side within a
/// category; reference values as dashed horizontal lines.
public struct ErrorBarFigure {
    /// One bar: a value with its interval at a category.
    public struct Point: Sendable, Equatable {
        /// The category (x position) it belongs to.
        public var category: String
        /// The value drawn as the point.
        public var value: Double
        /// The bar's lower end.
        public var low: Double
        /// The bar's upper end.
        public var high: Double
        /// The number of values behind the point (seeds).
        public var n: Int

        /// A point from its parts.
        public init(category: String, value: Double, low: Double, high: Double, n: Int) {
            self.category = category
            self.value = value
            self.low = low
            self.high = high
            self.n = n
        }

        /// Mean ± one standard error of per-seed values.
        public static func meanWithStandardError(_ values: [Double], category: String) -> Point {
            let m = Descriptive.mean(values)
            let se = values.count >= 2 ? Descriptive.standardError(values) : 0
            return Point(category: category, value: m, low: m - se, high: m + se, n: values.count)
        }
    }

    /// The points of one method, drawn in one colour.
    public struct Series: Sendable, Equatable {
        /// The legend label.
        public var label: String
        /// The points, at most one per category.
        public var points: [Point]
        /// A series from its parts.
        public init(label: String, points: [Point]) {
            self.label = label
            self.points = points
        }
    }

    /// The figure's title.
    public var title: String
    /// Says what the bars are, e.g. "mean ± 1 standard error over seeds".
    public var subtitle: String
    /// The x axis's label.
    public var xLabel: String
    /// The y axis's label.
    public var yLabel: String
    /// Category order along the x axis.
    public var categories: [String]
    /// The series, drawn side by side within a category.
    public var series: [Series]
    /// Reference values, drawn as dashed horizontal lines.
    public var marks: [ReferenceMark]
    /// Join a series' points with a line (for ordered categories such as depth).
    public var connectPoints: Bool

    /// A figure from its parts; nothing is drawn until `svg()`.
    public init(
        title: String, subtitle: String = "mean ± 1 standard error over seeds", xLabel: String,
        yLabel: String, categories: [String], series: [Series], marks: [ReferenceMark] = [],
        connectPoints: Bool = false
    ) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
        self.marks = marks
        self.connectPoints = connectPoints
    }

    /// One point per (category, log): the metric over the log's complete seeds, mean ±
    /// standard error; series are the logs' labels in order of appearance. Seeds whose
    /// metric cannot be computed are left out (the verifier reports them).
    public static func fromLogs(
        title: String, xLabel: String, yLabel: String, metric: Metric,
        entries: [(category: String, log: ExperimentLog)], marks: [ReferenceMark] = [],
        connectPoints: Bool = false
    ) -> ErrorBarFigure {
        var categories: [String] = []
        var series: [Series] = []
        for (category, log) in entries {
            if !categories.contains(category) { categories.append(category) }
            let values = log.seeds.filter { $0.status == .complete }
                .compactMap { try? metric.evaluate($0).get().value }
            guard !values.isEmpty else { continue }
            let point = Point.meanWithStandardError(values, category: category)
            if let i = series.firstIndex(where: { $0.label == log.label }) {
                series[i].points.append(point)
            } else {
                series.append(Series(label: log.label, points: [point]))
            }
        }
        return ErrorBarFigure(
            title: title, xLabel: xLabel, yLabel: yLabel, categories: categories, series: series,
            marks: marks, connectPoints: connectPoints)
    }

    /// The figure as a standalone SVG document.
    public func svg() -> String {
        let layout = FigureLayout()
        var svg = SVGDocument(width: layout.width, height: layout.height)
        var low = Double.infinity, high = -Double.infinity
        for s in series {
            for p in s.points {
                low = min(low, p.low, p.value)
                high = max(high, p.high, p.value)
            }
        }
        for m in marks {
            low = min(low, m.value)
            high = max(high, m.value)
        }
        let count = max(1, categories.count)
        let frame = PlotFrame(
            left: layout.plotLeft, top: layout.plotTop, width: layout.plotWidth, height: layout.plotHeight,
            x: NiceScale(covering: 0, 1), y: NiceScale(covering: low, high))
        svg.text(title, x: frame.left + frame.width / 2, y: 24, size: 16, anchor: .middle, weight: "bold")
        svg.text(subtitle, x: frame.left + frame.width / 2, y: 42, size: 11, anchor: .middle, color: "#555555")
        frame.drawAxes(&svg, xLabel: xLabel, yLabel: yLabel, xTicks: false)

        let slot = frame.width / Double(count)
        func center(_ category: String) -> Double? {
            categories.firstIndex(of: category).map { frame.left + (Double($0) + 0.5) * slot }
        }
        let axis = SVGDocument.Stroke(color: "#333333", width: 1)
        let wrapWidth = max(6, Int(slot / 7))
        for (i, category) in categories.enumerated() {
            let x = frame.left + (Double(i) + 0.5) * slot
            svg.line(x, frame.top + frame.height, x, frame.top + frame.height + 5, axis)
            for (k, line) in TextTable(headers: [""], maxWidths: [wrapWidth]).wrap(category, wrapWidth).prefix(2).enumerated() {
                svg.text(line, x: x, y: frame.top + frame.height + 18 + Double(k) * 13, size: 11, anchor: .middle)
            }
        }

        var legend: [LegendEntry] = []
        let dodge = series.count > 1 ? min(slot * 0.5, 24 * Double(series.count)) / Double(series.count - 1) : 0
        for (i, s) in series.enumerated() {
            let color = figurePalette[i % figurePalette.count]
            let offset = (Double(i) - Double(series.count - 1) / 2) * dodge
            let placed = s.points.compactMap { p in center(p.category).map { ($0 + offset, p) } }
            if connectPoints {
                svg.polyline(placed.map { ($0.0, frame.py($0.1.value)) }, .init(color: color, width: 1.5, opacity: 0.7))
            }
            for (x, p) in placed {
                let stroke = SVGDocument.Stroke(color: color, width: 1.8)
                svg.line(x, frame.py(p.low), x, frame.py(p.high), stroke)
                svg.line(x - 5, frame.py(p.low), x + 5, frame.py(p.low), stroke)
                svg.line(x - 5, frame.py(p.high), x + 5, frame.py(p.high), stroke)
                svg.circle(cx: x, cy: frame.py(p.value), r: 4.5, fill: color, stroke: .init(color: "#ffffff", width: 1))
            }
            legend.append(LegendEntry(label: s.label, symbol: .marker(color: color)))
        }
        for (i, m) in marks.enumerated() {
            let color = LearningCurveFigure.markColors[i % LearningCurveFigure.markColors.count]
            let dash = LearningCurveFigure.markDashes[i % LearningCurveFigure.markDashes.count]
            svg.line(frame.left, frame.py(m.value), frame.left + frame.width, frame.py(m.value), .init(color: color, width: 1.5, dash: dash))
            legend.append(LegendEntry(label: m.label, symbol: .line(color: color, dash: dash, band: false)))
        }
        drawLegend(&svg, legend, x: layout.legendLeft, y: frame.top + 8)
        return svg.render()
    }
}
