import CLaneKernels

// The step of a lockstep network, eight lanes at a time: forward sampling, the MAP ascent,
// the REINFORCE eligibilities and the critic gate, the traces and Adam. Each function is the
// lane-wise form of the single network's function of the same name (`TeamNetwork+Forward`,
// `+Eligibility`, `+Learning`, `Rules/MAPPropagation.swift`), operation for operation.

extension LockstepTeamNetwork {
    /// One layer's lane arrays (the single network's view at eight times its offsets);
    /// valid inside `withLanes` only.
    typealias LaneLayer = TeamNetwork.LayerView

    /// Runs `body` with the storage's base, the layer layouts, the input lanes and the
    /// per-lane scratch (`2 x` the widest layer).
    @inline(__always)
    mutating func withLanes<R>(
        _ body: (UnsafeMutablePointer<Double>, [TeamNetwork.LayerLayout], UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> R
    ) -> R {
        let layers = template.layers, inputRows = template.inputRows, scratch = scratchOffset
        return storage.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            return body(base, layers, base + inputRows * Self.lanes, base + scratch)
        }
    }

    /// The input lanes of layer `l`: the values of layer l-1, or the network's input.
    @inline(__always)
    static func input(
        of l: Int, base: UnsafeMutablePointer<Double>, layers: [TeamNetwork.LayerLayout], inputs: UnsafeMutablePointer<Double>
    ) -> UnsafeMutablePointer<Double> {
        l == 0 ? inputs : base + layers[l - 1].value * lanes
    }

    /// Copies lane `s`'s input vector (`inputCount` values).
    public mutating func setInput(lane s: Int, _ x: UnsafePointer<Double>) {
        let offset = template.inputRows * Self.lanes + s, n = template.inputCount
        storage.withUnsafeMutableBufferPointer { b in
            for k in 0..<n { b[offset + k * Self.lanes] = x[k] }
        }
    }

    // MARK: Forward

    /// Means and slopes of `layer` from its potentials (`TeamNetwork.activate`).
    @inline(__always)
    static func activate(_ layer: LaneLayer, activation: HiddenActivation, outputUnits: OutputUnits, scratch: UnsafeMutablePointer<Double>) {
        let n = layer.outputs, count = n * lanes
        if layer.isOutput {
            switch outputUnits {
            case .softmax(let temperature):
                let probabilities = scratch + n
                for s in 0..<lanes {
                    for k in 0..<n { scratch[k] = layer.potential[k * lanes + s] }
                    UnitFunctions.softmax(scratch, temperature: temperature, probabilities: probabilities, count: n)
                    for k in 0..<n { layer.mean[k * lanes + s] = probabilities[k] }
                }
            case .gaussian:
                layer.mean.update(from: layer.potential, count: count)
                layer.slope.update(repeating: 1, count: count)
            }
        } else {
            switch activation {
            case .softplus: UnitFunctions.softplusWithSlope(layer.potential, mean: layer.mean, slope: layer.slope, count: count)
            case .relu: UnitFunctions.reluWithSlope(layer.potential, mean: layer.mean, slope: layer.slope, count: count)
            }
        }
    }

    /// Recomputes `layer`'s potentials, means and slopes from `input` (`TeamNetwork.refresh`).
    @inline(__always)
    static func refresh(
        _ layer: LaneLayer, input: UnsafePointer<Double>, activation: HiddenActivation, outputUnits: OutputUnits,
        scratch: UnsafeMutablePointer<Double>, isa: tf_lane_isa
    ) {
        tf_lanes_vector_times_matrix(
            isa, input, layer.inputs, layer.weights, layer.outputs, 1, layer.bias, layer.outputs, layer.potential)
        activate(layer, activation: activation, outputUnits: outputUnits, scratch: scratch)
    }

    /// Forward sampling in every lane (`TeamNetwork.forward`): potentials and means, then
    /// values drawn lane by lane from each lane's stream.
    public mutating func forward(hiddenNoise: Bool = true) {
        let activation = template.activation, outputUnits = template.outputUnits, isa = instructionSet.cValue
        var noise: [RandomStream] = []
        swap(&noise, &self.noise)
        withLanes { base, layers, inputs, scratch in
            for l in 0..<layers.count {
                let layer = LaneLayer(base, layers[l], lanes: Self.lanes)
                Self.refresh(
                    layer, input: Self.input(of: l, base: base, layers: layers, inputs: inputs), activation: activation,
                    outputUnits: outputUnits, scratch: scratch, isa: isa)
                let n = layer.outputs, m = layer.mean, h = layer.value
                if layer.isOutput, case .softmax = outputUnits {
                    for s in 0..<Self.lanes {
                        for k in 0..<n { scratch[k] = m[k * Self.lanes + s] }
                        let choice = noise[s].categorical(UnsafeBufferPointer(start: scratch, count: n))
                        for k in 0..<n { h[k * Self.lanes + s] = k == choice ? 1 : 0 }
                    }
                } else if layer.isOutput || hiddenNoise {
                    for s in 0..<Self.lanes {
                        noise[s].fillZigguratNormals(scratch, count: n, scale: layer.standardDeviation)
                        for k in 0..<n { h[k * Self.lanes + s] = m[k * Self.lanes + s] + scratch[k] }
                    }
                } else {
                    h.update(from: m, count: n * Self.lanes)
                }
            }
        }
        swap(&noise, &self.noise)
        for s in 0..<Self.lanes { firstPotentialIsCurrent[s] = true }
    }

