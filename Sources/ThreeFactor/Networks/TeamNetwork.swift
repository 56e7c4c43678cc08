/// How a hidden unit's mean depends on its potential (the reference code's `l_type`).
public enum HiddenActivation: Int, Sendable, CaseIterable {
    /// softplus(u) = log(1 + e^u), slope sigmoid(u). The reference's `l_type = 0`.
    case softplus = 0
    /// max(u, 0), slope 1 for u >= 0. The reference's `l_type = 1`.
    case relu = 1
}

/// The output layer of a network of units.
public enum OutputUnits: Equatable, Sendable {
    /// One categorical unit choosing among the layer's outputs with probabilities
    /// softmax(u / temperature); its value is the one-hot vector of the choice.
    case softmax(temperature: Double)
    /// Gaussian units with identity mean: value ~ N(u, variance). Continuous actions and
    /// the critic's value (whose mean is the value estimate).
    case gaussian
}

/// A layered network of units: the team of the MAP propagation paper.
///
/// Layer `l` has weights `W_l` (inputs x outputs, Xavier-uniform initialised) and bias
/// `b_l` (zero). Its potential is `u_l = h_{l-1} W_l + b_l` with `h_0` the input. A hidden
/// unit is Gaussian: mean `m_l = f(u_l)`, value `h_l ~ N(m_l, var_l)` with one variance per
/// layer. The output layer is a softmax unit or Gaussian units with identity mean (see
/// `OutputUnits`). Every unit is an agent: it sees only its inputs, its own value and
/// mean, the units it projects to, and a global scalar.
///
/// The same structure, run with its hidden units at their means, is the deterministic
/// network that the backprop baseline trains.
///
/// What the learning rules add (in `Rules/`): how each unit's eligibility `e_l` is formed
/// from its activity (REINFORCE at the sampled values, MAP propagation after moving the
/// hidden values to their MAP estimate, or backpropagated errors), after which every rule
/// shares the same trace and update:
///
///     Tw_l <- lambda * Tw_l + h_{l-1} (outer) e_l,   Tb_l <- lambda * Tb_l + e_l
///     W_l  <- W_l + Adam(lr_l, gradient = signal * Tw_l)      (ascent)
///
/// Storage: all parameters, optimiser moments, traces and per-row activities live in one
/// contiguous `[Double]`; a step allocates nothing. `batchSize` rows of activity are kept
/// for the supervised-style tasks (batch 128); the reinforcement-learning agents use one row.
public struct TeamNetwork: Sendable {
    /// Offsets of one layer's arrays in `storage`.
    struct LayerLayout: Sendable {
        var inputs = 0, outputs = 0
        var weights = 0, bias = 0
        var weightFirstMoment = 0, weightSecondMoment = 0, biasFirstMoment = 0, biasSecondMoment = 0
        var weightTrace = 0, biasTrace = 0
        /// W^T (outputs x inputs), kept equal to the weights (layers above the first): the
        /// feedback pass e W^T reads it.
        var transposedWeights = 0
        /// Per-row activity: row r of `potential` starts at `potential + r * outputs`.
        var potential = 0, mean = 0, slope = 0, value = 0, eligibility = 0, meanField = 0, feedback = 0
        var variance = 1.0, inverseVariance = 1.0, standardDeviation = 1.0
        var isOutput = false

        var parameterCount: Int { inputs * outputs + outputs }
    }

    public let inputCount: Int
    public let hidden: [Int]
    public let outputCount: Int
    public let activation: HiddenActivation
    public let outputUnits: OutputUnits
    /// Variance of each layer's units, output layer included.
    public let variances: [Double]
    public let batchSize: Int

