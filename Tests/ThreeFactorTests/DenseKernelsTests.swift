import Testing
@testable import ThreeFactor

@Suite struct DenseKernelsTests {
    /// affine, transpose and pullBack against plain loops, for sizes with and without vector tails.
    @Test(arguments: [(1, 1), (3, 5), (4, 16), (7, 19), (37, 64), (64, 32), (33, 2)])
    func kernelsMatchPlainLoops(rows: Int, columns: Int) {
        var rng = RandomStream(seed: UInt64(rows * 100 + columns))
        let w = (0..<(rows * columns)).map { _ in rng.normal() }
        let x = (0..<rows).map { _ in rng.normal() }
        let b = (0..<columns).map { _ in rng.normal() }
        let e = (0..<columns).map { _ in rng.normal() }
        var u = Array(repeating: 0.0, count: columns), r = Array(repeating: 0.0, count: rows)
        var wt = Array(repeating: 0.0, count: rows * columns)
        w.withUnsafeBufferPointer { wp in
            DenseKernels.affine(x, weights: wp.baseAddress!, bias: b, rows: rows, columns: columns, into: &u)
            DenseKernels.transpose(wp.baseAddress!, rows: rows, columns: columns, into: &wt)
        }
        for i in 0..<rows { for j in 0..<columns { #expect(wt[j * rows + i] == w[i * columns + j]) } }
        DenseKernels.pullBack(e, transposedWeights: wt, rows: rows, columns: columns, into: &r)
        for j in 0..<columns {
            var expected = b[j]
            for i in 0..<rows { expected += x[i] * w[i * columns + j] }
            #expect(abs(u[j] - expected) < 1e-12 * Double(rows))
        }
        for i in 0..<rows {
            var expected = 0.0
            for j in 0..<columns { expected += w[i * columns + j] * e[j] }
            #expect(abs(r[i] - expected) < 1e-12 * Double(columns))
        }
    }

    /// The block kernels give every row the same bits as the one-row kernels (the batched
    /// MAP ascent and batch update rely on it): 16-column blocks, 4-column blocks and narrow
    /// tails, odd and even inner sizes, odd and even row counts, one row.
    @Test(arguments: [
        (1, 1, 1), (3, 5, 3), (4, 16, 2), (7, 19, 5), (37, 64, 9), (64, 32, 8), (32, 2, 7), (33, 1, 6),
        (2, 32, 4), (1, 35, 3), (5, 17, 1), (6, 3, 10), (64, 7, 5),
    ])
    func blockKernelsMatchOneRowKernelsBitForBit(rows: Int, columns: Int, count: Int) {
        var rng = RandomStream(seed: UInt64(rows * 10_000 + columns * 100 + count))
        let w = (0..<(rows * columns)).map { _ in rng.normal() }
        let b = (0..<columns).map { _ in rng.normal() }
        // Some exact zeros, so that signed-zero handling is compared too.
        let x = (0..<(count * rows)).map { _ in rng.uniform() < 0.1 ? 0 : rng.normal() }
        let e = (0..<(count * columns)).map { _ in rng.uniform() < 0.1 ? -0.0 : rng.normal() }
        var wt = Array(repeating: 0.0, count: rows * columns)
        DenseKernels.transpose(w, rows: rows, columns: columns, into: &wt)
        func same(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern } }

        var block = Array(repeating: 0.0, count: count * columns), single = block
        DenseKernels.affine(rowsOf: x, count: count, weights: w, bias: b, rows: rows, columns: columns, into: &block)
        for r in 0..<count {
            single.withUnsafeMutableBufferPointer { u in
                x.withUnsafeBufferPointer { xp in
                    DenseKernels.affine(xp.baseAddress! + r * rows, weights: w, bias: b, rows: rows, columns: columns, into: u.baseAddress! + r * columns)
                }
            }
        }
        #expect(same(block, single), "affine")

        var pulledBlock = Array(repeating: 0.0, count: count * rows), pulledSingle = pulledBlock
        DenseKernels.pullBack(rowsOf: e, count: count, transposedWeights: wt, rows: rows, columns: columns, into: &pulledBlock)
        for r in 0..<count {
            pulledSingle.withUnsafeMutableBufferPointer { p in
                e.withUnsafeBufferPointer { ep in
                    DenseKernels.pullBack(ep.baseAddress! + r * columns, transposedWeights: wt, rows: rows, columns: columns, into: p.baseAddress! + r * rows)
                }
            }
        }
        #expect(same(pulledBlock, pulledSingle), "pullBack")

        let start = (0..<(rows * columns)).map { _ in rng.normal() }
        var traceBlock = start, traceSingle = start
        DenseKernels.addOuterProducts(&traceBlock, rowsOf: x, e, count: count, rows: rows, columns: columns)
        for r in 0..<count {
            x.withUnsafeBufferPointer { xp in
                e.withUnsafeBufferPointer { ep in
                    DenseKernels.decayAndAddOuter(
                        &traceSingle, decay: 1, xp.baseAddress! + r * rows, ep.baseAddress! + r * columns, rows: rows, columns: columns)
                }
            }
        }
        #expect(same(traceBlock, traceSingle), "addOuterProducts")
    }
}
