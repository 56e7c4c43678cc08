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
/// This file holds the storage; the forward pass, the eligibilities, the traces and Adam,
/// and checkpointing are in `TeamNetwork+Forward`, `+Eligibility`, `+Learning` and
/// `+Checkpoint`.
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

    /// The length of the input vector.
    public let inputCount: Int
    /// Units per hidden layer, input side first.
    public let hidden: [Int]
    /// The number of output units.
    public let outputCount: Int
    /// The hidden units' activation function.
    public let activation: HiddenActivation
    /// What the output units are (softmax choice, Gaussian, ...).
    public let outputUnits: OutputUnits
    /// Variance of each layer's units, output layer included.
    public let variances: [Double]
    /// Rows of activity kept: the number of samples processed together (1 for the agents, the
    /// batch size for the supervised-style tasks).
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

    /// The number of weight layers, the output layer included.
    public var layerCount: Int { layers.count }

    /// A network with freshly drawn weights, zero Adam moments and zero traces.
    ///
    /// - Parameters:
    ///   - inputCount: the length of the input vector.
    ///   - hidden: units per hidden layer, input side first.
    ///   - outputCount: the number of output units.
    ///   - activation: the hidden units' activation function.
    ///   - outputUnits: what the output units are.
    ///   - variances: the variance of each layer's units, output layer last (one per layer).
    ///   - batchSize: rows of activity to keep (samples processed together).
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

        /// The views of layer `l` in `base`; with `lanes` > 1, of the lane-interleaved copy of
        /// that storage (`LockstepTeamNetwork`), where every offset is `lanes` times the
        /// single network's and `row` is not used.
        @inline(__always)
        init(_ base: UnsafeMutablePointer<Double>, _ l: LayerLayout, lanes: Int = 1) {
            inputs = l.inputs
            outputs = l.outputs
            weights = base + l.weights * lanes
            bias = base + l.bias * lanes
            weightFirstMoment = base + l.weightFirstMoment * lanes
            weightSecondMoment = base + l.weightSecondMoment * lanes
            biasFirstMoment = base + l.biasFirstMoment * lanes
            biasSecondMoment = base + l.biasSecondMoment * lanes
            weightTrace = base + l.weightTrace * lanes
            biasTrace = base + l.biasTrace * lanes
            transposedWeights = base + l.transposedWeights * lanes
            potential = base + l.potential * lanes
            mean = base + l.mean * lanes
            slope = base + l.slope * lanes
            value = base + l.value * lanes
            eligibility = base + l.eligibility * lanes
            meanField = base + l.meanField * lanes
            feedback = base + l.feedback * lanes
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

    /// True when every weight and bias is finite.
    public var parametersAreFinite: Bool {
        for layout in layers {
            for k in 0..<(layout.inputs * layout.outputs) where !storage[layout.weights + k].isFinite { return false }
            for k in 0..<layout.outputs where !storage[layout.bias + k].isFinite { return false }
        }
        return true
    }
}
