/// The deep feed-forward network of the authors' closed-loop deep learning library
/// (github.com/Sama-Darya/CLDL, `Neuron.cpp`, `Layer.cpp`, `Net.cpp`), which the SaR and
/// GDM rules train.
///
/// - Neuron: `h_j = sum_i w_ji x_i` (no bias), output `f(h) = 1 / (1 + exp(-h)) - 0.5`
///   in (-0.5, 0.5), derivative `f'(h) = (0.5 + f)(0.5 - f)`.
/// - First layer: the weighted sum is divided by `firstLayerScale` (the library's
///   `weightBoost` = 1000) and that layer's weight change is multiplied by it. The library
///   says this is so that its first-layer weights are large enough to be looked at as a
///   grey-scale image; the effect on learning is that the first layer moves
///   `firstLayerScale^2` times faster, relative to its gradient, than the other layers.
/// - Weights start uniform in [0, 1), drawn layer by layer, neuron by neuron, input by
///   input (the library's `W_RANDOM`, without its commented-out `* 2 - 1`).
/// - Learning works on the activities of the LAST forward pass: in the closed loop the
///   error measured now is caused by the action the network took at the previous step, so
///   the rules call `backpropagate` / `propagateSigns` and `applyUpdate` before the new
///   forward pass (as `run.cpp` of the authors' simulator does).
///
/// The error `E` is injected into EVERY output neuron (the library's
/// `setInternalErrors(controlError)` on the last layer), whatever the read-out weights
/// of the outputs in the motor command. Relative to gradient descent this means the
/// learning signal is the gradient of `y = sum_k o_k`: with `E = T - y` for a fixed
/// target `T`, `delta` is `-d(E^2/2)/dh`. (The library's back-propagation loop also uses
/// `E` in place of the first output neuron's delta for one term — an indexing slip in
/// `Net::customBackProp`; not reproduced here.)
///
/// Storage is flat: the weights of layer `l` are a row-major block `[neurons x inputs]`
/// at `weightOffset[l]`; per-neuron values of layer `l` start at `neuronOffset[l]`.
public struct ClosedLoopNetwork: Sendable {
    /// The number of network inputs (the filter bank's outputs).
    public let inputCount: Int
    /// Neurons per layer, input side first; the last layer is the output layer.
    public let layerSizes: [Int]
    /// The divisor of the first layer's weighted sum, which also multiplies that layer's weight
    /// change (the library's `weightBoost`, 1000).
    public let firstLayerScale: Double

    /// All weights, layer by layer, each layer a row-major `[neurons x inputs]` block.
    public internal(set) var weights: [Double]
    /// The weights as drawn at construction, for the distance-from-start series.
    public let initialWeights: [Double]
    let weightOffset: [Int]
    let neuronOffset: [Int]
    /// Inputs of every layer in the last forward pass: the network input, then each
    /// layer's output (`activity[inputOffset[l] ..< + fanIn(l)]` feeds layer `l`).
    var activity: [Double]
    let inputOffset: [Int]
    /// Weighted sums `h` of the last forward pass (first layer already divided).
    var sums: [Double]
    /// Back-propagated error `delta_j = (sum_k w_kj delta_k) f'(h_j)`, output `E f'(h_j)`.
    public internal(set) var deltas: [Double]
    /// The sign factors `s_j in {-1, 0, +1}` of sign-propagation.
    public internal(set) var signs: [Double]

    /// The number of layers, the output layer included.
    public var layerCount: Int { layerSizes.count }

    /// A network with `layerSizes` neurons per layer (the last is the output layer),
    /// weights drawn from `rng`.
    public init(inputCount: Int, layerSizes: [Int], firstLayerScale: Double = 1000, rng: inout RandomStream) {
        precondition(inputCount > 0 && !layerSizes.isEmpty && layerSizes.allSatisfy { $0 > 0 })
        self.inputCount = inputCount
        self.layerSizes = layerSizes
        self.firstLayerScale = firstLayerScale
        var wOff: [Int] = [], nOff: [Int] = [], iOff: [Int] = []
        var w = 0, n = 0, a = 0
        var fanIn = inputCount
        for size in layerSizes {
            wOff.append(w)
            nOff.append(n)
            iOff.append(a)
            w += size * fanIn
            n += size
            a += fanIn
            fanIn = size
        }
        weightOffset = wOff
        neuronOffset = nOff
        inputOffset = iOff
        var initial = [Double](repeating: 0, count: w)
        for k in 0..<w { initial[k] = rng.uniform() }
        weights = initial
        initialWeights = initial
        activity = Array(repeating: 0, count: a + layerSizes[layerSizes.count - 1])
        sums = Array(repeating: 0, count: n)
        deltas = sums
        signs = sums
    }

    /// Inputs of layer `l`.
    @inline(__always) public func fanIn(_ l: Int) -> Int { l == 0 ? inputCount : layerSizes[l - 1] }

