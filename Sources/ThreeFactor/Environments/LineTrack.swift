/// The ground of the line-following task: a closed black line on a white 250 x 250 floor.
///
/// Geometry. The authors' simulator (Sama-Darya/enkiSimulator, `examples/line_follower`)
/// paints a 1000 x 1000 texture (`cc.png`) over its 250 x 250 world: a closed "C"-shaped
/// outline, i.e. a long convex outer arc, two rounded ends and a concave inner bay, with
/// curvature changing all along (radii from about 8 to 85 world units). Here the line is
/// defined analytically instead of by an image: its centreline is the closed, uniform
/// Catmull-Rom spline through the 48 `controlPoints` below. The points were read off the
/// texture's centreline at equal arc-length spacing (about 16 units) and converted to world
/// coordinates the way Enki maps the texture (x = column / 4, y = (1000 - row) / 4, the
/// image being flipped vertically by Qt's `convertToGLFormat`); the spline stays within
/// 0.75 units of the traced centreline (mean 0.15). The centreline is about 778 units long.
/// The line is `lineWidth` = 2.85 units wide: the texture's total darkness divided by the
/// centreline length.
///
/// Reading model. As in Enki, the ground is a texture of 0.25-unit texels looked up at the
/// nearest texel below a point (`Int(x * 4)`, truncation). Each texel holds the grey value
/// (0 black, 1 white) at its centre: 0 within half a line width of the centreline, 1 beyond,
/// with a linear ramp one texel wide across the edge (the texture's anti-aliasing). Points
/// outside the world read white.
///
/// The texture is built once per process (`LineTrack.standard`) from the control points
/// with IEEE arithmetic and square roots only, so it is identical on every platform.
public struct LineTrack: Sendable {
    /// Control points of the closed centreline spline, world units, in driving order
    /// (clockwise when seen with y up).
    public static let controlPoints: [SIMD2<Double>] = [
        SIMD2(41.2, 125.0), SIMD2(42.7, 141.1), SIMD2(47.6, 156.6), SIMD2(55.5, 170.7),
        SIMD2(66.0, 183.1), SIMD2(78.5, 193.4), SIMD2(92.6, 201.4), SIMD2(107.9, 207.0),
        SIMD2(123.8, 209.7), SIMD2(140.1, 209.5), SIMD2(155.9, 206.0), SIMD2(171.1, 200.4),
        SIMD2(187.3, 200.1), SIMD2(199.7, 190.6), SIMD2(206.3, 175.8), SIMD2(208.5, 159.8),
        SIMD2(204.5, 144.3), SIMD2(191.7, 134.8), SIMD2(176.0, 136.3), SIMD2(165.8, 148.7),
        SIMD2(156.4, 161.9), SIMD2(143.2, 171.2), SIMD2(127.3, 174.1), SIMD2(112.6, 168.2),
        SIMD2(104.9, 154.1), SIMD2(103.8, 138.0), SIMD2(106.2, 122.0), SIMD2(111.8, 106.8),
        SIMD2(123.5, 95.8), SIMD2(139.3, 92.9), SIMD2(155.2, 96.1), SIMD2(170.6, 101.0),
        SIMD2(186.7, 103.2), SIMD2(200.9, 96.6), SIMD2(203.7, 81.2), SIMD2(197.7, 66.2),
        SIMD2(186.2, 55.0), SIMD2(170.8, 49.8), SIMD2(155.6, 44.2), SIMD2(139.7, 40.8),
        SIMD2(123.6, 40.4), SIMD2(107.5, 43.1), SIMD2(92.2, 48.3), SIMD2(78.0, 56.2),
        SIMD2(65.6, 66.6), SIMD2(55.4, 79.2), SIMD2(47.7, 93.4), SIMD2(42.6, 108.8),
    ]
    /// Width of the black line, world units.
    public static let lineWidth = 2.85
    /// Side of the square world, world units (Enki's `maxx`, `maxy`).
    public static let worldSize = 250.0
    /// Texels per world unit (the authors' 1000-pixel texture over 250 units).
    public static let texelsPerUnit = 4
    /// Texels per side.
    public static let textureSide = 1000

    /// Grey values, row-major: `texture[texY * textureSide + texX]`, texY growing with y.
    public let texture: [Double]
    /// Distance from the centreline at the centre of every texel within
    /// `distanceFieldReach` of it, infinity farther away (same layout as `texture`).
    public let distanceField: [Double]
    /// How far from the centreline `distanceField` is filled in, world units.
    public static let distanceFieldReach = 12.0

