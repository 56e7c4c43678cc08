/// A bias-free multilayer perceptron with a softmax output: the stochastic policy of the
/// noise-based reward-modulated learning paper (García Fernández, Ahmad & van Gerven,
/// "Noise-based reward-modulated learning", arXiv:2503.23972) and of its baselines — or,
/// for continuous actions, with a Gaussian head (see `Head`).
///
/// - Layers `l = 1...L` map `x_{l-1}` (with `x_0` the raw observation) to the
///   pre-activation `a_l = W_l x_{l-1}`; hidden layers apply LeakyReLU with slope 0.1 for
///   negative inputs, the output layer a softmax (`Head.softmax`) or nothing
///   (`Head.gaussian`: `a_L` is the mean of the action). There are no biases, as in the
///   authors' code (`nn.Linear(..., bias=False)`).
/// - `W_l` has `n_l` rows and `n_{l-1}` columns, drawn Xavier-normal
///   (`N(0, 2 / (n_{l-1} + n_l))`, PyTorch's `xavier_normal_` with gain 1).
/// - Two passes share the weights: a clean pass and a noisy pass that adds
///   `xi_l ~ N(0, sigma^2 I)` to the pre-activation of EVERY layer, the output included,
///   before the nonlinearity. The noisy pass keeps `a_l` with the noise included and the
///   noise itself, so that a rule can read either.
/// - The softmax subtracts the largest logit and log-probabilities are formed as
///   `a_L[k] - logsumexp(a_L)`: the authors' softmax exponentiates raw logits, which
///   overflows (NaN) for logits near 90 in float32; here no finite logit gives a NaN.
///
/// Storage: every per-unit quantity (pre-activation, activity, noise) lives in one flat
/// `[Double]` per pass with layer `l` at `unitOffset[l] ..< unitOffset[l] + n_l`; layer 0
/// is the input (its pre-activation and noise slots are unused). Weights of all layers are
/// one flat row-major array with layer `l` at `weightOffset[l - 1]`. All buffers are
/// allocated once; a pass allocates nothing.
public struct PolicyMLP: Sendable {
    /// `[n_0 (inputs), n_1, ..., n_L (actions)]`.
    public let layerSizes: [Int]
    /// Start of layer `l`'s units in the per-unit buffers, for `l = 0...L`, plus the total.
    public let unitOffset: [Int]
    /// Start of `W_l` (`l = 1...L`) at index `l - 1`, plus the total weight count.
    public let weightOffset: [Int]
    /// Slope of LeakyReLU for negative pre-activations.
    public static let negativeSlope = 0.1

    /// What the output layer's pre-activation `a_L` parameterises.
    ///
    /// - `softmax`: a categorical policy over `n_L` actions, `pi(k) = softmax(a_L)[k]`.
    /// - `gaussian(standardDeviation: sigma_a)`: the Gaussian unit of Williams, "Simple
    ///   statistical gradient-following algorithms for connectionist reinforcement
    ///   learning", Machine Learning 8, 1992, Section 6, with a fixed standard deviation and
    ///   `n_L` action dimensions: the output is linear, `mu = a_L`, and
    ///
    ///       u ~ N(mu, sigma_a^2 I),
    ///       log pi(u) = -||u - mu||^2 / (2 sigma_a^2) - n_L (log sigma_a + log(2 pi) / 2),
    ///       d log pi(u) / d mu = (u - mu) / sigma_a^2.
    ///
    ///   The output activity `x_L` holds `mu` (a copy of `a_L`) and `logSumExp` is 0. The
    ///   sample `u` is in the network's own units; `PolicyGradientAgent` maps it to the
    ///   task's box (and clips it there) after the log-probability is taken.
    ///
    ///   Numerical hazard: the score `(u - mu) / sigma_a^2` has size `1 / sigma_a`, so a
    ///   small `sigma_a` makes every REINFORCE step, and NRL's `D_t`, large and noisy (their
    ///   variance grows as `1 / sigma_a^2`).
    public enum Head: Sendable, Equatable {
        /// A categorical policy over the `n_L` actions.
        case softmax
        /// A Gaussian policy with fixed `sigma_a` (> 0, in the network's own units) around the
        /// linear output `mu = a_L`.
        case gaussian(standardDeviation: Double)
    }

