// Credit assignment shared by the rules: the units' REINFORCE eligibilities and the
// critic's gates on them. (MAP propagation's ascent and the backpropagated errors are in
// `Rules/`.)

extension TeamNetwork {
    /// The unit-level REINFORCE eligibility of `layer`'s current value for row `r`,
    /// d log p(h_l | h_{l-1}) / d u_l:
    /// - Gaussian units: (h - m) f'(u) / var   (f' = 1 for the identity-mean output);
    /// - softmax unit:   (onehot(a) - softmax(u / temp)) / temp.
    @inline(__always)
    static func computeEligibility(_ layer: LayerView, row r: Int, outputUnits: OutputUnits) {
        let h = layer.row(layer.value, r), m = layer.row(layer.mean, r), s = layer.row(layer.slope, r)
        let e = layer.row(layer.eligibility, r)
        if layer.isOutput, case .softmax(let temperature) = outputUnits {
            for k in 0..<layer.outputs { e[k] = (h[k] - m[k]) / temperature }
        } else {
            let iv = layer.inverseVariance
            for k in 0..<layer.outputs { e[k] = (h[k] - m[k]) * s[k] * iv }
        }
    }

    /// Multiplies row `r`'s eligibilities by `hiddenGate` in the hidden layers and by
    /// `outputGate` in the output layer (the critic gates).
    mutating func gateEligibilities(row r: Int, hidden hiddenGate: Double, output outputGate: Double) {
        withStorage { base, layers, _ in
            for layout in layers {
                let layer = LayerView(base, layout)
                let e = layer.row(layer.eligibility, r)
                let gate = layout.isOutput ? outputGate : hiddenGate
                for k in 0..<layout.outputs { e[k] *= gate }
            }
        }
    }

    /// Sets unit k's eligibility in layer l, row r: for a rule that defines its own output
    /// eligibility and then carries it down with `backpropagate(.outputEligibilityAsSet)`.
    public mutating func setEligibility(layer l: Int, row r: Int, unit k: Int, _ e: Double) {
        let layout = layers[l]
        precondition(k >= 0 && k < layout.outputs && r >= 0 && r < batchSize, "unit or row out of range")
        storage[layout.eligibility + r * layout.outputs + k] = e
    }
}
