import Foundation

/// A minimal SVG 1.1 writer: enough shapes and text for line and error-bar plots, no
/// dependencies. Coordinates are in pixels with y growing downwards, as in SVG.
public struct SVGDocument {
    /// The picture's width in pixels.
    public var width: Double
    /// The picture's height in pixels.
    public var height: Double
    private var body: [String] = []
    private var definitions: [String] = []

    /// An empty white picture of the given size.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Style of a stroke; `dash` is an SVG dash array such as "6 4".
    public struct Stroke {
        /// Any SVG colour, e.g. "#0072B2".
        public var color: String
        /// The stroke's width in pixels.
        public var width: Double
        /// An SVG dash array such as "6 4"; nil for a solid line.
        public var dash: String?
        /// The stroke's opacity, 0 ... 1.
        public var opacity: Double

        /// A stroke; solid, 1 pixel wide and opaque unless told otherwise.
        public init(color: String, width: Double = 1, dash: String? = nil, opacity: Double = 1) {
            self.color = color
            self.width = width
            self.dash = dash
            self.opacity = opacity
        }

        var attributes: String {
            var a = "stroke=\"\(SVGDocument.escape(color))\" stroke-width=\"\(SVGDocument.number(width))\""
            if let dash { a += " stroke-dasharray=\"\(SVGDocument.escape(dash))\"" }
            if opacity < 1 { a += " stroke-opacity=\"\(SVGDocument.number(opacity))\"" }
            return a
        }
    }

    /// Which point of a text `x` places (SVG's `text-anchor`).
    public enum Anchor: String {
        /// The text's start, middle or end.
        case start, middle, end
    }

    /// Numbers with at most 2 decimals: sub-pixel precision without bloating the file.
    static func number(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        return String(format: "%.2f", r).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    /// Escapes text for XML character data and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    static func points(_ p: [(Double, Double)]) -> String {
        p.map { "\(number($0.0)),\(number($0.1))" }.joined(separator: " ")
    }

    /// A rectangular clip region that later shapes can refer to by `id`.
    public mutating func defineClip(id: String, x: Double, y: Double, width: Double, height: Double) {
        definitions.append("<clipPath id=\"\(Self.escape(id))\"><rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\"/></clipPath>")
    }

    /// Opens a group, clipped to the region defined as `clip` when given; close it with
    /// `endGroup()`.
    public mutating func beginGroup(clip: String? = nil) {
        body.append(clip.map { "<g clip-path=\"url(#\(Self.escape($0)))\">" } ?? "<g>")
    }

    /// Closes the group opened last.
    public mutating func endGroup() { body.append("</g>") }

    /// A straight line from (x1, y1) to (x2, y2).
    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ stroke: Stroke) {
        body.append("<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" \(stroke.attributes)/>")
    }

    /// An open line through `points`; fewer than two points draw nothing.
    public mutating func polyline(_ points: [(Double, Double)], _ stroke: Stroke) {
        guard points.count >= 2 else { return }
        body.append("<polyline fill=\"none\" stroke-linejoin=\"round\" points=\"\(Self.points(points))\" \(stroke.attributes)/>")
    }

    /// A filled polygon without outline (e.g. a confidence band); fewer than three points draw
    /// nothing.
    public mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        guard points.count >= 3 else { return }
        body.append("<polygon stroke=\"none\" fill=\"\(Self.escape(fill))\" fill-opacity=\"\(Self.number(opacity))\" points=\"\(Self.points(points))\"/>")
    }

    /// A rectangle with its top-left corner at (x, y), filled and optionally outlined.
    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, fillOpacity: Double = 1,
        stroke: Stroke? = nil
    ) {
        let opacity = fillOpacity < 1 ? " fill-opacity=\"\(Self.number(fillOpacity))\"" : ""
        body.append("<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"\(Self.escape(fill))\"\(opacity)\(stroke.map { " " + $0.attributes } ?? "")/>")
    }

    /// A circle centred at (cx, cy) with radius `r`, filled and optionally outlined.
    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String, stroke: Stroke? = nil) {
        body.append("<circle cx=\"\(Self.number(cx))\" cy=\"\(Self.number(cy))\" r=\"\(Self.number(r))\" fill=\"\(Self.escape(fill))\"\(stroke.map { " " + $0.attributes } ?? "")/>")
    }

    /// A line of text (escaped for XML) at (x, y), `size` in pixels, optionally bold or rotated
    /// by `rotation` degrees about (x, y).
    public mutating func text(
        _ string: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
        color: String = "#222222", weight: String? = nil, rotation: Double? = nil
    ) {
        var a = "x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(Self.escape(color))\""
        if let weight { a += " font-weight=\"\(weight)\"" }
        if let rotation { a += " transform=\"rotate(\(Self.number(rotation)) \(Self.number(x)) \(Self.number(y)))\"" }
        body.append("<text \(a)>\(Self.escape(string))</text>")
    }

    /// The document as SVG text.
    public func render() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        if !definitions.isEmpty { out += "<defs>\n" + definitions.joined(separator: "\n") + "\n</defs>\n" }
        out += "<rect x=\"0\" y=\"0\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"#ffffff\"/>\n"
        out += body.joined(separator: "\n")
        out += "\n</svg>\n"
        return out
    }
}
