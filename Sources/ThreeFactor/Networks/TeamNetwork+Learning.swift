// Learning: eligibility traces and the Adam ascent step every rule shares.

extension TeamNetwork {
    /// Adds row 0's eligibilities to the traces after decaying them by `decay`:
    /// `Tw <- decay * Tw + h_{l-1} (outer) e_l`, `Tb <- decay * Tb + e_l`.
    public mutating func accumulateTraces(decay: Double) {
        precondition(batchSize == 1, "traces are kept for single-row (reinforcement-learning) networks")
        let inputCount = self.inputCount
        withStorage { base, layers, inputRows in
            for l in 0..<layers.count {
                let layer = LayerView(base, layers[l])
                let x = Self.input(of: l, row: 0, base: base, layers: layers, inputRows: inputRows, inputCount: inputCount)
                DenseKernels.decayAndAddOuter(
                    layer.weightTrace, decay: decay, x, layer.eligibility, rows: layer.inputs, columns: layer.outputs)
                for k in 0..<layer.outputs { layer.biasTrace[k] = decay * layer.biasTrace[k] + layer.eligibility[k] }
            }
        }
    }

    /// Sets every trace to zero (at the start of an episode).
    public mutating func clearTraces() {
        withStorage { base, layers, _ in
            for layout in layers {
                (base + layout.weightTrace).update(repeating: 0, count: layout.inputs * layout.outputs)
                (base + layout.biasTrace).update(repeating: 0, count: layout.outputs)
            }
        }
    }

    /// One Adam ascent step of every layer along `signal * trace`, with `learningRates[l]`
    /// for layer l. (A zero signal still moves the weights through Adam's momentum, as in the
    /// reference.)
    public mutating func learnFromTraces(signal: Double, learningRates: UnsafeBufferPointer<Double>) {
        precondition(learningRates.count == layers.count)
        let step = adamStep + 1
        let corrections = Adam.biasCorrections(step: step)
        withStorage { base, layers, _ in
            for l in 0..<layers.count {
                Self.adamUpdate(LayerView(base, layers[l]), scale: signal, learningRate: learningRates[l], corrections: corrections)
            }
        }
        adamStep = step
        refreshTransposedWeights()
        firstPotentialIsCurrent = false
    }

    /// One Adam ascent step along the batch-averaged gradient
    /// `(1/B) sum_r signal[r] * h_{l-1,r} (outer) e_{l,r}` (the supervised-style tasks, no traces).
    /// Uses the trace buffers as scratch.
    public mutating func learnFromBatch(signals: UnsafePointer<Double>, learningRates: UnsafeBufferPointer<Double>) {
        precondition(learningRates.count == layers.count)
        let inputCount = self.inputCount, rows = batchSize
        let step = adamStep + 1
        let corrections = Adam.biasCorrections(step: step)
        withStorage { base, layers, inputRows in
            let inverseRows = 1 / Double(rows)
            for l in 0..<layers.count {
                let layer = LayerView(base, layers[l])
                layer.weightTrace.update(repeating: 0, count: layer.inputs * layer.outputs)
                layer.biasTrace.update(repeating: 0, count: layer.outputs)
                for r in 0..<rows {
                    let e = layer.row(layer.eligibility, r)
                    let weight = signals[r] * inverseRows
                    for k in 0..<layer.outputs { e[k] *= weight }
                    for k in 0..<layer.outputs { layer.biasTrace[k] += e[k] }
                    // Once every row is scaled: all rows' outer products at once, each element
                    // summed in row order as `decayAndAddOuter(decay: 1)` row after row (same bits).
                    if r == rows - 1 {
                        let x = Self.input(of: l, row: 0, base: base, layers: layers, inputRows: inputRows, inputCount: inputCount)
                        DenseKernels.addOuterProducts(
                            layer.weightTrace, rowsOf: x, layer.eligibility, count: rows, rows: layer.inputs, columns: layer.outputs)
                    }
                }
                Self.adamUpdate(layer, scale: 1, learningRate: learningRates[l], corrections: corrections)
            }
        }
        adamStep = step
        refreshTransposedWeights()
        firstPotentialIsCurrent = false
    }

    @inline(__always)
    static func adamUpdate(
        _ layer: LayerView, scale: Double, learningRate: Double, corrections: (first: Double, second: Double)
    ) {
        Adam.ascend(
            parameters: layer.weights, gradient: layer.weightTrace, scale: scale,
            firstMoment: layer.weightFirstMoment, secondMoment: layer.weightSecondMoment,
            count: layer.inputs * layer.outputs, corrections: corrections, learningRate: learningRate)
        Adam.ascend(
            parameters: layer.bias, gradient: layer.biasTrace, scale: scale,
            firstMoment: layer.biasFirstMoment, secondMoment: layer.biasSecondMoment,
            count: layer.outputs, corrections: corrections, learningRate: learningRate)
    }
}
