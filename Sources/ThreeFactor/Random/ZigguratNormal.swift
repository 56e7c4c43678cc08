/// Standard normal draws by the ziggurat method (Marsaglia & Tsang, "The ziggurat method
/// for generating random variables", J. Stat. Softw. 5(8), 2000), 256 layers, on top of
/// `RandomStream`.
///
/// Why: the noise-perturbation rules draw one normal per unit per step (130 per CartPole
/// step with 128 hidden units). Box–Muller (`RandomStream.normal()`) spends a `log`, a
/// `sin` and a `cos` per pair, which profiling showed to be half of an NRL step; the
/// ziggurat returns after one 64-bit word, one multiply and one compare in 99 % of draws.
///
/// The density `f(x) = exp(-x^2 / 2)` (unnormalised, x >= 0) is covered by 256 layers of
/// equal area `v`: a base strip (layer 0: the rectangle [0, r] x [0, f(r)] plus the tail
/// beyond `r`) and 255 rectangles `[0, x_i] x [f(x_i), f(x_{i+1})]`, with `x_1 = r`,
/// `x_{i+1} = f^{-1}(v / x_i + f(x_i))` and `x_256 = 0`; the base strip's width
/// `x_0 = v / f(r)` makes its area `v` too. A draw picks a layer `i` (8 bits), a sign
/// (1 bit) and a position `u x_i` (52 bits): if `u x_i < x_{i+1}` the point lies under
/// the curve in every column and is returned; otherwise the wedge (layers 1...255) is
/// tested against `f`, or the tail (layer 0) sampled by Marsaglia's exponential method.
///
/// Determinism: the tables are computed once from `exp`, `log` and `sqrt`, like
/// `RandomStream`'s own normals, so a run stays a pure function of its seed on platforms
/// with a correctly rounded libm.
public enum ZigguratNormal {
    /// `r`, the start of the tail, and `v`, the area of each layer, for 256 layers.
    static let r = 3.6541528853610088
    static let v = 0.00492867323399

    /// Per layer: accept the 52-bit magnitude `m` at once when `m < accept[i]`.
    @usableFromInline static let accept: [UInt64] = tables.accept
    /// Per layer: `x_i / 2^52`, turning the 52-bit magnitude into a position.
    @usableFromInline static let scale: [Double] = tables.scale
    /// `f(x_i)` for `i = 0...256` (`f(x_0)` unused, `f(x_256) = 1`).
    @usableFromInline static let density: [Double] = tables.density

    static let tables: (accept: [UInt64], scale: [Double], density: [Double]) = {
        func f(_ x: Double) -> Double { _exp(-0.5 * x * x) }
        var x = Array(repeating: 0.0, count: 257)
        x[0] = v / f(r)
        x[1] = r
        for i in 1..<255 {
            x[i + 1] = (-2 * _log(min(v / x[i] + f(x[i]), 1))).squareRoot()
        }
        x[256] = 0
        let twoTo52 = 0x1p52
        var accept = [UInt64](), scale = [Double]()
        for i in 0..<256 {
            accept.append(UInt64(x[i + 1] / x[i] * twoTo52))
            scale.append(x[i] / twoTo52)
        }
        let density = x.map(f)
        return (accept, scale, density)
    }()
}

extension RandomStream {
    /// Writes `count` standard normal draws by the ziggurat method, times `scale`, to
    /// `output`, in order.
    public mutating func fillZigguratNormals(_ output: UnsafeMutablePointer<Double>, count: Int, scale: Double) {
        ZigguratNormal.accept.withUnsafeBufferPointer { accept in
        ZigguratNormal.scale.withUnsafeBufferPointer { widths in
            var k = 0
            while k < count {
                let bits = next()
                let layer = Int(truncatingIfNeeded: bits & 0xFF)
                let magnitude = bits >> 12
                let position = Double(magnitude) * widths[layer]
                let negative = bits & 0x100 != 0
                if magnitude < accept[layer] {
                    output[k] = scale * (negative ? -position : position)
                    k += 1
                } else if let x = zigguratEdge(layer: layer, position: position) {
                    output[k] = scale * (negative ? -x : x)
                    k += 1
                }
            }
        }}
    }

    /// The rare draws outside a layer's safe core: the tail beyond `r` for the base strip,
    /// the wedge test against the density otherwise; `nil` means rejected.
    @usableFromInline
    mutating func zigguratEdge(layer: Int, position: Double) -> Double? {
        if layer == 0 {
            // Tail x > r: x = r + e1 / r, accepted when 2 e2 > (e1 / r)^2 (Marsaglia 1964).
            while true {
                let e1 = -_log(Double((next() >> 11) + 1) * 0x1.0p-53) / ZigguratNormal.r
                let e2 = -_log(Double((next() >> 11) + 1) * 0x1.0p-53)
                if 2 * e2 > e1 * e1 { return ZigguratNormal.r + e1 }
            }
        }
        let low = ZigguratNormal.density[layer], high = ZigguratNormal.density[layer + 1]
        let y = low + uniform() * (high - low)
        return y < _exp(-0.5 * position * position) ? position : nil
    }
}
