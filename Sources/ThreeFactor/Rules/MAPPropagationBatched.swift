/// MAP propagation's ascent for a batch of rows (the supervised-style tasks of
/// `SupervisedTrial`): the same rule as `MAPPropagation.swift`, organised for speed. Every
/// path here is tested against `mapPropagateRowByRow` (MAPPropagationTests): the batched
/// path bit for bit, the Gram path within 1e-12 of the values' scale.
extension TeamNetwork {
    /// The same ascent over blocks of rows: every step goes through the layers as
    /// `mapPropagateRowByRow` does for one row, each operation applied to a block of
    /// `mapBlockRows` rows with the block kernels (`BatchedDenseKernels.swift`), all steps of
    /// one block before the next (a block's activity stays in the L1 cache). The rows are
    /// independent and every element is computed by the same sequence of operations, so the
    /// result is the same bits as row by row; only the weights are loaded once per block
    /// instead of once per row.
    mutating func mapPropagateBatched(steps: Int, updateAdjustment: Double) {
        let activation = self.activation, outputUnits = self.outputUnits
        let rows = batchSize
        let firstIsCurrent = firstPotentialIsCurrent
        withStorage { base, layers, inputRows in
            let top = layers.count - 1
            var r0 = 0
            while r0 < rows {
                let n = min(Self.mapBlockRows, rows - r0)
                var firstPotentialIsCurrent = firstIsCurrent
                for _ in 0..<steps {
                    Self.ascendBlock(
                        base: base, layers: layers, rows: r0, count: n, downTo: 0, updateAdjustment: updateAdjustment,
                        activation: activation, outputUnits: outputUnits)
                    if !firstPotentialIsCurrent {
                        Self.refresh(
                            LayerView(base, layers[0]), input: inputRows + r0 * layers[0].inputs, rows: r0, count: n,
                            activation: activation, outputUnits: outputUnits)
                        firstPotentialIsCurrent = true
                    }
                }
                for l in 0...top {
                    Self.computeEligibility(LayerView(base, layers[l]), rows: r0, count: n, outputUnits: outputUnits)
                }
                r0 += n
            }
        }
        if steps > 0 { firstPotentialIsCurrent = true }
    }