    /// The output head; `.softmax` unless built for continuous actions.
    public let head: Head
    /// All weights, layer after layer, each `n_l x n_{l-1}` row-major.
    public var weights: [Double]
    /// The clean pass: no noise.
    public var clean: Pass
    /// The noisy pass: `xi_l` added to every layer's pre-activation.
    public var noisy: Pass

    /// Per-unit state of one forward pass.
    public struct Pass: Sendable, Equatable {
        /// `a_l` (noise included for the noisy pass); layer 0 slots unused.
        public var preActivation: [Double]
        /// `x_l`: the input for `l = 0`, LeakyReLU(a_l) for hidden layers, softmax
        /// probabilities for the output layer.
        public var activity: [Double]
        /// `xi_l` drawn for this pass (zero for the clean pass); layer 0 slots unused.
        public var noise: [Double]
        /// `logsumexp(a_L)`, so that `log pi(k) = a_L[k] - logSumExp` (0 for the Gaussian
        /// head).
        public var logSumExp: Double = 0

        init(units: Int) {
            preActivation = Array(repeating: 0, count: units)
            activity = Array(repeating: 0, count: units)
            noise = Array(repeating: 0, count: units)
        }
    }

    /// A network with Xavier-normal weights drawn from `initialisation` in layer order,
    /// row by row (the same draws for either head).
    public init(layerSizes: [Int], head: Head = .softmax, initialisation: inout RandomStream) {
        precondition(layerSizes.count >= 2 && layerSizes.allSatisfy { $0 > 0 },
                     "PolicyMLP needs at least an input and an output layer, all non-empty")
        if case .gaussian(let sigma) = head {
            precondition(sigma > 0 && sigma.isFinite, "the Gaussian head needs a positive, finite standard deviation")
        }
        self.head = head
        self.layerSizes = layerSizes
        var units = [0]
        for n in layerSizes { units.append(units.last! + n) }
        unitOffset = units
        var offsets = [0]
        for l in 1..<layerSizes.count { offsets.append(offsets.last! + layerSizes[l] * layerSizes[l - 1]) }
        weightOffset = offsets
        weights = Array(repeating: 0, count: offsets.last!)
        clean = Pass(units: units.last!)
        noisy = clean
        for l in 1..<layerSizes.count {
            let fanIn = layerSizes[l - 1], fanOut = layerSizes[l]
            let std = (2.0 / Double(fanIn + fanOut)).squareRoot()
            for i in 0..<(fanIn * fanOut) {
                weights[offsets[l - 1] + i] = std * initialisation.normal()
            }
        }
    }

    /// The policy shape used by the paper: `[inputs, hidden x hiddenLayers, actions]`
    /// (`actions`: the number of discrete actions, or of action dimensions for the
    /// Gaussian head).
    public init(inputs: Int, hiddenUnits: Int, hiddenLayers: Int, actions: Int, head: Head = .softmax, initialisation: inout RandomStream) {
        self.init(
            layerSizes: [inputs] + Array(repeating: hiddenUnits, count: hiddenLayers) + [actions],
            head: head, initialisation: &initialisation)
    }

    /// Number of weight layers `L`.
    @inlinable public var layerCount: Int { layerSizes.count - 1 }
    /// The length of the observation.
    public var inputCount: Int { layerSizes[0] }
    /// The number of actions (the softmax's width).
    public var actionCount: Int { layerSizes[layerSizes.count - 1] }

    /// Clean pass on `observation`.
    public mutating func forwardClean(_ observation: [Double]) {
        Self.forward(
            weights: weights, layerSizes: layerSizes, unitOffset: unitOffset, weightOffset: weightOffset,
            observation: observation, pass: &clean, sigma: 0, noiseSource: nil, linearOutput: head != .softmax)
    }

