// Forward sampling: every layer's potential, mean and slope from the layer below, then its
// value, and what the agents read from the output layer.

extension TeamNetwork {
    /// Mean and slope of `layer` for row `r` from its potential.
    @inline(__always)
    static func activate(_ layer: LayerView, row r: Int, activation: HiddenActivation, outputUnits: OutputUnits) {
        activate(layer, rows: r, count: 1, activation: activation, outputUnits: outputUnits)
    }

    /// Means and slopes of `layer` for rows r0..<r0+count (contiguous) from their potentials;
    /// every unit is computed on its own, so a block gives the same bits as its rows one by one.
    @inline(__always)
    static func activate(
        _ layer: LayerView, rows r0: Int, count: Int, activation: HiddenActivation, outputUnits: OutputUnits
    ) {
        let u = layer.row(layer.potential, r0), m = layer.row(layer.mean, r0), s = layer.row(layer.slope, r0)
        let n = count * layer.outputs
        if layer.isOutput {
            switch outputUnits {
            case .softmax(let temperature):
                for r in 0..<count {
                    let o = r * layer.outputs
                    UnitFunctions.softmax(u + o, temperature: temperature, probabilities: m + o, count: layer.outputs)
                }
            case .gaussian:
                m.update(from: u, count: n)
                s.update(repeating: 1, count: n)
            }
        } else {
            switch activation {
            case .softplus: UnitFunctions.softplusWithSlope(u, mean: m, slope: s, count: n)
            case .relu: UnitFunctions.reluWithSlope(u, mean: m, slope: s, count: n)
            }
        }
    }

    /// Recomputes `layer`'s potential, mean and slope for row `r` from `input`.
    @inline(__always)
    static func refresh(
        _ layer: LayerView, input: UnsafePointer<Double>, row r: Int,
        activation: HiddenActivation, outputUnits: OutputUnits
    ) {
        DenseKernels.affine(
            input, weights: layer.weights, bias: layer.bias, rows: layer.inputs, columns: layer.outputs,
            into: layer.row(layer.potential, r))
        activate(layer, row: r, activation: activation, outputUnits: outputUnits)
    }

    /// The input of layer `l` for row `r`: the value of layer l-1, or the network's input.
    @inline(__always)
    static func input(
        of l: Int, row r: Int, base: UnsafeMutablePointer<Double>, layers: [LayerLayout],
        inputRows: UnsafeMutablePointer<Double>, inputCount: Int
    ) -> UnsafeMutablePointer<Double> {
        if l == 0 { return inputRows + r * inputCount }
        let below = layers[l - 1]
        return base + below.value + r * below.outputs
    }

    /// Copies one input row (of `inputCount` values) into row `r`.
    public mutating func setInput(row r: Int, _ x: UnsafePointer<Double>) {
        precondition(r < batchSize)
        let offset = inputRows + r * inputCount
        let n = inputCount
        storage.withUnsafeMutableBufferPointer { ($0.baseAddress! + offset).update(from: x, count: n) }
    }

    /// Forward pass for every row: each layer's potential and mean from the layer below,
    /// then its value. Hidden units sample `N(m, var)` when `hiddenNoise` is true (the team)
    /// and sit at their means otherwise (the deterministic network of the backprop
    /// baseline). The output layer always samples: one-hot of a softmax draw, or N(m, var).
    public mutating func forward(hiddenNoise: Bool = true) {
        let activation = self.activation, outputUnits = self.outputUnits
        let inputCount = self.inputCount, rows = batchSize
        var noise = self.noise
        withStorage { base, layers, inputRows in
            for r in 0..<rows {
                for l in 0..<layers.count {
                    let layer = LayerView(base, layers[l])
                    let x = Self.input(of: l, row: r, base: base, layers: layers, inputRows: inputRows, inputCount: inputCount)
                    Self.refresh(layer, input: x, row: r, activation: activation, outputUnits: outputUnits)
                    let m = layer.row(layer.mean, r), h = layer.row(layer.value, r)
                    if layer.isOutput, case .softmax = outputUnits {
                        let choice = noise.categorical(UnsafeBufferPointer(start: m, count: layer.outputs))
                        h.update(repeating: 0, count: layer.outputs)
                        h[choice] = 1
                    } else if layer.isOutput || hiddenNoise {
                        // Ziggurat normals: one 64-bit word per draw in 99 % of draws; Box–Muller's
                        // log, sin and cos were 6 % of a MAP-propagation step (callgrind).
                        noise.fillZigguratNormals(h, count: layer.outputs, scale: layer.standardDeviation)
                        for k in 0..<layer.outputs { h[k] = m[k] + h[k] }
                    } else {
                        h.update(from: m, count: layer.outputs)
                    }
                }
            }
        }
        self.noise = noise
        firstPotentialIsCurrent = true
    }

    /// Output unit `k`'s mean for row `r` (the value estimate of a critic).
    @inline(__always)
    public func outputMean(row r: Int = 0, unit k: Int = 0) -> Double {
        let l = layers[layers.count - 1]
        return storage[l.mean + r * l.outputs + k]
    }

    /// Output unit `k`'s value for row `r` (a continuous action, the critic's sampled value).
    @inline(__always)
    public func outputValue(row r: Int = 0, unit k: Int = 0) -> Double {
        let l = layers[layers.count - 1]
        return storage[l.value + r * l.outputs + k]
    }

    /// The action chosen by the softmax unit for row `r`.
    public func chosenAction(row r: Int = 0) -> Int {
        let l = layers[layers.count - 1]
        var best = 0
        for k in 0..<l.outputs where storage[l.value + r * l.outputs + k] > storage[l.value + r * l.outputs + best] {
            best = k
        }
        return best
    }
}