    /// Output `k` of the last forward pass.
    @inline(__always) public func output(_ k: Int) -> Double {
        let last = layerSizes.count - 1
        return activity[inputOffset[last] + fanIn(last) + k]
    }

    /// The activation `f(h) = sigmoid(h) - 0.5`.
    @inline(__always) public static func activation(_ h: Double) -> Double {
        1 / (1 + closedLoopExp(-h)) - 0.5
    }

    /// `f'(h)` from the output `f(h)`: `(0.5 + f)(0.5 - f)`.
    @inline(__always) public static func derivative(fromOutput f: Double) -> Double {
        (0.5 + f) * (0.5 - f)
    }

    /// Propagates `input` forward and stores every layer's sums and outputs.
    public mutating func forward(_ input: UnsafeBufferPointer<Double>) {
        precondition(input.count == inputCount)
        let layers = layerSizes.count
        let scale = firstLayerScale
        weights.withUnsafeBufferPointer { w in
            activity.withUnsafeMutableBufferPointer { act in
                sums.withUnsafeMutableBufferPointer { h in
                    for i in 0..<inputCount { act[i] = input[i] }
                    var fanIn = inputCount
                    for l in 0..<layers {
                        let size = layerSizes[l]
                        let inBase = inputOffset[l]
                        let outBase = inBase + fanIn
                        let wBase = weightOffset[l]
                        let nBase = neuronOffset[l]
                        for j in 0..<size {
                            var sum = Self.dot(act.baseAddress! + inBase, w.baseAddress! + wBase + j * fanIn, fanIn)
                            if l == 0 { sum /= scale }
                            h[nBase + j] = sum
                            act[outBase + j] = Self.activation(sum)
                        }
                        fanIn = size
                    }
                }
            }
        }
    }