    /// Noisy pass on `observation`: draws `xi_l ~ N(0, sigma^2)` for layers 1...L in order
    /// (unit order within a layer) from `noiseSource` by the ziggurat method.
    public mutating func forwardNoisy(_ observation: [Double], sigma: Double, noiseSource: inout RandomStream) {
        Self.forward(
            weights: weights, layerSizes: layerSizes, unitOffset: unitOffset, weightOffset: weightOffset,
            observation: observation, pass: &noisy, sigma: sigma, noiseSource: &noiseSource, linearOutput: head != .softmax)
    }

    /// `log pi(action)` of a pass (softmax head).
    @inlinable
    public func logProbability(_ action: Int, of pass: Pass) -> Double {
        pass.preActivation[unitOffset[layerCount] + action] - pass.logSumExp
    }

    /// Samples an action from a pass's softmax output.
    @inlinable
    public func sampleAction(from pass: Pass, using stream: inout RandomStream) -> Int {
        let start = unitOffset[layerCount], count = layerSizes[layerCount]
        return pass.activity.withUnsafeBufferPointer {
            stream.categorical(UnsafeBufferPointer(rebasing: $0[start..<(start + count)]))
        }
    }

    /// Samples from either head: `.discrete(k)` from the softmax (exactly
    /// `sampleAction(from:using:)`), or `.continuous(u)` with `u_k = mu_k + sigma_a z_k`,
    /// `z_k` standard normals drawn by `stream.normal()` for `k = 0..<n_L` in order (lanes
    /// beyond `n_L` are 0). `u` is unclipped, in the network's units.
    @inlinable
    public func sample(from pass: Pass, using stream: inout RandomStream) -> Action {
        switch head {
        case .softmax:
            return .discrete(sampleAction(from: pass, using: &stream))
        case .gaussian(let sigma):
            let start = unitOffset[layerCount]
            var u = SIMD4<Double>()
            for k in 0..<layerSizes[layerCount] { u[k] = pass.preActivation[start + k] + sigma * stream.normal() }
            return .continuous(u)
        }
    }

    /// `log pi(action)` of a pass, for either head: the softmax's `log pi(k)`, or the
    /// Gaussian log-density of the (unclipped) sample `u` about the pass's mean `a_L`,
    /// normalising constant included.
    @inlinable
    public func logProbability(_ action: Action, of pass: Pass) -> Double {
        switch action {
        case .discrete(let k):
            return logProbability(k, of: pass)
        case .continuous(let u):
            guard case .gaussian(let sigma) = head else { preconditionFailure("a continuous action needs the Gaussian head") }
            let start = unitOffset[layerCount], n = layerSizes[layerCount]
            var squares = 0.0
            for k in 0..<n {
                let d = u[k] - pass.preActivation[start + k]
                squares += d * d
            }
            return -squares / (2 * sigma * sigma) - Double(n) * (_log(sigma) + 0.5 * _log(2 * Double.pi))
        }
    }

    /// `log pi_p(action) - log pi_q(action)` for two passes of the same network (NRL's
    /// `D_t`). Softmax: the difference of the two log-probabilities. Gaussian: in the
    /// factored form
    ///
    ///     sum_k (mu_p,k - mu_q,k) (2 u_k - mu_p,k - mu_q,k) / (2 sigma_a^2),
    ///
    /// which equals `(||u - mu_q||^2 - ||u - mu_p||^2) / (2 sigma_a^2)` but does not lose
    /// digits to cancellation when the two means are close (a small perturbation).
    @inlinable
    public func logProbabilityDifference(_ action: Action, _ p: Pass, minus q: Pass) -> Double {
        switch action {
        case .discrete(let k):
            return logProbability(k, of: p) - logProbability(k, of: q)
        case .continuous(let u):
            guard case .gaussian(let sigma) = head else { preconditionFailure("a continuous action needs the Gaussian head") }
            let start = unitOffset[layerCount]
            var s = 0.0
            for k in 0..<layerSizes[layerCount] {
                let muP = p.preActivation[start + k], muQ = q.preActivation[start + k]
                s += (muP - muQ) * ((u[k] - muP) + (u[k] - muQ))
            }
            return s / (2 * sigma * sigma)
        }
    }