    /// The batched ascent with the first hidden layer's step re-associated through the Gram
    /// matrix G = W_1^T W_1 of the weights from hidden layer 0 to hidden layer 1 (the
    /// supervised-style tasks: a batch of rows, two or more hidden layers). Equal to
    /// `mapPropagateBatched` in real arithmetic; in floating point the values differ in the
    /// last bits (tests: within 1e-12 of the values' scale).
    ///
    /// Derivation. Layer 0's input is the observation, so its mean m_0 is constant during the
    /// ascent (the potentials are current: the weights did not change since the forward
    /// pass). The paper's step, with s = update_adj * var_0,
    ///
    ///     h_0 <- h_0 + s ((m_0 - h_0) / var_0 + e_1 W_1^T),
    ///
    /// is, for the distance d = m_0 - h_0 from the mean,
    ///
    ///     d <- c d - s e_1 W_1^T,        c = 1 - s / var_0.
    ///
    /// Layer 1 sees h_0 only through its potential u_1 = h_0 W_1 + b_1 = q - d W_1 with
    /// q = m_0 W_1 + b_1 fixed for the whole ascent, so it suffices to track p = d W_1:
    ///
    ///     p <- c p - s e_1 (W_1^T W_1) = c p - s e_1 G,         u_1 = q - p,
    ///
    /// which is the same linear map applied in another order (matrix products are
    /// associative), hence exact in real arithmetic. h_0 itself is needed only at the end:
    /// unrolling the recursion over the T steps,
    ///
    ///     d_T = c^T d_0 - s sum_t c^(T-1-t) e_1^(t) W_1^T = c^T d_0 - s A W_1^T,
    ///     A <- c A + e_1  (A = 0 at the start),
    ///
    /// so h_0 = m_0 - d_T is one pull-back after the last step. Layer 1's ascent and every
    /// layer above go as in `mapPropagateBatched` (their means move during the ascent, so the
    /// same trick does not apply to them). The potential u_1 starts from the forward pass's
    /// (p = q - u_1), as the direct ascent's first step does.
    ///
    /// Cost per row and step for layer 0 (n_0 x n_1 weights): the direct ascent pulls e_1
    /// back (n_0 n_1 multiply-adds) and recomputes u_1 from h_0 (n_0 n_1); here e_1 G costs
    /// n_1^2. Per row and ascent: q and the final pull-back, 2 n_0 n_1. Per batch: G, n_0 n_1^2,
    /// which is why this is for batches only — shared by the 128 rows of a batch it is cheap,
    /// for the one-row reinforcement-learning agents it would cost more than it saves
    /// (see `gramAscentPays`). E.g. 64 x 32, 20 steps, 128 rows: 25,088 instead of 81,920
    /// multiply-adds per row.
    mutating func mapPropagateGram(steps: Int, updateAdjustment: Double) {
        precondition(batchSize > 1 && hidden.count >= 2 && firstPotentialIsCurrent && steps > 0)
        let activation = self.activation, outputUnits = self.outputUnits
        let rows = batchSize, layouts = self.layers, blockRows = Self.mapBlockRows
        storage.withUnsafeMutableBufferPointer { buffer in
            mapScratch.withUnsafeMutableBufferPointer { scratch in
                let base = buffer.baseAddress!
                let top = layouts.count - 1
                let first = LayerView(base, layouts[0]), second = LayerView(base, layouts[1])
                let n0 = first.outputs, n1 = second.outputs
                let gram = scratch.baseAddress!
                let meanPotential = gram + n1 * n1  // q
                let shift = meanPotential + blockRows * n1  // p
                let accumulated = shift + blockRows * n1  // A
                let errorThroughGram = accumulated + blockRows * n1  // e_1 G
                let stepSize = updateAdjustment * first.variance
                let decay = 1 - stepSize * first.inverseVariance
                var decayOverAllSteps = 1.0
                for _ in 0..<steps { decayOverAllSteps *= decay }

                // G = W_1^T W_1: the rows of W_1^T times W_1.
                DenseKernels.multiply(
                    rowsOf: second.transposedWeights, count: n1, weights: second.weights, rows: n0, columns: n1, into: gram)
                var r0 = 0
                while r0 < rows {
                    let n = min(blockRows, rows - r0), blockSize = n * n1
                    let u1 = second.row(second.potential, r0), e1 = second.row(second.eligibility, r0)
                    DenseKernels.affine(
                        rowsOf: first.row(first.mean, r0), count: n, weights: second.weights, bias: second.bias,
                        rows: n0, columns: n1, into: meanPotential)
                    for k in 0..<blockSize {
                        shift[k] = meanPotential[k] - u1[k]
                        accumulated[k] = 0
                    }
                    for _ in 0..<steps {
                        // Layers 1..<top directly, top-down from the old values (as `mapPropagateBatched`).
                        Self.ascendBlock(
                            base: base, layers: layouts, rows: r0, count: n, downTo: 1, updateAdjustment: updateAdjustment,
                            activation: activation, outputUnits: outputUnits)
                        // Layer 0's step seen by layer 1: p <- c p - s e_1 G, A <- c A + e_1, u_1 = q - p.
                        DenseKernels.multiply(rowsOf: e1, count: n, weights: gram, rows: n1, columns: n1, into: errorThroughGram)
                        for k in 0..<blockSize {
                            shift[k] = decay * shift[k] - stepSize * errorThroughGram[k]
                            accumulated[k] = decay * accumulated[k] + e1[k]
                            u1[k] = meanPotential[k] - shift[k]
                        }
                        Self.activate(second, rows: r0, count: n, activation: activation, outputUnits: outputUnits)
                    }
                    // h_0 = m_0 - (c^T (m_0 - h_0) - s A W_1^T).
                    let h0 = first.row(first.value, r0), m0 = first.row(first.mean, r0)
                    let pulledBack = first.row(first.feedback, r0)
                    DenseKernels.pullBack(
                        rowsOf: accumulated, count: n, transposedWeights: second.transposedWeights, rows: n0, columns: n1,
                        into: pulledBack)
                    for k in 0..<(n * n0) {
                        h0[k] = m0[k] - (decayOverAllSteps * (m0[k] - h0[k]) - stepSize * pulledBack[k])
                    }
                    for l in 0...top {
                        Self.computeEligibility(LayerView(base, layouts[l]), rows: r0, count: n, outputUnits: outputUnits)
                    }
                    r0 += n
                }
            }
        }
    }

    /// Whether `mapPropagateGram` does fewer multiply-adds than the direct ascent for layer 0
    /// (per row: n_1^2 T + 2 n_0 n_1 + n_0 n_1^2 / rows against 2 n_0 n_1 T; see there).
    static func gramAscentPays(firstHidden n0: Int, secondHidden n1: Int, rows: Int, steps: Int) -> Bool {
        let gram = Double(n1 * n1 * steps + 2 * n0 * n1) + Double(n0 * n1 * n1) / Double(rows)
        return gram < Double(2 * n0 * n1 * steps)
    }

