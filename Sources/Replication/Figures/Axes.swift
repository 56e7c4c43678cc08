import Foundation

/// Colour-blind-safe line colours (Okabe & Ito, "Color universal design", 2008), in the
/// order methods are drawn. Yellow is left out: it vanishes on white.
public let figurePalette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

/// Tick positions at "nice" round numbers (1, 2, 2.5 or 5 times a power of ten) covering
/// a data range, as in Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990.
public struct NiceScale: Equatable {
    /// The lowest tick: a multiple of `step` at or below the data's low end.
    public var low: Double
    /// The highest tick: a multiple of `step` at or above the data's high end.
    public var high: Double
    /// The distance between ticks.
    public var step: Double

    /// A scale covering `lo ... hi` with about `targetTicks` ticks. Non-finite bounds become 0
    /// ... 1 and an empty range is padded by 10 %, so the scale is never degenerate.
    public init(covering lo: Double, _ hi: Double, targetTicks: Int = 6) {
        var lo = lo, hi = hi
        if !(lo.isFinite && hi.isFinite) { lo = 0; hi = 1 }
        if lo == hi {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let rawStep = (hi - lo) / Double(max(1, targetTicks - 1))
        let magnitude = pow(10, (log10(rawStep)).rounded(.down))
        let fraction = rawStep / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
        step = nice * magnitude
        low = (lo / step).rounded(.down) * step
        high = (hi / step).rounded(.up) * step
    }

    /// The ticks from `low` to `high`.
    public var ticks: [Double] {
        let count = Int(((high - low) / step).rounded())
        return (0...count).map { low + Double($0) * step }
    }

    /// Tick label with as many decimals as the step needs.
    public func label(_ value: Double) -> String {
        let decimals = max(0, -Int(log10(step).rounded(.down)) + (step / pow(10, log10(step).rounded(.down)) == 2.5 ? 1 : 0))
        let v = abs(value) < step * 1e-9 ? 0 : value
        if abs(v) >= 1e6 || (abs(v) < 1e-3 && v != 0) { return String(format: "%.2g", v) }
        return String(format: "%.\(decimals)f", v)
    }
}

/// The plotting area of a figure and the maps from data to pixels.
struct PlotFrame {
    var left: Double
    var top: Double
    var width: Double
    var height: Double
    var x: NiceScale
    var y: NiceScale

    func px(_ v: Double) -> Double { left + (v - x.low) / (x.high - x.low) * width }
    func py(_ v: Double) -> Double { top + height - (v - y.low) / (y.high - y.low) * height }

    /// Frame, grid, ticks, tick labels and axis labels.
    func drawAxes(_ svg: inout SVGDocument, xLabel: String, yLabel: String, xTicks: Bool = true) {
        let grid = SVGDocument.Stroke(color: "#dddddd", width: 1)
        let axis = SVGDocument.Stroke(color: "#333333", width: 1)
        for t in y.ticks {
            svg.line(left, py(t), left + width, py(t), grid)
            svg.line(left - 5, py(t), left, py(t), axis)
            svg.text(y.label(t), x: left - 8, y: py(t) + 4, size: 11, anchor: .end)
        }
        if xTicks {
            for t in x.ticks {
                svg.line(px(t), top, px(t), top + height, grid)
                svg.line(px(t), top + height, px(t), top + height + 5, axis)
                svg.text(x.label(t), x: px(t), y: top + height + 18, size: 11, anchor: .middle)
            }
        }
        svg.rect(x: left, y: top, width: width, height: height, fill: "none", stroke: axis)
        svg.text(xLabel, x: left + width / 2, y: top + height + 40, size: 13, anchor: .middle)
        svg.text(yLabel, x: left - 52, y: top + height / 2, size: 13, anchor: .middle, rotation: -90)
    }
}

/// A legend entry: a line sample (solid or dashed), a band swatch, or a marker.
struct LegendEntry {
    enum Symbol {
        case line(color: String, dash: String?, band: Bool)
        case marker(color: String)
        case diamond(color: String)
    }
    var label: String
    var symbol: Symbol
}

/// Draws a legend as a column at (x, y), wrapping labels longer than `maxCharacters`.
func drawLegend(_ svg: inout SVGDocument, _ entries: [LegendEntry], x: Double, y: Double, maxCharacters: Int = 28) {
    var cursor = y
    for e in entries {
        let lines = TextTable(headers: [""], maxWidths: [maxCharacters]).wrap(e.label, maxCharacters)
        switch e.symbol {
        case .line(let color, let dash, let band):
            if band { svg.rect(x: x, y: cursor - 7, width: 26, height: 14, fill: color, fillOpacity: 0.2) }
            svg.line(x, cursor, x + 26, cursor, .init(color: color, width: 2.2, dash: dash))
        case .marker(let color):
            svg.circle(cx: x + 13, cy: cursor, r: 4.5, fill: color, stroke: .init(color: "#ffffff", width: 1))
        case .diamond(let color):
            drawDiamond(&svg, x: x + 13, y: cursor, color: color)
        }
        for (i, l) in lines.enumerated() {
            svg.text(l, x: x + 34, y: cursor + 4 + Double(i) * 14, size: 12)
        }
        cursor += 14 * Double(lines.count) + 10
    }
}
