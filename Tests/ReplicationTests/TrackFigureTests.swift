import Foundation
import Testing
import ThreeFactor
@testable import Replication

@Suite struct TrackFigureTests {
    @Test func drawsTheTrackAndEveryPathInWorldCoordinates() {
        let track = LineTrack.centreline()
        let svg = TrackFigure.beforeAndAfter(
            title: "SaR <seed 0> & co", track: track,
            before: [SIMD2(25, 125), SIMD2(30, 130)], after: [SIMD2(25, 125), SIMD2(250, 0)])
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polygon").count == 2)
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        #expect(svg.contains("SaR &lt;seed 0&gt; &amp; co"))
        // World (250, 0) is the bottom-right corner of the 600-pixel floor below the title.
        #expect(svg.contains("600.00,628.00"))
        // The line is drawn at its real width (2.85 units at 2.4 pixels per unit).
        #expect(svg.contains("stroke-width=\"6.84\""))
    }

    @Test func coordinatesHaveTwoDecimalsAndNoExponent() {
        #expect(TrackFigure.fixed(1e-7) == "0.00")
        #expect(TrackFigure.fixed(-3.14159) == "-3.14")
        #expect(TrackFigure.fixed(12.005) == "12.01" || TrackFigure.fixed(12.005) == "12.00")
        #expect(TrackFigure.fixed(600) == "600.00")
    }
}
