import Testing
@testable import ThreeFactor

@Suite struct MAPPropagationTests {
    /// One MAP step moves each hidden layer by `update_adj * var_l * g_l`; g_l must be the
    /// gradient of log p(h_1, h_2, a | x) with respect to h_l (central differences, relative
    /// error below 1e-6).
    @Test(arguments: [OutputUnits.softmax(temperature: 2), .gaussian])
    func ascentDirectionIsTheLogPosteriorGradient(output: OutputUnits) {
        var net = TestNetworks.make(output: output)
        net.forward()
        let adjustment = 1e-3
        var stepped = net
        stepped.mapPropagate(steps: 1, updateAdjustment: adjustment)
        for l in 0..<(net.layerCount - 1) {
            let before = net.activity(.value, layer: l), after = stepped.activity(.value, layer: l)
            for i in 0..<before.count {
                let ascent = (after[i] - before[i]) / (adjustment * net.variances[l])
                let h = 1e-6
                var plus = net, minus = net
                var values = before
                values[i] = before[i] + h
                plus.setValues(layer: l, values)
                plus.refreshAll()
                values[i] = before[i] - h
                minus.setValues(layer: l, values)
                minus.refreshAll()
                let numeric = (plus.logJoint() - minus.logJoint()) / (2 * h)
                #expect(TestNetworks.relativeError(ascent, numeric, floor: 1e-3) < 1e-6, "layer \(l) unit \(i): \(ascent) vs \(numeric)")
            }
        }
    }

    /// With small steps every MAP step increases the log-posterior of the hidden values;
    /// with the reference step (update_adj 0.5) the 20 steps end higher than they start.
    @Test func ascentIncreasesTheLogPosterior() {
        var net = TestNetworks.make(output: .softmax(temperature: 2))
        net.forward()
        var small = net
        var previous = small.logJoint()
        for _ in 0..<20 {
            small.mapPropagate(steps: 1, updateAdjustment: 0.05)
            let now = small.logJoint()
            #expect(now > previous)
            previous = now
        }
        var reference = net
        let start = reference.logJoint()
        reference.mapPropagate(steps: 20, updateAdjustment: 0.5)
        #expect(reference.logJoint() > start)
    }

    /// With zero MAP steps the eligibilities, traces and update are exactly REINFORCE's.
    @Test func zeroStepsIsREINFORCE() {
        var net = TestNetworks.make(output: .softmax(temperature: 2))
        net.forward()
        var map = net, reinforce = net
        map.mapPropagate(steps: 0, updateAdjustment: 0.5)
        reinforce.reinforceEligibilities()
        let rates: [Double] = [1e-2, 1e-3, 1e-4]
        for n in [0, 1] {
            var x = n == 0 ? map : reinforce
            x.accumulateTraces(decay: 0.9)
            rates.withUnsafeBufferPointer { x.learnFromTraces(signal: 0.8, learningRates: $0) }
            if n == 0 { map = x } else { reinforce = x }
        }
        for l in 0..<net.layerCount {
            #expect(map.activity(.eligibility, layer: l) == reinforce.activity(.eligibility, layer: l))
            #expect(map.weights(layer: l) == reinforce.weights(layer: l))
            #expect(map.bias(layer: l) == reinforce.bias(layer: l))
        }
    }

