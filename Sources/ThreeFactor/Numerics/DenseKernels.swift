/// The few dense linear-algebra kernels the networks need, on raw pointers, allocation-free.
///
/// Matrices are row-major `rows x columns` (a layer's weights are `inputs x outputs`, the
/// reference code's `x.dot(W)` convention). Every reduction sums in a fixed order, so
/// results do not depend on the machine's vector width. Products are accumulated with fused
/// multiply–adds (one rounding), which every supported target executes in hardware (x86-64
/// is compiled for Haswell and later, see Package.swift) and which are exact IEEE
/// operations, so results are the same bits on every platform.
public enum DenseKernels {
    @inlinable @inline(__always)
    public static func load4(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
    }

    @inlinable @inline(__always)
    public static func store4(_ v: SIMD4<Double>, _ p: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Double>.self)
    }

    /// Sum of a[k] * b[k]: four-lane partial sums in two accumulators, then the lanes in
    /// order, then the tail.
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count n: Int) -> Double {
        var acc0 = SIMD4<Double>(), acc1 = SIMD4<Double>()
        var k = 0
        while k + 8 <= n {
            acc0 = acc0.addingProduct(load4(a + k), load4(b + k))
            acc1 = acc1.addingProduct(load4(a + k + 4), load4(b + k + 4))
            k += 8
        }
        if k + 4 <= n {
            acc0 = acc0.addingProduct(load4(a + k), load4(b + k))
            k += 4
        }
        let acc = acc0 + acc1
        var s = (acc[0] + acc[1]) + (acc[2] + acc[3])
        while k < n {
            s = s.addingProduct(a[k], b[k])
            k += 1
        }
        return s
    }

    /// y += a * x.
    @inlinable @inline(__always)
    public static func axpy(_ a: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int) {
        var k = 0
        let a4 = SIMD4<Double>(repeating: a)
        while k + 4 <= n {
            store4(load4(y + k).addingProduct(a4, load4(x + k)), y + k)
            k += 4
        }
        while k < n {
            y[k] = y[k].addingProduct(a, x[k])
            k += 1
        }
    }

    /// u = bias + x W for one row x of `rows` values and W of `rows x columns`.
    ///
    /// Column blocks of 16 are accumulated in registers over all rows (four independent
    /// sums per block keep the adders busy); u_j = (sum_i x_i W_ij, in row order) + b_j.
    @inlinable
    public static func affine(
        _ x: UnsafePointer<Double>, weights w: UnsafePointer<Double>, bias: UnsafePointer<Double>,
        rows: Int, columns: Int, into u: UnsafeMutablePointer<Double>
    ) {
        var c = 0
        // Even and odd rows in separate sums: eight independent chains per block.
        let evenRows = rows & ~1
        while c + 16 <= columns {
            var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), a3 = SIMD4<Double>()
            var b0 = SIMD4<Double>(), b1 = SIMD4<Double>(), b2 = SIMD4<Double>(), b3 = SIMD4<Double>()
            var row = w + c
            var i = 0
            while i < evenRows {
                let xi = SIMD4<Double>(repeating: x[i]), xj = SIMD4<Double>(repeating: x[i + 1])
                let next = row + columns
                a0 = a0.addingProduct(xi, load4(row))
                a1 = a1.addingProduct(xi, load4(row + 4))
                a2 = a2.addingProduct(xi, load4(row + 8))
                a3 = a3.addingProduct(xi, load4(row + 12))
                b0 = b0.addingProduct(xj, load4(next))
                b1 = b1.addingProduct(xj, load4(next + 4))
                b2 = b2.addingProduct(xj, load4(next + 8))
                b3 = b3.addingProduct(xj, load4(next + 12))
                row = next + columns
                i += 2
            }
            if i < rows {
                let xi = SIMD4<Double>(repeating: x[i])
                a0 = a0.addingProduct(xi, load4(row))
                a1 = a1.addingProduct(xi, load4(row + 4))
                a2 = a2.addingProduct(xi, load4(row + 8))
                a3 = a3.addingProduct(xi, load4(row + 12))
            }
            store4((a0 + b0) + load4(bias + c), u + c)
            store4((a1 + b1) + load4(bias + c + 4), u + c + 4)
            store4((a2 + b2) + load4(bias + c + 8), u + c + 8)
            store4((a3 + b3) + load4(bias + c + 12), u + c + 12)
            c += 16
        }
        while c + 4 <= columns {
            var a0 = SIMD4<Double>()
            var row = w + c
            for i in 0..<rows {
                a0 = a0.addingProduct(SIMD4<Double>(repeating: x[i]), load4(row))
                row += columns
            }
            store4(a0 + load4(bias + c), u + c)
            c += 4
        }
        while c < columns {
            var a = 0.0
            var row = w + c
            for i in 0..<rows {
                a = a.addingProduct(x[i], row[0])
                row += columns
            }
            u[c] = a + bias[c]
            c += 1
        }
    }

    /// r[i] = sum_j W[i, j] e[j]: the row vector e pulled back through W (e W^T).
    ///
    /// Four rows at a time, each row as two four-lane partial sums over alternate column
    /// chunks (eight independent sums keep the multiply–add units busy), then the lanes
    /// added pairwise, then the column tail. Every row is summed in the same order.
    @inlinable
    public static func pullBack(
        _ e: UnsafePointer<Double>, weights w: UnsafePointer<Double>, rows: Int, columns: Int,
        into r: UnsafeMutablePointer<Double>
    ) {
        let vectorColumns = columns & ~3, pairedColumns = columns & ~7
        var i = 0
        while i + 4 <= rows {
            let w0 = w + i * columns, w1 = w0 + columns, w2 = w1 + columns, w3 = w2 + columns
            // Two partial sums per row (alternate column chunks): eight independent chains.
            var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), a3 = SIMD4<Double>()
            var b0 = SIMD4<Double>(), b1 = SIMD4<Double>(), b2 = SIMD4<Double>(), b3 = SIMD4<Double>()
            var k = 0
            while k < pairedColumns {
                let ek = load4(e + k), el = load4(e + k + 4)
                a0 = a0.addingProduct(load4(w0 + k), ek)
                a1 = a1.addingProduct(load4(w1 + k), ek)
                a2 = a2.addingProduct(load4(w2 + k), ek)
                a3 = a3.addingProduct(load4(w3 + k), ek)
                b0 = b0.addingProduct(load4(w0 + k + 4), el)
                b1 = b1.addingProduct(load4(w1 + k + 4), el)
                b2 = b2.addingProduct(load4(w2 + k + 4), el)
                b3 = b3.addingProduct(load4(w3 + k + 4), el)
                k += 8
            }
            if k < vectorColumns {
                let ek = load4(e + k)
                a0 = a0.addingProduct(load4(w0 + k), ek)
                a1 = a1.addingProduct(load4(w1 + k), ek)
                a2 = a2.addingProduct(load4(w2 + k), ek)
                a3 = a3.addingProduct(load4(w3 + k), ek)
                k += 4
            }
            a0 += b0
            a1 += b1
            a2 += b2
            a3 += b3
            // Lanes of the four rows added pairwise, (x0 + x1) + (x2 + x3), all four rows at once.
            let h01 = SIMD4(lowHalf: a0.evenHalf, highHalf: a1.evenHalf) + SIMD4(lowHalf: a0.oddHalf, highHalf: a1.oddHalf)
            let h23 = SIMD4(lowHalf: a2.evenHalf, highHalf: a3.evenHalf) + SIMD4(lowHalf: a2.oddHalf, highHalf: a3.oddHalf)
            var sums = SIMD4(lowHalf: h01.evenHalf, highHalf: h23.evenHalf) + SIMD4(lowHalf: h01.oddHalf, highHalf: h23.oddHalf)
            while k < columns {
                sums = sums.addingProduct(SIMD4(w0[k], w1[k], w2[k], w3[k]), SIMD4(repeating: e[k]))
                k += 1
            }
            store4(sums, r + i)
            i += 4
        }
        while i < rows {
            let wi = w + i * columns
            var a0 = SIMD4<Double>(), b0 = SIMD4<Double>()
            var k = 0
            while k < pairedColumns {
                a0 = a0.addingProduct(load4(wi + k), load4(e + k))
                b0 = b0.addingProduct(load4(wi + k + 4), load4(e + k + 4))
                k += 8
            }
            if k < vectorColumns {
                a0 = a0.addingProduct(load4(wi + k), load4(e + k))
                k += 4
            }
            a0 += b0
            var s0 = (a0[0] + a0[1]) + (a0[2] + a0[3])
            while k < columns {
                s0 = s0.addingProduct(wi[k], e[k])
                k += 1
            }
            r[i] = s0
            i += 1
        }
    }

    /// T = decay * T + x (outer) e, for x of `rows` and e of `columns` values.
    @inlinable
    public static func decayAndAddOuter(
        _ trace: UnsafeMutablePointer<Double>, decay: Double,
        _ x: UnsafePointer<Double>, _ e: UnsafePointer<Double>, rows: Int, columns: Int
    ) {
        let d4 = SIMD4<Double>(repeating: decay)
        for i in 0..<rows {
            let row = trace + i * columns
            let xi = x[i]
            let x4 = SIMD4<Double>(repeating: xi)
            var k = 0
            while k + 4 <= columns {
                store4((d4 * load4(row + k)).addingProduct(x4, load4(e + k)), row + k)
                k += 4
            }
            while k < columns {
                row[k] = (decay * row[k]).addingProduct(xi, e[k])
                k += 1
            }
        }
    }
}
