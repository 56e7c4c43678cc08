/// The few dense linear-algebra kernels the networks need, on raw pointers, allocation-free.
///
/// Matrices are row-major `rows x columns` (a layer's weights are `inputs x outputs`, the
/// reference code's `x.dot(W)` convention). Every reduction sums in a fixed order, so
/// results do not depend on the machine's vector width. Products are accumulated with fused
/// multiply–adds (one rounding), which every supported target executes in hardware (x86-64
/// is compiled for Haswell and later, see Package.swift) and which are exact IEEE
/// operations, so results are the same bits on every platform.
public enum DenseKernels {
    /// Loads four consecutive values from `p`, which need not be aligned.
    @inlinable @inline(__always)
    public static func load4(_ p: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self)
    }

    /// Stores four consecutive values at `p`, which need not be aligned.
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

    /// u = bias + x W for one row x of `rows` values and W of `rows x columns`.
    ///
    /// Column blocks of 16 are accumulated in registers over all rows, even and odd rows in
    /// separate sums (eight independent chains keep the multiply–add units busy), then
    /// blocks of 4, then single columns with four partial sums over the rows; every column
    /// is summed in a fixed order, plus b_j last.
    @inlinable
    public static func affine(
        _ x: UnsafePointer<Double>, weights w: UnsafePointer<Double>, bias: UnsafePointer<Double>,
        rows: Int, columns: Int, into u: UnsafeMutablePointer<Double>
    ) {
        vectorTimesMatrix(x, weights: w, bias: bias, rows: rows, columns: columns, into: u)
    }

    /// u = x W (no bias), the same summation as `affine`.
    @inlinable
    public static func multiply(
        _ x: UnsafePointer<Double>, weights w: UnsafePointer<Double>, rows: Int, columns: Int,
        into u: UnsafeMutablePointer<Double>
    ) {
        vectorTimesMatrix(x, weights: w, bias: nil, rows: rows, columns: columns, into: u)
    }

    /// W^T (columns x rows) of W (rows x columns): 4 x 4 blocks transposed in registers,
    /// then the edges element by element.
    @inlinable
    public static func transpose(
        _ w: UnsafePointer<Double>, rows: Int, columns: Int, into t: UnsafeMutablePointer<Double>
    ) {
        let blockRows = rows & ~3, blockColumns = columns & ~3
        var i = 0
        while i < blockRows {
            var j = 0
            while j < blockColumns {
                let r0 = load4(w + i * columns + j), r1 = load4(w + (i + 1) * columns + j)
                let r2 = load4(w + (i + 2) * columns + j), r3 = load4(w + (i + 3) * columns + j)
                let a = SIMD4(lowHalf: r0.lowHalf, highHalf: r2.lowHalf), b = SIMD4(lowHalf: r1.lowHalf, highHalf: r3.lowHalf)
                let c = SIMD4(lowHalf: r0.highHalf, highHalf: r2.highHalf), d = SIMD4(lowHalf: r1.highHalf, highHalf: r3.highHalf)
                store4(SIMD4(a[0], b[0], a[2], b[2]), t + j * rows + i)
                store4(SIMD4(a[1], b[1], a[3], b[3]), t + (j + 1) * rows + i)
                store4(SIMD4(c[0], d[0], c[2], d[2]), t + (j + 2) * rows + i)
                store4(SIMD4(c[1], d[1], c[3], d[3]), t + (j + 3) * rows + i)
                j += 4
            }
            for jj in blockColumns..<columns {
                for ii in i..<(i + 4) { t[jj * rows + ii] = w[ii * columns + jj] }
            }
            i += 4
        }
        for ii in blockRows..<rows {
            for jj in 0..<columns { t[jj * rows + ii] = w[ii * columns + jj] }
        }
    }

    @inlinable @inline(__always)
    static func vectorTimesMatrix(
        _ x: UnsafePointer<Double>, weights w: UnsafePointer<Double>, bias: UnsafePointer<Double>?,
        rows: Int, columns: Int, into u: UnsafeMutablePointer<Double>
    ) {
        @inline(__always) func bias4(_ c: Int) -> SIMD4<Double> { bias.map { load4($0 + c) } ?? SIMD4() }
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
            store4((a0 + b0) + bias4(c), u + c)
            store4((a1 + b1) + bias4(c + 4), u + c + 4)
            store4((a2 + b2) + bias4(c + 8), u + c + 8)
            store4((a3 + b3) + bias4(c + 12), u + c + 12)
            c += 16
        }
        while c + 4 <= columns {
            var a0 = SIMD4<Double>()
            var row = w + c
            for i in 0..<rows {
                a0 = a0.addingProduct(SIMD4<Double>(repeating: x[i]), load4(row))
                row += columns
            }
            store4(a0 + bias4(c), u + c)
            c += 4
        }
        // Narrow tails (an output layer of one or two units): four partial sums over the
        // rows so that the chain of multiply–adds is a quarter as long.
        while c < columns {
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var i = 0
            while i + 4 <= rows {
                let row = w + i * columns + c
                s0 = s0.addingProduct(x[i], row[0])
                s1 = s1.addingProduct(x[i + 1], row[columns])
                s2 = s2.addingProduct(x[i + 2], row[2 * columns])
                s3 = s3.addingProduct(x[i + 3], row[3 * columns])
                i += 4
            }
            while i < rows {
                s0 = s0.addingProduct(x[i], w[i * columns + c])
                i += 1
            }
            u[c] = ((s0 + s1) + (s2 + s3)) + (bias?[c] ?? 0)
            c += 1
        }
    }

    /// r = e W^T, given W^T (columns x rows): the row vector e pulled back through W,
    /// computed as `multiply(e, W^T)` so that it runs as fast as the forward pass.
    @inlinable
    public static func pullBack(
        _ e: UnsafePointer<Double>, transposedWeights wt: UnsafePointer<Double>, rows: Int, columns: Int,
        into r: UnsafeMutablePointer<Double>
    ) {
        vectorTimesMatrix(e, weights: wt, bias: nil, rows: columns, columns: rows, into: r)
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
