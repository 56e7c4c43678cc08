/// Kernels over a block of rows (the supervised-style tasks' batch of 128 samples), each row
/// given the SAME BITS as the one-row kernel of `DenseKernels` applied to it.
///
/// Why: row by row, a layer's weights are reloaded for every row and every product needs a
/// weight load plus a broadcast; an output layer of one or two units runs scalar. Over a
/// block, two rows share each weight load, and a narrow output column runs four lanes at a
/// time. The batch's rows are independent, so only the order in which elements are computed
/// changes; each element keeps its exact sequence of fused multiply–adds:
/// - 16-column blocks: the even-row and odd-row sums of `vectorTimesMatrix`, accumulated
///   one after the other instead of interleaved (the same two chains, half the registers),
///   then `(even + odd) + b`;
/// - 4-column blocks: one chain over all rows, then `+ b`;
/// - narrow tails: the four partial sums over rows i ≡ 0, 1, 2, 3 (mod 4) are the four lanes
///   of one vector (x[i..<i+4] times the weight column gathered contiguously), the leftover
///   rows go into the first, then `((s0 + s1) + (s2 + s3)) + b`.
/// Layout: row r of the input block starts at `x + r * rows`, of the output at `u + r * columns`.
extension DenseKernels {
    /// U = X W + b for `count` rows X (each of `rows` values); every row the same bits as `affine`.
    @inlinable
    public static func affine(
        rowsOf x: UnsafePointer<Double>, count: Int, weights w: UnsafePointer<Double>, bias: UnsafePointer<Double>,
        rows: Int, columns: Int, into u: UnsafeMutablePointer<Double>
    ) {
        matrixTimesMatrix(x, count: count, weights: w, bias: bias, rows: rows, columns: columns, into: u)
    }

    /// U = X W (no bias) for `count` rows X; every row the same bits as `multiply`.
    @inlinable
    public static func multiply(
        rowsOf x: UnsafePointer<Double>, count: Int, weights w: UnsafePointer<Double>, rows: Int, columns: Int,
        into u: UnsafeMutablePointer<Double>
    ) {
        matrixTimesMatrix(x, count: count, weights: w, bias: nil, rows: rows, columns: columns, into: u)
    }

    /// R = E W^T for `count` rows E (each of `columns` values), given W^T (columns x rows);
    /// every row the same bits as `pullBack`.
    @inlinable
    public static func pullBack(
        rowsOf e: UnsafePointer<Double>, count: Int, transposedWeights wt: UnsafePointer<Double>, rows: Int, columns: Int,
        into r: UnsafeMutablePointer<Double>
    ) {
        matrixTimesMatrix(e, count: count, weights: wt, bias: nil, rows: columns, columns: rows, into: r)
    }