    /// Rows per block of `mapPropagateBatched`: a block's activity (about 6 arrays of
    /// 64 + 32 + 2 values per row) and the weights stay in the L1 cache.
    static let mapBlockRows = 8

    /// `ascend` for rows r0..<r0+count: one block pull-back, then the update over the block.
    @inline(__always)
    static func ascend(_ layer: LayerView, above: LayerView, rows r0: Int, count: Int, stepSize: Double) {
        DenseKernels.pullBack(
            rowsOf: above.row(above.eligibility, r0), count: count, transposedWeights: above.transposedWeights,
            rows: above.inputs, columns: above.outputs, into: layer.row(layer.feedback, r0))
        let n = count * layer.outputs
        let h = layer.row(layer.value, r0), m = layer.row(layer.mean, r0), fromAbove = layer.row(layer.feedback, r0)
        let iv = layer.inverseVariance
        let iv4 = SIMD4<Double>(repeating: iv), step4 = SIMD4<Double>(repeating: stepSize)
        var k = 0
        while k + 4 <= n {
            let hk = DenseKernels.load4(h + k)
            DenseKernels.store4(hk + step4 * ((DenseKernels.load4(m + k) - hk) * iv4 + DenseKernels.load4(fromAbove + k)), h + k)
            k += 4
        }
        while k < n {
            h[k] += stepSize * ((m[k] - h[k]) * iv + fromAbove[k])
            k += 1
        }
    }

    /// One direct ascent step of hidden layers `lowest`..<top for rows r0..<r0+count: the
    /// errors of every layer above the first from the current values, then, top-down, each
    /// layer's update and the refresh of the layer above it (see `mapPropagateRowByRow`).
    @inline(__always)
    static func ascendBlock(
        base: UnsafeMutablePointer<Double>, layers: [LayerLayout], rows r0: Int, count n: Int, downTo lowest: Int,
        updateAdjustment: Double, activation: HiddenActivation, outputUnits: OutputUnits
    ) {
        let top = layers.count - 1
        for l in stride(from: 1, through: top, by: 1) {
            computeEligibility(LayerView(base, layers[l]), rows: r0, count: n, outputUnits: outputUnits)
        }
        var l = top - 1
        while l >= lowest {
            let layer = LayerView(base, layers[l]), above = LayerView(base, layers[l + 1])
            ascend(layer, above: above, rows: r0, count: n, stepSize: updateAdjustment * layer.variance)
            refresh(
                above, input: layer.row(layer.value, r0), rows: r0, count: n, activation: activation,
                outputUnits: outputUnits)
            l -= 1
        }
    }

    /// `refresh` for rows r0..<r0+count: the block's potentials, then means and slopes.
    @inline(__always)
    static func refresh(
        _ layer: LayerView, input: UnsafePointer<Double>, rows r0: Int, count: Int, activation: HiddenActivation,
        outputUnits: OutputUnits
    ) {
        DenseKernels.affine(
            rowsOf: input, count: count, weights: layer.weights, bias: layer.bias, rows: layer.inputs,
            columns: layer.outputs, into: layer.row(layer.potential, r0))
        activate(layer, rows: r0, count: count, activation: activation, outputUnits: outputUnits)
    }

    /// `computeEligibility` for rows r0..<r0+count, over the block.
    @inline(__always)
    static func computeEligibility(_ layer: LayerView, rows r0: Int, count: Int, outputUnits: OutputUnits) {
        let n = count * layer.outputs
        let h = layer.row(layer.value, r0), m = layer.row(layer.mean, r0), s = layer.row(layer.slope, r0)
        let e = layer.row(layer.eligibility, r0)
        var k = 0
        if layer.isOutput, case .softmax(let temperature) = outputUnits {
            let t4 = SIMD4<Double>(repeating: temperature)
            while k + 4 <= n {
                DenseKernels.store4((DenseKernels.load4(h + k) - DenseKernels.load4(m + k)) / t4, e + k)
                k += 4
            }
            while k < n {
                e[k] = (h[k] - m[k]) / temperature
                k += 1
            }
        } else {
            let iv = layer.inverseVariance
            let iv4 = SIMD4<Double>(repeating: iv)
            while k + 4 <= n {
                DenseKernels.store4(
                    (DenseKernels.load4(h + k) - DenseKernels.load4(m + k)) * DenseKernels.load4(s + k) * iv4, e + k)
                k += 4
            }
            while k < n {
                e[k] = (h[k] - m[k]) * s[k] * iv
                k += 1
            }
        }
    }
}