    /// The critic gate: after the MAP step, the eligibilities divided by (v - m) are
    /// (1/var_L) dV/du_l, so var_L times the trace is the gradient of the mean value V(x)
    /// (hidden units at their means) with respect to every weight. Checked against central
    /// differences of V with v - m = 1e-5 (the MAP point then differs from the mean path by
    /// O(1e-5)); relative tolerance 1e-3. (Variances as the reference critic's 0.1: the
    /// ascent is stable, see `mapPropagate`.)
    @Test func criticGateGivesTheGradientOfTheMeanValue() {
        var net = TestNetworks.make(output: .gaussian, variances: [0.1, 0.1, 0.1])
        let reference = net
        net.forward(hiddenNoise: false)
        let top = net.layerCount - 1
        net.setValues(layer: top, [net.outputMean() + 1e-5])
        net.mapPropagate(steps: 200, updateAdjustment: 0.5)
        net.applyMAPCriticGate()
        net.accumulateTraces(decay: 0)
        let variance = net.variances[top]
        var checked = 0
        for l in 0..<net.layerCount {
            let trace = net.weightTrace(layer: l)
            for k in 0..<trace.count {
                let numeric = TestNetworks.weightDerivative(reference, layer: l, index: k) { n in
                    var n = n
                    n.forward(hiddenNoise: false)
                    return n.outputMean()
                }
                #expect(TestNetworks.relativeError(variance * trace[k], numeric, floor: 1e-4) < 1e-3,
                        "layer \(l) weight \(k): \(variance * trace[k]) vs \(numeric)")
                checked += 1
            }
        }
        #expect(checked == 3 * 5 + 5 * 4 + 4 * 1)
    }

    /// The first layer's potential is reused during the ascent but must be recomputed once
    /// after the weights changed (the reference refreshes it with the new weights).
    @Test func firstLayerPotentialFollowsLearning() {
        var net = TestNetworks.make(output: .softmax(temperature: 2))
        net.forward()
        net.mapPropagate(steps: 0, updateAdjustment: 0.5)
        net.accumulateTraces(decay: 0)
        let rates: [Double] = [0.1, 0.1, 0.1]
        rates.withUnsafeBufferPointer { net.learnFromTraces(signal: 1, learningRates: $0) }
        var fresh = net
        net.mapPropagate(steps: 1, updateAdjustment: 0.5)
        fresh.refreshAll()
        #expect(net.activity(.potential, layer: 0) == fresh.activity(.potential, layer: 0))
    }

    /// The batched ascent (blocks of rows, block kernels) gives every row the same bits as the
    /// row-by-row ascent: odd layer sizes (vector tails in every kernel and in softplus), more
    /// rows than one block with a partial last block, both outputs and activations, and a
    /// first-layer potential that must be recomputed after a weight change.
    @Test(arguments: [
        (OutputUnits.softmax(temperature: 2), HiddenActivation.softplus, 2, false),
        (.softmax(temperature: 1), .relu, 3, true),
        (.gaussian, .softplus, 1, true),
        (.gaussian, .relu, 2, false),
    ])
    func batchedAscentIsBitIdenticalToRowByRow(
        output: OutputUnits, activation: HiddenActivation, outputCount: Int, weightsChanged: Bool
    ) {
        let rows = 2 * TeamNetwork.mapBlockRows + 3
        var initialization = RandomStream(seed: 11, stream: 1)
        var net = TeamNetwork(
            inputCount: 6, hidden: [19, 7], outputCount: outputCount, activation: activation, outputUnits: output,
            variances: [0.3, 0.5, 0.2], batchSize: rows, initialization: &initialization, noise: RandomStream(seed: 11, stream: 2))
        var inputs = RandomStream(seed: 11, stream: 3)
        for r in 0..<rows {
            let x = (0..<6).map { _ in inputs.normal() }
            x.withUnsafeBufferPointer { net.setInput(row: r, $0.baseAddress!) }
        }
        for l in 0..<net.layerCount {
            net.setBias(layer: l, (0..<net.bias(layer: l).count).map { _ in 0.3 * inputs.normal() })
        }
        net.forward()
        if weightsChanged {
            net.setWeights(layer: 0, net.weights(layer: 0).map { $0 * 0.9 })
            #expect(!net.firstPotentialIsCurrent)
        }
        let before = net
        var rowByRow = net
        net.mapPropagateBatched(steps: 20, updateAdjustment: 0.5)
        rowByRow.mapPropagateRowByRow(steps: 20, updateAdjustment: 0.5)
        #expect(net.firstPotentialIsCurrent == rowByRow.firstPotentialIsCurrent)
        #expect(net.storage.count == rowByRow.storage.count)
        let differing = zip(net.storage, rowByRow.storage).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0)
        // The ascent did move the values (the comparison is not between two untouched states).
        #expect(net.activity(.value, layer: 0, row: rows - 1) != before.activity(.value, layer: 0, row: rows - 1))
        #expect(net.activity(.value, layer: 1, row: 0) != before.activity(.value, layer: 1, row: 0))
    }

    /// The Gram form of the batched ascent (`mapPropagateGram`) agrees with the direct
    /// row-by-row ascent: every layer's values and eligibilities within 1e-12 of that array's
    /// largest magnitude (the re-association is exact in real arithmetic; only rounding
    /// differs). Two and three hidden layers, both activations and outputs, odd sizes, a
    /// partial last block, a second hidden layer wider than the first. With one hidden layer,
    /// or when the first layer's potential is stale, `mapPropagate` keeps the direct path
    /// (same bits as `mapPropagateBatched`).
    @Test(arguments: [
        ([19, 7], OutputUnits.softmax(temperature: 2), HiddenActivation.softplus, 2),
        ([19, 7], .gaussian, .relu, 1),
        ([6, 11, 5], .softmax(temperature: 1), .relu, 3),
        ([9, 7, 4], .gaussian, .softplus, 2),
        ([8], .softmax(temperature: 2), .softplus, 2),
    ])
    func gramAscentAgreesWithTheDirectAscent(
        hidden: [Int], output: OutputUnits, activation: HiddenActivation, outputCount: Int
    ) {
        let rows = 2 * TeamNetwork.mapBlockRows + 3
        let seed = UInt64(hidden.reduce(0, +) * 10 + outputCount)
        var initialization = RandomStream(seed: seed, stream: 1)
        let variances = [0.3, 0.5, 0.4, 0.2].suffix(hidden.count + 1)
        var net = TeamNetwork(
            inputCount: 6, hidden: hidden, outputCount: outputCount, activation: activation, outputUnits: output,
            variances: Array(variances), batchSize: rows, initialization: &initialization,
            noise: RandomStream(seed: seed, stream: 2))
        var inputs = RandomStream(seed: seed, stream: 3)
        for r in 0..<rows {
            let x = (0..<6).map { _ in inputs.normal() }
            x.withUnsafeBufferPointer { net.setInput(row: r, $0.baseAddress!) }
        }
        for l in 0..<net.layerCount {
            net.setBias(layer: l, (0..<net.bias(layer: l).count).map { _ in 0.3 * inputs.normal() })
        }
        net.forward()
        let before = net
        var direct = net
        direct.mapPropagateRowByRow(steps: 20, updateAdjustment: 0.5)
        if hidden.count >= 2 {
            net.mapPropagateGram(steps: 20, updateAdjustment: 0.5)
        } else {
            net.mapPropagate(steps: 20, updateAdjustment: 0.5)
            #expect(net.storage.map(\.bitPattern) == direct.storage.map(\.bitPattern))
        }
        #expect(net.firstPotentialIsCurrent == direct.firstPotentialIsCurrent)
        for l in 0..<net.layerCount {
            for kind in [TeamNetwork.Activity.value, .eligibility, .mean] {
                var largestDifference = 0.0, scale = 0.0
                for r in 0..<rows {
                    for (a, b) in zip(net.activity(kind, layer: l, row: r), direct.activity(kind, layer: l, row: r)) {
                        largestDifference = max(largestDifference, abs(a - b))
                        scale = max(scale, abs(b))
                    }
                }
                #expect(scale > 0)
                #expect(largestDifference <= 1e-12 * scale, "layer \(l) \(kind): \(largestDifference) (scale \(scale))")
            }
        }
        // The ascent moved the first layer (the comparison is not between untouched states).
        #expect(net.activity(.value, layer: 0, row: rows - 1) != before.activity(.value, layer: 0, row: rows - 1))

        // A stale first-layer potential (weights changed since the forward pass): the direct path.
        var stale = before, staleDirect = before
        stale.setBias(layer: 0, stale.bias(layer: 0).map { $0 + 0.1 })
        staleDirect.setBias(layer: 0, staleDirect.bias(layer: 0).map { $0 + 0.1 })
        stale.mapPropagate(steps: 20, updateAdjustment: 0.5)
        staleDirect.mapPropagateBatched(steps: 20, updateAdjustment: 0.5)
        #expect(stale.storage.map(\.bitPattern) == staleDirect.storage.map(\.bitPattern))
    }

    /// `mapPropagate` takes the Gram form for the supervised tasks' shape (two hidden layers
    /// 64 and 32, batch 128, 20 steps) but not for one row or a single step.
    @Test func gramFormIsChosenWhereItPays() {
        #expect(TeamNetwork.gramAscentPays(firstHidden: 64, secondHidden: 32, rows: 128, steps: 20))
        #expect(!TeamNetwork.gramAscentPays(firstHidden: 64, secondHidden: 32, rows: 1, steps: 20))
        #expect(!TeamNetwork.gramAscentPays(firstHidden: 64, secondHidden: 32, rows: 128, steps: 1))
    }
}