    /// The track every simulation uses, built once.
    public static let standard = LineTrack()

    init() {
        let side = Self.textureSide
        let scale = Double(Self.texelsPerUnit)
        var distance = [Double](repeating: .infinity, count: side * side)
        let polyline = Self.centreline(samplesPerSegment: 32)
        let reach = Self.distanceFieldReach + 1.0 / scale
        for k in 0..<polyline.count {
            let a = polyline[k]
            let b = polyline[(k + 1) % polyline.count]
            let lo = SIMD2(min(a.x, b.x) - reach, min(a.y, b.y) - reach)
            let hi = SIMD2(max(a.x, b.x) + reach, max(a.y, b.y) + reach)
            let i0 = max(0, Int(lo.x * scale)), i1 = min(side - 1, Int(hi.x * scale))
            let j0 = max(0, Int(lo.y * scale)), j1 = min(side - 1, Int(hi.y * scale))
            guard i0 <= i1, j0 <= j1 else { continue }
            // Point-to-segment distance in scalars: this loop runs ~15 million times.
            let abx = b.x - a.x, aby = b.y - a.y
            let lengthSquared = abx * abx + aby * aby
            distance.withUnsafeMutableBufferPointer { distance in
            for j in j0...j1 {
                let py = (Double(j) + 0.5) / scale
                for i in i0...i1 {
                    let px = (Double(i) + 0.5) / scale
                    var t = lengthSquared > 0 ? ((px - a.x) * abx + (py - a.y) * aby) / lengthSquared : 0
                    t = min(1, max(0, t))
                    let dx = px - (a.x + t * abx), dy = py - (a.y + t * aby)
                    let d = (dx * dx + dy * dy).squareRoot()
                    if d < distance[j * side + i] { distance[j * side + i] = d }
                }
            }
            }
        }
        texture = distance.map { d in
            min(1, max(0, (d - Self.lineWidth / 2) * scale + 0.5))
        }
        distanceField = distance.map { $0 <= Self.distanceFieldReach ? $0 : .infinity }
    }

    /// Distance from `(x, y)` to the centreline, to the texel (0.25 units); infinity when
    /// farther than `distanceFieldReach` or outside the world.
    public func distanceToLine(x: Double, y: Double) -> Double {
        let tx = Int((x * Double(Self.texelsPerUnit)).rounded(.down))
        let ty = Int((y * Double(Self.texelsPerUnit)).rounded(.down))
        guard tx >= 0, ty >= 0, tx < Self.textureSide, ty < Self.textureSide else { return .infinity }
        return distanceField[ty * Self.textureSide + tx]
    }

    /// The grey value (0 black .. 1 white) of the texel under `(x, y)`, as Enki reads it.
    @inlinable @inline(__always)
    public static func grey(_ texture: UnsafeBufferPointer<Double>, x: Double, y: Double) -> Double {
        let tx = Int(x * Double(texelsPerUnit))
        let ty = Int(y * Double(texelsPerUnit))
        if x < 0 || y < 0 || tx >= textureSide || ty >= textureSide { return 1 }
        return texture[ty * textureSide + tx]
    }

    /// Point `t` in [0, 1) of spline segment `segment` (between control points `segment`
    /// and `segment + 1`): the uniform Catmull-Rom cubic.
    public static func splinePoint(segment: Int, t: Double) -> SIMD2<Double> {
        let n = controlPoints.count
        let p0 = controlPoints[(segment - 1 + n) % n]
        let p1 = controlPoints[segment % n]
        let p2 = controlPoints[(segment + 1) % n]
        let p3 = controlPoints[(segment + 2) % n]
        let t2 = t * t, t3 = t2 * t
        let c0 = 2 * p1
        let c1 = p2 - p0
        let c2 = 2 * p0 - 5 * p1 + 4 * p2 - p3
        let c3 = 3 * p1 - p0 - 3 * p2 + p3
        return 0.5 * (c0 + c1 * t + c2 * t2 + c3 * t3)
    }

    /// The closed centreline as a polyline (first point not repeated at the end), for
    /// drawing and for measuring where the robot is.
    public static func centreline(samplesPerSegment: Int = 16) -> [SIMD2<Double>] {
        var points: [SIMD2<Double>] = []
        points.reserveCapacity(controlPoints.count * samplesPerSegment)
        for s in 0..<controlPoints.count {
            for k in 0..<samplesPerSegment {
                points.append(splinePoint(segment: s, t: Double(k) / Double(samplesPerSegment)))
            }
        }
        return points
    }

}
