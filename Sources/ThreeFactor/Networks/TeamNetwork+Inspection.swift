/// Reading and setting a network's parameters and activity: for the tests of a rule (the
/// toolkit's and those of a rule written in another package) and for pictures. Every getter
/// returns a copy, so none belongs inside a step.
extension TeamNetwork {
    /// A copy of layer l's weights (inputs x outputs, row-major).
    public func weights(layer l: Int) -> [Double] {
        let layout = layers[l]
        return Array(storage[layout.weights..<(layout.weights + layout.inputs * layout.outputs)])
    }

    /// A copy of layer l's biases.
    public func bias(layer l: Int) -> [Double] {
        let layout = layers[l]
        return Array(storage[layout.bias..<(layout.bias + layout.outputs)])
    }

    /// Overwrites layer l's weights (inputs x outputs, row-major).
    public mutating func setWeights(layer l: Int, _ w: [Double]) {
        let layout = layers[l]
        precondition(w.count == layout.inputs * layout.outputs)
        for k in 0..<w.count { storage[layout.weights + k] = w[k] }
        refreshTransposedWeights()
        firstPotentialIsCurrent = false
    }

    /// Overwrites layer l's biases.
    public mutating func setBias(layer l: Int, _ b: [Double]) {
        let layout = layers[l]
        precondition(b.count == layout.outputs)
        for k in 0..<b.count { storage[layout.bias + k] = b[k] }
        firstPotentialIsCurrent = false
    }

    /// A copy of layer l's weight trace (laid out like the weights).
    public func weightTrace(layer l: Int) -> [Double] {
        let layout = layers[l]
        return Array(storage[layout.weightTrace..<(layout.weightTrace + layout.inputs * layout.outputs)])
    }

    /// A copy of layer l's bias trace.
    public func biasTrace(layer l: Int) -> [Double] {
        let layout = layers[l]
        return Array(storage[layout.biasTrace..<(layout.biasTrace + layout.outputs)])
    }

    /// A per-unit quantity of a layer.
    public enum Activity: Sendable {
        /// `u_l = h_{l-1} W_l + b_l`.
        case potential
        /// `m_l`: `f(u_l)` for a hidden layer, `u_l` for Gaussian output units, the softmax
        /// probabilities for a softmax output.
        case mean
        /// `f'(u_l)`, the derivative of the mean (1 for Gaussian output units; not kept for a
        /// softmax output).
        case slope
        /// `h_l`: the sampled, MAP-moved or set value; the one-hot choice for a softmax output.
        case value
        /// `e_l`: the eligibility the rule formed last (zero in a new network).
        case eligibility
    }

    /// A copy of layer l's potentials, means, slopes, values or eligibilities for row r.
    public func activity(_ kind: Activity, layer l: Int, row r: Int = 0) -> [Double] {
        let layout = layers[l]
        let start: Int
        switch kind {
        case .potential: start = layout.potential
        case .mean: start = layout.mean
        case .slope: start = layout.slope
        case .value: start = layout.value
        case .eligibility: start = layout.eligibility
        }
        let o = start + r * layout.outputs
        return Array(storage[o..<(o + layout.outputs)])
    }

    /// Overwrites the values of hidden layer l, row r (set a state, then infer).
    public mutating func setValues(layer l: Int, row r: Int = 0, _ h: [Double]) {
        let layout = layers[l]
        precondition(h.count == layout.outputs)
        for k in 0..<h.count { storage[layout.value + r * layout.outputs + k] = h[k] }
    }

    /// Recomputes every layer's potential, mean and slope from the current values (the
    /// values themselves are kept).
    public mutating func refreshAll() {
        let activation = self.activation, outputUnits = self.outputUnits
        let inputCount = self.inputCount, rows = batchSize
        withStorage { base, layers, inputRows in
            for r in 0..<rows {
                for l in 0..<layers.count {
                    let x = Self.input(of: l, row: r, base: base, layers: layers, inputRows: inputRows, inputCount: inputCount)
                    Self.refresh(LayerView(base, layers[l]), input: x, row: r, activation: activation, outputUnits: outputUnits)
                }
            }
        }
        firstPotentialIsCurrent = true
    }

    /// `log p(h_1, ..., h_{L-1}, a | x)` up to constants, for row r: the sum over Gaussian
    /// layers of `-(h - m)^2 / (2 var)` and, for a softmax output, `log softmax(u/temp)[a]`.
    /// (Computed from the stored potentials and means; call `refreshAll` first.)
    public func logJoint(row r: Int = 0) -> Double {
        var total = 0.0
        for layout in layers {
            let o = r * layout.outputs
            if layout.isOutput, case .softmax(let temperature) = outputUnits {
                // log softmax of the chosen action, without the reference's clamp.
                var largest = -Double.infinity
                for k in 0..<layout.outputs { largest = max(largest, storage[layout.potential + o + k] / temperature) }
                var sum = 0.0
                for k in 0..<layout.outputs { sum += _exp(storage[layout.potential + o + k] / temperature - largest) }
                let a = chosenAction(row: r)
                total += storage[layout.potential + o + a] / temperature - largest - _log(sum)
            } else {
                for k in 0..<layout.outputs {
                    let d = storage[layout.value + o + k] - storage[layout.mean + o + k]
                    total -= d * d * layout.inverseVariance / 2
                }
            }
        }
        return total
    }
}