    /// Square root of the sum of all squared weights.
    public var weightNorm: Double {
        var s = 0.0
        for w in weights { s += w * w }
        return s.squareRoot()
    }

    /// True when every weight is finite.
    public var weightsAreFinite: Bool {
        for w in weights where !w.isFinite { return false }
        return true
    }

    // MARK: Kernel

    /// One forward pass. `noiseSource == nil` means a clean pass (noise buffer untouched).
    /// A noisy pass draws each layer's noise before its matrix-vector product, in unit
    /// order, so the draws do not depend on how the product is computed.
    @inline(__always)
    static func forward(
        weights: [Double], layerSizes: [Int], unitOffset: [Int], weightOffset: [Int],
        observation: [Double], pass: inout Pass, sigma: Double, noiseSource: UnsafeMutablePointer<RandomStream>?,
        linearOutput: Bool
    ) {
        let layers = layerSizes.count - 1
        precondition(observation.count == layerSizes[0], "observation has \(observation.count) values, the network takes \(layerSizes[0])")
        var logSumExp = 0.0
        weights.withUnsafeBufferPointer { wBuffer in
        pass.preActivation.withUnsafeMutableBufferPointer { aBuffer in
        pass.activity.withUnsafeMutableBufferPointer { xBuffer in
        pass.noise.withUnsafeMutableBufferPointer { xiBuffer in
            let w = wBuffer.baseAddress!, a = aBuffer.baseAddress!, x = xBuffer.baseAddress!, xi = xiBuffer.baseAddress!
            for i in 0..<layerSizes[0] { x[i] = observation[i] }
            for l in 1...layers {
                let nOut = layerSizes[l], nIn = layerSizes[l - 1]
                let aOut = a + unitOffset[l], xOut = x + unitOffset[l], xiOut = xi + unitOffset[l]
                let xIn = UnsafePointer(x + unitOffset[l - 1])
                var wRow = w + weightOffset[l - 1]
                if let noiseSource {
                    noiseSource.pointee.fillZigguratNormals(xiOut, count: nOut, scale: sigma)
                }
                for i in 0..<nOut {
                    let s = dot(wRow, xIn, count: nIn)
                    wRow += nIn
                    aOut[i] = noiseSource == nil ? s : s + xiOut[i]
                }
                if l < layers {
                    for i in 0..<nOut {
                        let v = aOut[i]
                        xOut[i] = v >= 0 ? v : negativeSlope * v
                    }
                } else if linearOutput {
                    // Gaussian head: the mean is the pre-activation itself.
                    for i in 0..<nOut { xOut[i] = aOut[i] }
                } else {
                    // Numerically stable softmax and log-normaliser.
                    var m = -Double.infinity
                    for i in 0..<nOut where aOut[i] > m { m = aOut[i] }
                    var z = 0.0
                    for i in 0..<nOut {
                        let e = _exp(aOut[i] - m)
                        xOut[i] = e
                        z += e
                    }
                    let inv = 1.0 / z
                    for i in 0..<nOut { xOut[i] *= inv }
                    logSumExp = m + _log(z)
                }
            }
        }}}}
        pass.logSumExp = logSumExp
    }

