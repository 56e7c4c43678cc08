import ThreeFactor

/// The line follower's world as an SVG picture: the track (a black line of the real width
/// on a white 250 x 250 floor) with driven paths drawn over it, e.g. before and after
/// learning (`ClosedLoopTrials.beforeAndAfter`). Self-contained: plain SVG 1.1 text, no
/// scripts, no external resources.
public enum TrackFigure {
    /// One driven path, drawn as a coloured line with a legend entry.
    public struct Path: Sendable {
        /// The legend label.
        public var label: String
        /// The robot's centre after every step, in floor units.
        public var points: [SIMD2<Double>]
        /// Any SVG colour, e.g. "#d62728".
        public var colour: String
        /// A path from its parts.
        public init(label: String, points: [SIMD2<Double>], colour: String) {
            self.label = label
            self.points = points
            self.colour = colour
        }
    }

    /// The SVG text. `track` is the closed centreline (first point not repeated); world
    /// y grows upwards, as in the simulator.
    public static func svg(
        title: String, track: [SIMD2<Double>], paths: [Path],
        lineWidth: Double = LineTrack.lineWidth, worldSize: Double = LineTrack.worldSize,
        pixelsPerUnit: Double = 2.4
    ) -> String {
        let side = worldSize * pixelsPerUnit
        let titleHeight = 28.0
        let legendHeight = 20.0 * Double(paths.count) + 12
        let height = titleHeight + side + legendHeight
        func px(_ p: SIMD2<Double>) -> String {
            "\(fixed(p.x * pixelsPerUnit)),\(fixed(titleHeight + (worldSize - p.y) * pixelsPerUnit))"
        }
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(fixed(side))" height="\(fixed(height))" \
            viewBox="0 0 \(fixed(side)) \(fixed(height))" font-family="Helvetica, Arial, sans-serif">

            """
        s += "<title>\(SVGDocument.escape(title))</title>\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(fixed(side))\" height=\"\(fixed(height))\" fill=\"white\"/>\n"
        s += "<text x=\"\(fixed(side / 2))\" y=\"19\" font-size=\"15\" text-anchor=\"middle\">\(SVGDocument.escape(title))</text>\n"
        s += "<rect x=\"0\" y=\"\(fixed(titleHeight))\" width=\"\(fixed(side))\" height=\"\(fixed(side))\" "
            + "fill=\"white\" stroke=\"#999999\" stroke-width=\"1\"/>\n"
        if !track.isEmpty {
            s += "<polygon points=\"" + track.map(px).joined(separator: " ")
                + "\" fill=\"none\" stroke=\"black\" stroke-width=\"\(fixed(lineWidth * pixelsPerUnit))\" "
                + "stroke-linejoin=\"round\"/>\n"
        }
        for path in paths where !path.points.isEmpty {
            s += "<polyline points=\"" + path.points.map(px).joined(separator: " ")
                + "\" fill=\"none\" stroke=\"\(SVGDocument.escape(path.colour))\" stroke-width=\"1.4\" "
                + "stroke-linejoin=\"round\" stroke-opacity=\"0.85\"/>\n"
            // The start, as a small circle.
            s += "<circle cx=\"\(fixed(path.points[0].x * pixelsPerUnit))\" "
                + "cy=\"\(fixed(titleHeight + (worldSize - path.points[0].y) * pixelsPerUnit))\" r=\"3\" "
                + "fill=\"\(SVGDocument.escape(path.colour))\"/>\n"
        }
        var y = titleHeight + side + 18
        for path in paths {
            s += "<line x1=\"12\" y1=\"\(fixed(y - 4))\" x2=\"40\" y2=\"\(fixed(y - 4))\" "
                + "stroke=\"\(SVGDocument.escape(path.colour))\" stroke-width=\"2.5\"/>\n"
            s += "<text x=\"48\" y=\"\(fixed(y))\" font-size=\"12\">\(SVGDocument.escape(path.label))</text>\n"
            y += 20
        }
        s += "</svg>\n"
        return s
    }

    /// The usual picture: the track, the path of the untrained network and the path of
    /// the trained one, both driven from the same start with learning switched off.
    public static func beforeAndAfter(
        title: String, track: [SIMD2<Double>], before: [SIMD2<Double>], after: [SIMD2<Double>]
    ) -> String {
        svg(title: title, track: track, paths: [
            Path(label: "before learning (initial weights)", points: before, colour: "#d62728"),
            Path(label: "after learning (learned weights, frozen)", points: after, colour: "#1f77b4"),
        ])
    }

    /// A coordinate with two decimals and no exponent.
    static func fixed(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let hundredths = Int((v * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let a = abs(hundredths)
        let fraction = a % 100
        return "\(sign)\(a / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