    var layers: [LayerLayout]
    /// Offset of the input rows (batchSize x inputCount).
    var inputRows = 0
    var storage: [Double]
    /// Number of Adam updates so far; every parameter array of the network is updated
    /// together, so the reference's per-array counters are all equal to this one.
    public internal(set) var adamStep = 0
    /// False after the weights changed: the first layer's potentials must be recomputed
    /// even though its input has not changed.
    var firstPotentialIsCurrent = false
    /// The stream from which the units draw their noise.
    var noise: RandomStream
    /// Scratch of the batched MAP ascent's Gram form (`mapPropagateGram`): G = W_1^T W_1 and
    /// one block's q, p, A and e_1 G. Overwritten before it is read, so it is not state and
    /// not checkpointed; empty unless the network has a batch and two hidden layers.
    var mapScratch: [Double]

    public var layerCount: Int { layers.count }

    /// - Parameters:
    ///   - initialization: the stream the weights are drawn from (consumed here).
    ///   - noise: the stream the units sample from for the rest of the run.
    public init(
        inputCount: Int, hidden: [Int], outputCount: Int, activation: HiddenActivation,
        outputUnits: OutputUnits, variances: [Double], batchSize: Int = 1,
        initialization: inout RandomStream, noise: RandomStream
    ) {
        precondition(inputCount > 0 && outputCount > 0 && hidden.allSatisfy { $0 > 0 }, "layer sizes must be positive")
        precondition(variances.count == hidden.count + 1, "one variance per layer, output included")
        precondition(variances.allSatisfy { $0 > 0 }, "variances must be positive")
        precondition(batchSize > 0)
        self.inputCount = inputCount
        self.hidden = hidden
        self.outputCount = outputCount
        self.activation = activation
        self.outputUnits = outputUnits
        self.variances = variances
        self.batchSize = batchSize
        self.noise = noise

        var offset = 0
        func take(_ n: Int) -> Int {
            defer { offset += n }
            return offset
        }
        inputRows = take(batchSize * inputCount)
        let sizes = [inputCount] + hidden + [outputCount]
        var layers: [LayerLayout] = []
        for l in 0..<(sizes.count - 1) {
            var layer = LayerLayout()
            layer.inputs = sizes[l]
            layer.outputs = sizes[l + 1]
            let nw = layer.inputs * layer.outputs, nb = layer.outputs
            layer.weights = take(nw)
            layer.bias = take(nb)
            layer.weightFirstMoment = take(nw)
            layer.weightSecondMoment = take(nw)
            layer.biasFirstMoment = take(nb)
            layer.biasSecondMoment = take(nb)
            layer.weightTrace = take(nw)
            layer.biasTrace = take(nb)
            layer.transposedWeights = take(nw)
            layer.potential = take(batchSize * nb)
            layer.mean = take(batchSize * nb)
            layer.slope = take(batchSize * nb)
            layer.value = take(batchSize * nb)
            layer.eligibility = take(batchSize * nb)
            layer.meanField = take(batchSize * nb)
            layer.feedback = take(batchSize * nb)
            layer.variance = variances[l]
            layer.inverseVariance = 1 / variances[l]
            layer.standardDeviation = variances[l].squareRoot()
            layer.isOutput = l == sizes.count - 2
            layers.append(layer)
        }
        self.layers = layers
        storage = Array(repeating: 0, count: offset)
        mapScratch = batchSize > 1 && hidden.count >= 2
            ? Array(repeating: 0, count: hidden[1] * hidden[1] + 4 * Self.mapBlockRows * hidden[1]) : []

        // Xavier/Glorot uniform: W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)); b = 0.
        for layer in layers {
            let limit = (6.0 / Double(layer.inputs + layer.outputs)).squareRoot()
            for k in 0..<(layer.inputs * layer.outputs) {
                storage[layer.weights + k] = initialization.uniform(-limit, limit)
            }
        }
        refreshTransposedWeights()
    }

    /// Copies the weights of every layer above the first into their transposed copy (after
    /// any change of weights); nothing is pulled back through the first layer.
    mutating func refreshTransposedWeights() {
        withStorage { base, layers, _ in
            for layout in layers.dropFirst() {
                let layer = LayerView(base, layout)
                DenseKernels.transpose(layer.weights, rows: layer.inputs, columns: layer.outputs, into: layer.transposedWeights)
            }
        }
    }