    /// `sum_j a[j] b[j]` in a fixed order: four interleaved partial sums (lanes
    /// `j mod 4`, combined as `(s0 + s1) + (s2 + s3)`), then the remainder in order. The
    /// order is part of the definition, so results are the same on every platform, and
    /// the four lanes let the compiler use vector instructions (a plain left-to-right sum
    /// cannot be vectorised without changing its result).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
        var lanes = SIMD4<Double>(repeating: 0)
        var j = 0
        while j + 4 <= count {
            let va = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD4<Double>.self)
            let vb = UnsafeRawPointer(b + j).loadUnaligned(as: SIMD4<Double>.self)
            lanes += va * vb
            j += 4
        }
        var s = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        while j < count {
            s += a[j] * b[j]
            j += 1
        }
        return s
    }

    static func forward(
        weights: [Double], layerSizes: [Int], unitOffset: [Int], weightOffset: [Int],
        observation: [Double], pass: inout Pass, sigma: Double, noiseSource: inout RandomStream, linearOutput: Bool
    ) {
        withUnsafeMutablePointer(to: &noiseSource) { source in
            forward(weights: weights, layerSizes: layerSizes, unitOffset: unitOffset, weightOffset: weightOffset,
                    observation: observation, pass: &pass, sigma: sigma, noiseSource: source, linearOutput: linearOutput)
        }
    }

    // MARK: Gradient of the log-policy

    /// Backpropagates `d log pi(action) / d a_l` through a pass, writing it per unit into
    /// `nodeGradient` (same layout as the pass buffers; layer 0 slots untouched).
    ///
    /// The output layer gets `onehot(action) - pi`; hidden layers
    /// `(W_{l+1}^T g_{l+1}) * f'(a_l)` with `f'(a) = 1` for `a >= 0`, else 0.1 (the branch
    /// PyTorch's `torch.where(x >= 0, x, 0.1 x)` differentiates). The weight gradient is
    /// then `g_l (outer) x_{l-1}`.
    public func logProbabilityNodeGradient(_ action: Int, of pass: Pass, into nodeGradient: inout [Double]) {
        logProbabilityNodeGradient(.discrete(action), of: pass, into: &nodeGradient)
    }

    /// `d log pi(action) / d a_l` for either head: the softmax's `onehot(k) - pi`, or the
    /// Gaussian's `(u - mu) / sigma_a^2` at the output (Williams 1992, Section 6), then the
    /// same backpropagation through the hidden layers.
    public func logProbabilityNodeGradient(_ action: Action, of pass: Pass, into nodeGradient: inout [Double]) {
        let layers = layerCount
        let head = head
        weights.withUnsafeBufferPointer { wBuffer in
        pass.preActivation.withUnsafeBufferPointer { aBuffer in
        pass.activity.withUnsafeBufferPointer { xBuffer in
        nodeGradient.withUnsafeMutableBufferPointer { gBuffer in
            let w = wBuffer.baseAddress!, a = aBuffer.baseAddress!, x = xBuffer.baseAddress!, g = gBuffer.baseAddress!
            let outStart = unitOffset[layers]
            switch action {
            case .discrete(let action):
                for k in 0..<layerSizes[layers] {
                    g[outStart + k] = (k == action ? 1.0 : 0.0) - x[outStart + k]
                }
            case .continuous(let u):
                guard case .gaussian(let sigma) = head else { preconditionFailure("a continuous action needs the Gaussian head") }
                let precision = 1 / (sigma * sigma)
                for k in 0..<layerSizes[layers] {
                    g[outStart + k] = (u[k] - a[outStart + k]) * precision
                }
            }
            var l = layers - 1
            while l >= 1 {
                let n = layerSizes[l], nNext = layerSizes[l + 1]
                let gHere = g + unitOffset[l], gNext = g + unitOffset[l + 1], aHere = a + unitOffset[l]
                gHere.update(repeating: 0, count: n)
                var wRow = w + weightOffset[l]  // W_{l+1}, row i feeds unit i of layer l + 1
                for i in 0..<nNext {
                    let gi = gNext[i]
                    for j in 0..<n { gHere[j] += wRow[j] * gi }
                    wRow += n
                }
                for j in 0..<n where aHere[j] < 0 { gHere[j] *= Self.negativeSlope }
                l -= 1
            }
        }}}}
    }

    /// Which pass a rule reads the presynaptic activity `x_{l-1}` from.
    public enum PassKind: Sendable {
        /// The clean pass (`clean`): no noise.
        case clean
        /// The noisy pass (`noisy`): `xi_l` added to every layer's pre-activation.
        case noisy
    }

    /// Adds `scale * layerScale[l-1] * post_l (outer) x_{l-1}` to `target` (laid out like
    /// `weights`) for every layer `l`: `post` holds one value per unit (pass layout), the
    /// presynaptic activity comes from the chosen pass. This is the shape of every update
    /// in the paper: a postsynaptic factor times the presynaptic activity, times a global
    /// scalar.
    public func addOuterProducts(
        scale: Double, layerScale: [Double], post: [Double], presynaptic: PassKind, into target: inout [Double]
    ) {
        let x = presynaptic == .clean ? clean.activity : noisy.activity
        post.withUnsafeBufferPointer { u in
        x.withUnsafeBufferPointer { x in
        target.withUnsafeMutableBufferPointer { t in
            Self.outerProducts(
                layerSizes: layerSizes, unitOffset: unitOffset, weightOffset: weightOffset,
                scale: scale, layerScale: layerScale, post: u, presynaptic: x, target: t)
        }}}
    }

    /// `addOuterProducts` applied to the weights themselves (a per-step update).
    public mutating func addOuterProductsToWeights(
        scale: Double, layerScale: [Double], post: [Double], presynaptic: PassKind
    ) {
        let x = presynaptic == .clean ? clean.activity : noisy.activity
        let sizes = layerSizes, units = unitOffset, offsets = weightOffset
        post.withUnsafeBufferPointer { u in
        x.withUnsafeBufferPointer { x in
        weights.withUnsafeMutableBufferPointer { t in
            Self.outerProducts(
                layerSizes: sizes, unitOffset: units, weightOffset: offsets,
                scale: scale, layerScale: layerScale, post: u, presynaptic: x, target: t)
        }}}
    }

    /// `W_l += scale * layerScale[l-1] * update_l` for every layer (`update` laid out like
    /// `weights`): applying an eligibility trace or an accumulated gradient.
    public mutating func addToWeights(_ update: [Double], scale: Double, layerScale: [Double]) {
        precondition(update.count == weights.count)
        let offsets = weightOffset, layers = layerCount
        update.withUnsafeBufferPointer { e in
        weights.withUnsafeMutableBufferPointer { w in
            for l in 1...layers {
                let c = scale * layerScale[l - 1]
                for i in offsets[l - 1]..<offsets[l] { w[i] += c * e[i] }
            }
        }}
    }

    @inline(__always)
    static func outerProducts(
        layerSizes: [Int], unitOffset: [Int], weightOffset: [Int], scale: Double, layerScale: [Double],
        post u: UnsafeBufferPointer<Double>, presynaptic x: UnsafeBufferPointer<Double>,
        target t: UnsafeMutableBufferPointer<Double>
    ) {
        for l in 1..<layerSizes.count {
            let nOut = layerSizes[l], nIn = layerSizes[l - 1]
            let uOut = u.baseAddress! + unitOffset[l], xIn = x.baseAddress! + unitOffset[l - 1]
            let c = scale * layerScale[l - 1]
            var tRow = t.baseAddress! + weightOffset[l - 1]
            for i in 0..<nOut {
                let ui = c * uOut[i]
                for j in 0..<nIn { tRow[j] += ui * xIn[j] }
                tRow += nIn
            }
        }
    }
}

extension PolicyMLP: Checkpointable {
    /// Saves the weights and both passes (a rule may read the passes of the last `act` in
    /// the following `observe`).
    public func save(to archive: inout StateArchive) {
        archive.append(weights)
        for pass in [clean, noisy] {
            archive.append(pass.preActivation)
            archive.append(pass.activity)
            archive.append(pass.noise)
            archive.append(pass.logSumExp)
        }
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try reader.doubles(into: &weights)
        for k in 0..<2 {
            var pass = k == 0 ? clean : noisy
            try reader.doubles(into: &pass.preActivation)
            try reader.doubles(into: &pass.activity)
            try reader.doubles(into: &pass.noise)
            pass.logSumExp = try reader.double()
            if k == 0 { clean = pass } else { noisy = pass }
        }
    }
}