    /// Output unit `k`'s mean in every lane (a critic's value estimate).
    public func outputMean(unit k: Int = 0) -> Lanes { everyLane(of: template.layers[template.layers.count - 1].mean + k) }

    /// Output unit `k`'s value in every lane (a continuous action, a critic's sampled value).
    public func outputValue(unit k: Int = 0) -> Lanes { everyLane(of: template.layers[template.layers.count - 1].value + k) }

    /// The action the softmax unit chose in lane `s` (`TeamNetwork.chosenAction`).
    public func chosenAction(lane s: Int) -> Int {
        let l = template.layers[template.layers.count - 1]
        @inline(__always) func value(_ k: Int) -> Double { storage[(l.value + k) * Self.lanes + s] }
        var best = 0
        for k in 0..<l.outputs where value(k) > value(best) { best = k }
        return best
    }

    // MARK: Credit assignment

    /// The REINFORCE eligibilities of `layer`'s values (`TeamNetwork.computeEligibility`).
    @inline(__always)
    static func computeEligibility(_ layer: LaneLayer, outputUnits: OutputUnits) {
        let n = layer.outputs
        if layer.isOutput, case .softmax(let temperature) = outputUnits {
            for k in 0..<n {
                let p = k * lanes
                store((load(layer.value + p) - load(layer.mean + p)) / temperature, layer.eligibility + p)
            }
        } else {
            let iv = layer.inverseVariance
            for k in 0..<n {
                let p = k * lanes
                store((load(layer.value + p) - load(layer.mean + p)) * load(layer.slope + p) * iv, layer.eligibility + p)
            }
        }
    }

    /// MAP propagation's ascent and eligibilities in every lane
    /// (`TeamNetwork.mapPropagateRowByRow`; its doc comment states the equations).
    public mutating func mapPropagate(steps: Int, updateAdjustment: Double) {
        let activation = template.activation, outputUnits = template.outputUnits, isa = instructionSet.cValue
        // Refreshing a first layer whose potentials are current recomputes the same bits, so
        // lanes whose flags differ can share the refresh.
        let firstIsCurrent = !firstPotentialIsCurrent.contains(false)
        let accumulatorOffset = self.accumulatorOffset, scratchOffset = self.scratchOffset
        withLanes { base, layers, inputs, scratch in
            let accumulators = scratch + (accumulatorOffset - scratchOffset)
            let top = layers.count - 1
            var firstPotentialIsCurrent = firstIsCurrent
            for _ in 0..<steps {
                for l in stride(from: 1, through: top, by: 1) {
                    Self.computeEligibility(LaneLayer(base, layers[l], lanes: Self.lanes), outputUnits: outputUnits)
                }
                var l = top - 1
                while l >= 0 {
                    let layer = LaneLayer(base, layers[l], lanes: Self.lanes), above = LaneLayer(base, layers[l + 1], lanes: Self.lanes)
                    // The ascent of layer l (`TeamNetwork.ascend`) and the refresh of the layer
                    // above, in one pass over W_{l+1}.
                    tf_lanes_ascend_and_refresh(
                        isa, layer.value, layer.mean, layer.feedback, layer.outputs, layer.inverseVariance,
                        updateAdjustment * layer.variance, above.eligibility, above.weights, above.bias, above.outputs,
                        above.potential, accumulators)
                    Self.activate(above, activation: activation, outputUnits: outputUnits, scratch: scratch)
                    l -= 1
                }
                if !firstPotentialIsCurrent {
                    Self.refresh(LaneLayer(base, layers[0], lanes: Self.lanes), input: inputs, activation: activation, outputUnits: outputUnits, scratch: scratch, isa: isa)
                    firstPotentialIsCurrent = true
                }
            }
            for l in 0...top {
                Self.computeEligibility(LaneLayer(base, layers[l], lanes: Self.lanes), outputUnits: outputUnits)
            }
        }
        if steps > 0 {
            for s in 0..<Self.lanes { firstPotentialIsCurrent[s] = true }
        }
    }