    // MARK: Pointers into storage

    /// Raw pointers to one layer's arrays; valid inside `withStorage` only.
    struct LayerView {
        let inputs: Int, outputs: Int
        let weights: UnsafeMutablePointer<Double>, bias: UnsafeMutablePointer<Double>
        let weightFirstMoment: UnsafeMutablePointer<Double>, weightSecondMoment: UnsafeMutablePointer<Double>
        let biasFirstMoment: UnsafeMutablePointer<Double>, biasSecondMoment: UnsafeMutablePointer<Double>
        let weightTrace: UnsafeMutablePointer<Double>, biasTrace: UnsafeMutablePointer<Double>
        let transposedWeights: UnsafeMutablePointer<Double>
        let potential: UnsafeMutablePointer<Double>, mean: UnsafeMutablePointer<Double>
        let slope: UnsafeMutablePointer<Double>, value: UnsafeMutablePointer<Double>
        let eligibility: UnsafeMutablePointer<Double>, meanField: UnsafeMutablePointer<Double>
        /// Scratch: what a layer receives from the layer above (e_{l+1} W_{l+1}^T).
        let feedback: UnsafeMutablePointer<Double>
        let variance: Double, inverseVariance: Double, standardDeviation: Double
        let isOutput: Bool

        @inline(__always)
        init(_ base: UnsafeMutablePointer<Double>, _ l: LayerLayout) {
            inputs = l.inputs
            outputs = l.outputs
            weights = base + l.weights
            bias = base + l.bias
            weightFirstMoment = base + l.weightFirstMoment
            weightSecondMoment = base + l.weightSecondMoment
            biasFirstMoment = base + l.biasFirstMoment
            biasSecondMoment = base + l.biasSecondMoment
            weightTrace = base + l.weightTrace
            biasTrace = base + l.biasTrace
            transposedWeights = base + l.transposedWeights
            potential = base + l.potential
            mean = base + l.mean
            slope = base + l.slope
            value = base + l.value
            eligibility = base + l.eligibility
            meanField = base + l.meanField
            feedback = base + l.feedback
            variance = l.variance
            inverseVariance = l.inverseVariance
            standardDeviation = l.standardDeviation
            isOutput = l.isOutput
        }

        /// Row `r` of a per-row array of this layer.
        @inline(__always)
        func row(_ array: UnsafeMutablePointer<Double>, _ r: Int) -> UnsafeMutablePointer<Double> {
            array + r * outputs
        }
    }

    /// Runs `body` with the storage's base address, the layer layouts and the input rows.
    /// The layouts are passed in so that the closure does not capture `self`.
    @inline(__always)
    mutating func withStorage<R>(
        _ body: (UnsafeMutablePointer<Double>, [LayerLayout], UnsafeMutablePointer<Double>) throws -> R
    ) rethrows -> R {
        let layers = self.layers
        let inputRows = self.inputRows
        return try storage.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            return try body(base, layers, base + inputRows)
        }
    }

    // MARK: Activity (shared by every rule)

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

    // MARK: Public interface

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

    /// True when every weight and bias is finite.
    public var parametersAreFinite: Bool {
        for layout in layers {
            for k in 0..<(layout.inputs * layout.outputs) where !storage[layout.weights + k].isFinite { return false }
            for k in 0..<layout.outputs where !storage[layout.bias + k].isFinite { return false }
        }
        return true
    }
}

extension TeamNetwork: Checkpointable {
    /// Saves everything that evolves: parameters, Adam moments and step, traces, the last
    /// activity, the potential flag and the noise stream. Shapes come from the configuration.
    public func save(to archive: inout StateArchive) {
        archive.append(storage)
        archive.append(adamStep)
        archive.append(firstPotentialIsCurrent)
        noise.save(to: &archive)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try reader.doubles(into: &storage)
        adamStep = try reader.int()
        firstPotentialIsCurrent = try reader.bool()
        try noise.load(from: &reader)
    }
}