    /// `sum_i a[i] b[i]` with four SIMD lanes of partial sums (the order of additions is
    /// fixed, so results are the same on every run and platform).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        var acc0 = SIMD4<Double>(repeating: 0), acc1 = SIMD4<Double>(repeating: 0)
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i + 8 <= n {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
                * rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: (i + 4) * 8, as: SIMD4<Double>.self)
                * rb.loadUnaligned(fromByteOffset: (i + 4) * 8, as: SIMD4<Double>.self)
            i += 8
        }
        var sum = (acc0 + acc1).sum()
        while i < n {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// Runs a forward pass on `input` (`inputCount` values) and keeps its activities and sums
    /// for the next update.
    public mutating func forward(_ input: [Double]) {
        input.withUnsafeBufferPointer { forward($0) }
    }

    /// Ordinary back-propagation of the closed-loop error `E` through the last forward
    /// pass: `delta_j = E f'(h_j)` in the output layer, `delta_j = (sum_k w_kj delta_k)
    /// f'(h_j)` below. Fills `deltas`.
    public mutating func backpropagate(error: Double) {
        let layers = layerSizes.count
        weights.withUnsafeBufferPointer { w in
            activity.withUnsafeBufferPointer { act in
                deltas.withUnsafeMutableBufferPointer { d in
                    let last = layers - 1
                    let outBase = inputOffset[last] + (last == 0 ? inputCount : layerSizes[last - 1])
                    for j in 0..<layerSizes[last] {
                        d[neuronOffset[last] + j] = error * Self.derivative(fromOutput: act[outBase + j])
                    }
                    var l = last
                    while l > 0 {
                        let above = l, below = l - 1
                        let sizeAbove = layerSizes[above], sizeBelow = layerSizes[below]
                        let wBase = weightOffset[above]
                        let dAbove = neuronOffset[above], dBelow = neuronOffset[below]
                        let outBelow = inputOffset[below] + (below == 0 ? inputCount : layerSizes[below - 1])
                        for j in 0..<sizeBelow {
                            var sum = 0.0
                            for k in 0..<sizeAbove { sum += w[wBase + k * sizeBelow + j] * d[dAbove + k] }
                            d[dBelow + j] = sum * Self.derivative(fromOutput: act[outBelow + j])
                        }
                        l -= 1
                    }
                }
            }
        }
    }

    /// Sign-only propagation (SaR variant (a)): `s_j = sign(E f'(h_j))` in the output
    /// layer, `s_j = sign((sum_k w_kj s_k) f'(h_j))` below. Only signs travel down: no
    /// layer sees the size of the error or of another layer's error. Fills `signs`.
    public mutating func propagateSigns(error: Double) {
        let layers = layerSizes.count
        weights.withUnsafeBufferPointer { w in
            activity.withUnsafeBufferPointer { act in
                signs.withUnsafeMutableBufferPointer { s in
                    let last = layers - 1
                    let outBase = inputOffset[last] + (last == 0 ? inputCount : layerSizes[last - 1])
                    for j in 0..<layerSizes[last] {
                        s[neuronOffset[last] + j] = Self.sign(error * Self.derivative(fromOutput: act[outBase + j]))
                    }
                    var l = last
                    while l > 0 {
                        let above = l, below = l - 1
                        let sizeAbove = layerSizes[above], sizeBelow = layerSizes[below]
                        let wBase = weightOffset[above]
                        let sAbove = neuronOffset[above], sBelow = neuronOffset[below]
                        let outBelow = inputOffset[below] + (below == 0 ? inputCount : layerSizes[below - 1])
                        for j in 0..<sizeBelow {
                            var sum = 0.0
                            for k in 0..<sizeAbove { sum += w[wBase + k * sizeBelow + j] * s[sAbove + k] }
                            s[sBelow + j] = Self.sign(sum * Self.derivative(fromOutput: act[outBelow + j]))
                        }
                        l -= 1
                    }
                }
            }
        }
    }

    /// Replaces `signs` by the signs of `deltas` (SaR variant (b), the library's `Sign`
    /// error method: the exact delta travels down, only the local update uses its sign).
    public mutating func signsFromDeltas() {
        deltas.withUnsafeBufferPointer { d in
            signs.withUnsafeMutableBufferPointer { s in
                for j in 0..<d.count { s[j] = Self.sign(d[j]) }
            }
        }
    }

    /// Which per-neuron factor the weight change uses.
    public enum LearningSignal: Sendable {
        /// The back-propagated errors `delta_j` (gradient descent, GDM).
        case deltas
        /// The sign factors `s_j` (Sign and Relevance learning).
        case signs
    }

    /// `w_ji += rate * factor_j * x_i` for every synapse, times `firstLayerScale` in the
    /// first layer, `x_i` being the synapse's input in the last forward pass.
    public mutating func applyUpdate(rate: Double, using signal: LearningSignal) {
        let shape = UpdateShape(
            inputCount: inputCount, layerSizes: layerSizes, inputOffset: inputOffset,
            weightOffset: weightOffset, neuronOffset: neuronOffset, firstLayerScale: firstLayerScale)
        activity.withUnsafeBufferPointer { act in
            weights.withUnsafeMutableBufferPointer { w in
                switch signal {
                case .deltas: deltas.withUnsafeBufferPointer { Self.update(w, act, $0, rate: rate, shape) }
                case .signs: signs.withUnsafeBufferPointer { Self.update(w, act, $0, rate: rate, shape) }
                }
            }
        }
    }

    struct UpdateShape {
        let inputCount: Int
        let layerSizes: [Int]
        let inputOffset: [Int]
        let weightOffset: [Int]
        let neuronOffset: [Int]
        let firstLayerScale: Double
    }

    @inline(__always)
    static func update(
        _ w: UnsafeMutableBufferPointer<Double>, _ act: UnsafeBufferPointer<Double>,
        _ g: UnsafeBufferPointer<Double>, rate: Double, _ shape: UpdateShape
    ) {
        var fanIn = shape.inputCount
        for l in 0..<shape.layerSizes.count {
            let size = shape.layerSizes[l]
            let inBase = shape.inputOffset[l]
            let wBase = shape.weightOffset[l]
            let nBase = shape.neuronOffset[l]
            let layerRate = l == 0 ? rate * shape.firstLayerScale : rate
            for j in 0..<size {
                let factor = layerRate * g[nBase + j]
                if factor == 0 { continue }
                let row = wBase + j * fanIn
                for i in 0..<fanIn { w[row + i] += factor * act[inBase + i] }
            }
            fanIn = size
        }
    }

    @inline(__always) static func sign(_ v: Double) -> Double { v > 0 ? 1 : (v < 0 ? -1 : 0) }

    /// Euclidean distance of layer `l`'s weights from their initial values.
    public func weightDistance(layer l: Int) -> Double {
        let start = weightOffset[l]
        let end = l + 1 < layerSizes.count ? weightOffset[l + 1] : weights.count
        var sum = 0.0
        for k in start..<end {
            let d = weights[k] - initialWeights[k]
            sum += d * d
        }
        return sum.squareRoot()
    }

    /// Sets all weights (e.g. learned weights copied from another run).
    public mutating func setWeights(_ newWeights: [Double]) {
        precondition(newWeights.count == weights.count, "expected \(weights.count) weights")
        weights = newWeights
    }

    /// True when a weight is NaN or infinite.
    public var hasNonFiniteWeights: Bool {
        weights.withUnsafeBufferPointer { w in
            for v in w where !v.isFinite { return true }
            return false
        }
    }
}

extension ClosedLoopNetwork: Checkpointable {
    /// Saves the weights and everything the next update depends on (the last forward
    /// pass); the initial weights are re-drawn from the seed, not stored.
    public func save(to archive: inout StateArchive) {
        archive.append(weights)
        archive.append(activity)
        archive.append(sums)
    }

    /// Restores what `save(to:)` wrote, into a network built from the same seed and shape.
    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try reader.doubles(into: &weights)
        try reader.doubles(into: &activity)
        try reader.doubles(into: &sums)
    }
}
