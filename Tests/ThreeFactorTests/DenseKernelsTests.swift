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
}