    /// The even (`start` 0) or odd (`start` 1) row sum of a 16-column block for two input
    /// rows at once: eight chains sharing four weight loads per row of W.
    @inlinable @inline(__always)
    static func sixteenColumnsTwoRows(
        _ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, _ w: UnsafePointer<Double>,
        rows: Int, columns: Int, start: Int
    ) -> (SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>) {
        var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), a3 = SIMD4<Double>()
        var b0 = SIMD4<Double>(), b1 = SIMD4<Double>(), b2 = SIMD4<Double>(), b3 = SIMD4<Double>()
        var i = start
        var row = w + start * columns
        let stride = 2 * columns
        while i < rows {
            let w0 = load4(row), w1 = load4(row + 4), w2 = load4(row + 8), w3 = load4(row + 12)
            let xa = SIMD4<Double>(repeating: x0[i]), xb = SIMD4<Double>(repeating: x1[i])
            a0 = a0.addingProduct(xa, w0)
            a1 = a1.addingProduct(xa, w1)
            a2 = a2.addingProduct(xa, w2)
            a3 = a3.addingProduct(xa, w3)
            b0 = b0.addingProduct(xb, w0)
            b1 = b1.addingProduct(xb, w1)
            b2 = b2.addingProduct(xb, w2)
            b3 = b3.addingProduct(xb, w3)
            row += stride
            i += 2
        }
        return (a0, a1, a2, a3, b0, b1, b2, b3)
    }

    @inlinable @inline(__always)
    static func matrixTimesMatrix(
        _ x: UnsafePointer<Double>, count: Int, weights w: UnsafePointer<Double>, bias: UnsafePointer<Double>?,
        rows: Int, columns: Int, into u: UnsafeMutablePointer<Double>
    ) {
        @inline(__always) func bias4(_ c: Int) -> SIMD4<Double> { bias.map { load4($0 + c) } ?? SIMD4() }
        let end16 = columns - columns % 16
        let end4 = end16 + (columns - end16) / 4 * 4
        let pairedRows = count & ~1

        var r = 0
        while r < pairedRows {
            let x0 = x + r * rows, x1 = x0 + rows
            let u0 = u + r * columns, u1 = u0 + columns
            var c = 0
            while c < end16 {
                // Even-row sums first, parked in the output, then the odd-row sums.
                let even = sixteenColumnsTwoRows(x0, x1, w + c, rows: rows, columns: columns, start: 0)
                store4(even.0, u0 + c)
                store4(even.1, u0 + c + 4)
                store4(even.2, u0 + c + 8)
                store4(even.3, u0 + c + 12)
                store4(even.4, u1 + c)
                store4(even.5, u1 + c + 4)
                store4(even.6, u1 + c + 8)
                store4(even.7, u1 + c + 12)
                let odd = sixteenColumnsTwoRows(x0, x1, w + c, rows: rows, columns: columns, start: 1)
                store4((load4(u0 + c) + odd.0) + bias4(c), u0 + c)
                store4((load4(u0 + c + 4) + odd.1) + bias4(c + 4), u0 + c + 4)
                store4((load4(u0 + c + 8) + odd.2) + bias4(c + 8), u0 + c + 8)
                store4((load4(u0 + c + 12) + odd.3) + bias4(c + 12), u0 + c + 12)
                store4((load4(u1 + c) + odd.4) + bias4(c), u1 + c)
                store4((load4(u1 + c + 4) + odd.5) + bias4(c + 4), u1 + c + 4)
                store4((load4(u1 + c + 8) + odd.6) + bias4(c + 8), u1 + c + 8)
                store4((load4(u1 + c + 12) + odd.7) + bias4(c + 12), u1 + c + 12)
                c += 16
            }
            while c < end4 {
                var a = SIMD4<Double>(), b = SIMD4<Double>()
                var row = w + c
                for i in 0..<rows {
                    let wi = load4(row)
                    a = a.addingProduct(SIMD4<Double>(repeating: x0[i]), wi)
                    b = b.addingProduct(SIMD4<Double>(repeating: x1[i]), wi)
                    row += columns
                }
                store4(a + bias4(c), u0 + c)
                store4(b + bias4(c), u1 + c)
                c += 4
            }
            r += 2
        }
        if pairedRows < count {
            vectorTimesMatrix(x + pairedRows * rows, weights: w, bias: bias, rows: rows, columns: columns, into: u + pairedRows * columns)
        }
        guard end4 < columns, pairedRows > 0 else { return }

        // Narrow tails: each column gathered once, then four rows at a time.
        let bodyRows = rows & ~3
        withUnsafeTemporaryAllocation(of: Double.self, capacity: rows) { buffer in
            let column = buffer.baseAddress!
            for c in end4..<columns {
                for i in 0..<rows { column[i] = w[i * columns + c] }
                let b = bias?[c] ?? 0
                @inline(__always) func finish(_ s: SIMD4<Double>, _ xr: UnsafePointer<Double>) -> Double {
                    var s0 = s[0]
                    var i = bodyRows
                    while i < rows {
                        s0 = s0.addingProduct(xr[i], column[i])
                        i += 1
                    }
                    return ((s0 + s[1]) + (s[2] + s[3])) + b
                }
                var r = 0
                while r + 4 <= pairedRows {
                    let x0 = x + r * rows, x1 = x0 + rows, x2 = x1 + rows, x3 = x2 + rows
                    var s0 = SIMD4<Double>(), s1 = SIMD4<Double>(), s2 = SIMD4<Double>(), s3 = SIMD4<Double>()
                    var i = 0
                    while i < bodyRows {
                        let wi = load4(column + i)
                        s0 = s0.addingProduct(load4(x0 + i), wi)
                        s1 = s1.addingProduct(load4(x1 + i), wi)
                        s2 = s2.addingProduct(load4(x2 + i), wi)
                        s3 = s3.addingProduct(load4(x3 + i), wi)
                        i += 4
                    }
                    u[r * columns + c] = finish(s0, x0)
                    u[(r + 1) * columns + c] = finish(s1, x1)
                    u[(r + 2) * columns + c] = finish(s2, x2)
                    u[(r + 3) * columns + c] = finish(s3, x3)
                    r += 4
                }
                while r < pairedRows {
                    let xr = x + r * rows
                    var s = SIMD4<Double>()
                    var i = 0
                    while i < bodyRows {
                        s = s.addingProduct(load4(xr + i), load4(column + i))
                        i += 4
                    }
                    u[r * columns + c] = finish(s, xr)
                    r += 1
                }
            }
        }
    }

    /// T = sum over the `count` rows of x_r (outer) e_r, added to T in row order: element
    /// (i, k) gets `t = fma(x_r[i], e_r[k], t)` for r = 0, 1, ... — the same bits as
    /// `decayAndAddOuter(T, decay: 1, x_r, e_r)` called row after row (multiplying by a decay
    /// of 1 is exact), but with T's elements held in registers over all rows instead of
    /// loaded and stored once per row. x_r starts at `x + r * rows`, e_r at `e + r * columns`.
    @inlinable
    public static func addOuterProducts(
        _ trace: UnsafeMutablePointer<Double>, rowsOf x: UnsafePointer<Double>, _ e: UnsafePointer<Double>,
        count: Int, rows: Int, columns: Int
    ) {
        let end8 = columns & ~7, end4 = columns & ~3
        var i = 0
        // Two rows of T by eight columns: eight chains, four loads per row of the batch.
        while i + 2 <= rows {
            let t0 = trace + i * columns, t1 = t0 + columns
            var k = 0
            while k < end8 {
                var a0 = load4(t0 + k), a1 = load4(t0 + k + 4), b0 = load4(t1 + k), b1 = load4(t1 + k + 4)
                var xr = x + i, er = e + k
                for _ in 0..<count {
                    let e0 = load4(er), e1 = load4(er + 4)
                    let xa = SIMD4<Double>(repeating: xr[0]), xb = SIMD4<Double>(repeating: xr[1])
                    a0 = a0.addingProduct(xa, e0)
                    a1 = a1.addingProduct(xa, e1)
                    b0 = b0.addingProduct(xb, e0)
                    b1 = b1.addingProduct(xb, e1)
                    xr += rows
                    er += columns
                }
                store4(a0, t0 + k)
                store4(a1, t0 + k + 4)
                store4(b0, t1 + k)
                store4(b1, t1 + k + 4)
                k += 8
            }
            addOuterProductsNarrow(t0, x + i, e, count: count, rows: rows, columns: columns, from: k, vectorEnd: end4)
            addOuterProductsNarrow(t1, x + i + 1, e, count: count, rows: rows, columns: columns, from: k, vectorEnd: end4)
            i += 2
        }
        if i < rows {
            addOuterProductsNarrow(trace + i * columns, x + i, e, count: count, rows: rows, columns: columns, from: 0, vectorEnd: end4)
        }
    }

    /// One row of T from column `k` on: four columns at a time up to `vectorEnd`, then single.
    @inlinable @inline(__always)
    static func addOuterProductsNarrow(
        _ t: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>, _ e: UnsafePointer<Double>,
        count: Int, rows: Int, columns: Int, from start: Int, vectorEnd: Int
    ) {
        var k = start
        while k < vectorEnd {
            var a = load4(t + k)
            var xr = x, er = e + k
            for _ in 0..<count {
                a = a.addingProduct(SIMD4<Double>(repeating: xr[0]), load4(er))
                xr += rows
                er += columns
            }
            store4(a, t + k)
            k += 4
        }
        while k < columns {
            var a = t[k]
            var xr = x, er = e + k
            for _ in 0..<count {
                a = a.addingProduct(xr[0], er[0])
                xr += rows
                er += columns
            }
            t[k] = a
            k += 1
        }
    }
}