    /// The critic gate in every lane (`TeamNetwork.applyMAPCriticGate`): each lane's
    /// eligibilities divided by `v - m` of its output unit 0.
    public mutating func applyMAPCriticGate() {
        let gate = 1 / (outputValue() - outputMean())
        withLanes { base, layers, _, _ in
            for layout in layers {
                let e = LaneLayer(base, layout, lanes: Self.lanes).eligibility
                for k in 0..<layout.outputs { Self.store(Self.load(e + k * Self.lanes) * gate, e + k * Self.lanes) }
            }
        }
    }

    // MARK: Traces and Adam

    /// `T <- decay * T + h_{l-1} (outer) e_l` in every lane (`TeamNetwork.accumulateTraces`).
    public mutating func accumulateTraces(decay: Double) {
        let isa = instructionSet.cValue
        withLanes { base, layers, inputs, _ in
            for l in 0..<layers.count {
                let layer = LaneLayer(base, layers[l], lanes: Self.lanes)
                tf_lanes_accumulate_traces(
                    isa, Self.input(of: l, base: base, layers: layers, inputs: inputs), layer.inputs,
                    layer.eligibility, layer.outputs, layer.weightTrace, layer.biasTrace, decay)
            }
        }
    }

    /// Sets the traces of the lanes in `lanes` to zero (their episodes start).
    public mutating func clearTraces(lanes mask: LaneMask) {
        guard any(mask) else { return }
        withLanes { base, layers, _, _ in
            for layout in layers {
                let layer = LaneLayer(base, layout, lanes: Self.lanes)
                Self.clear(layer.weightTrace, count: layout.inputs * layout.outputs, lanes: mask)
                Self.clear(layer.biasTrace, count: layout.outputs, lanes: mask)
            }
        }
    }

    @inline(__always)
    static func clear(_ t: UnsafeMutablePointer<Double>, count: Int, lanes mask: LaneMask) {
        for k in 0..<count { store(load(t + k * lanes).replacing(with: 0, where: mask), t + k * lanes) }
    }

    /// One Adam ascent step along `signal * trace` in the lanes of `mask`, with
    /// `learningRates[l]` (per lane) for layer l (`TeamNetwork.learnFromTraces`); the other
    /// lanes do not change.
    public mutating func learnFromTraces(signal: Lanes, learningRates: UnsafeBufferPointer<Lanes>, lanes mask: LaneMask) {
        precondition(learningRates.count == template.layers.count)
        guard any(mask) else { return }
        var c1 = Lanes(repeating: 1), c2 = Lanes(repeating: 1)
        for s in 0..<Self.lanes where mask[s] {
            (c1[s], c2[s]) = Adam.biasCorrections(step: adamSteps[s] + 1)
        }
        var inverseC2 = 1 / c2
        var laneBits: UInt32 = 0
        for s in 0..<Self.lanes where mask[s] { laneBits |= 1 << s }
        let isa = instructionSet.cValue
        withLanes { base, layers, _, _ in
            withUnsafePointer(to: signal) { signal in
                withUnsafePointer(to: &inverseC2) { inverseC2 in
                    let scale = UnsafeRawPointer(signal).assumingMemoryBound(to: Double.self)
                    let inverseC2 = UnsafeRawPointer(inverseC2).assumingMemoryBound(to: Double.self)
                    for l in 0..<layers.count {
                        let layer = LaneLayer(base, layers[l], lanes: Self.lanes)
                        var stepScale = learningRates[l] / c1
                        withUnsafePointer(to: &stepScale) { stepScale in
                            let stepScale = UnsafeRawPointer(stepScale).assumingMemoryBound(to: Double.self)
                            tf_lanes_adam_ascend(
                                isa, layer.weights, layer.weightTrace, layer.weightFirstMoment, layer.weightSecondMoment,
                                layer.inputs * layer.outputs, scale, stepScale, inverseC2, laneBits,
                                Adam.beta1, Adam.beta2, Adam.epsilon)
                            tf_lanes_adam_ascend(
                                isa, layer.bias, layer.biasTrace, layer.biasFirstMoment, layer.biasSecondMoment,
                                layer.outputs, scale, stepScale, inverseC2, laneBits, Adam.beta1, Adam.beta2, Adam.epsilon)
                        }
                    }
                }
            }
        }
        for s in 0..<Self.lanes where mask[s] {
            adamSteps[s] += 1
            firstPotentialIsCurrent[s] = false
        }
    }
}
