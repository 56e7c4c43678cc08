import Testing
import ThreeFactor
@testable import AGREL

/// The rule is registered once per test process (tests run in parallel; the catalog is global).
enum Registration {
    static let once: Void = { try? Catalog.register(AGREL.descriptor) }()
}

/// A deterministic 3-4-2 network with a softmax output, run once on a fixed input.
func tinyNetwork(temperature: Double = 2) -> TeamNetwork {
    var initialization = RandomStream(seed: 7, stream: 1)
    var network = TeamNetwork(
        inputCount: 3, hidden: [4], outputCount: 2, activation: .softplus,
        outputUnits: .softmax(temperature: temperature), variances: [1, 1],
        initialization: &initialization, noise: RandomStream(seed: 7, stream: 2))
    network.setBias(layer: 0, [0.1, -0.2, 0.3, 0.05])
    network.setBias(layer: 1, [0.2, -0.1])
    let x: [Double] = [0.5, -1.2, 0.8]
    x.withUnsafeBufferPointer { network.setInput(row: 0, $0.baseAddress!) }
    network.forward(hiddenNoise: false)
    return network
}

/// The output potentials after a deterministic forward pass with layer l's weights replaced.
func potentials(_ network: TeamNetwork, layer l: Int, weights w: [Double]) -> [Double] {
    var copy = network
    copy.setWeights(layer: l, w)
    copy.forward(hiddenNoise: false)
    return copy.activity(.potential, layer: 1)
}

/// Central differences of `objective(output potentials)` with respect to every weight of layer l.
func finiteDifferences(_ network: TeamNetwork, layer l: Int, _ objective: ([Double]) -> Double) -> [Double] {
    let w = network.weights(layer: l), h = 1e-6
    return w.indices.map { k in
        var plus = w, minus = w
        plus[k] += h
        minus[k] -= h
        return (objective(potentials(network, layer: l, weights: plus)) - objective(potentials(network, layer: l, weights: minus))) / (2 * h)
    }
}

/// The weight traces after one sample with decay 0: presynaptic activity ⊗ the rule's eligibility.
func traces(after rule: AGREL, _ network: inout TeamNetwork, objective: TeamObjective = .policy) -> [[Double]] {
    rule.assignCredit(&network, objective: objective)
    network.clearTraces()
    network.accumulateTraces(decay: 0)
    return (0..<network.layerCount).map { network.weightTrace(layer: $0) }
}

func expectClose(_ a: [Double], _ b: [Double], tolerance: Double, _ comment: Comment? = nil) {
    #expect(a.count == b.count)
    for (x, y) in zip(a, b) { #expect(abs(x - y) <= tolerance, comment) }
}

@Suite struct UpdateTests {
    /// AGREL by hand: the chosen output unit alone is eligible (e_L = onehot(a)); a hidden
    /// unit's eligibility is its slope times its weight to the chosen unit, f'(u_j) W_2[j, a].
    @Test func eligibilitiesByHand() {
        var network = tinyNetwork()
        let a = network.chosenAction()
        let slope = network.activity(.slope, layer: 0), w2 = network.weights(layer: 1)
        AGREL().assignCredit(&network, objective: .policy)
        expectClose(network.activity(.eligibility, layer: 1), [0, 1].indices.map { $0 == a ? 1 : 0 }, tolerance: 1e-12)
        expectClose(network.activity(.eligibility, layer: 0), (0..<4).map { slope[$0] * w2[$0 * 2 + a] }, tolerance: 1e-12)
        // The one-hot choice is left as it was (the loops read the action afterwards).
        #expect(network.chosenAction() == a)
        #expect(network.activity(.value, layer: 1) == [0, 1].indices.map { $0 == a ? 1.0 : 0.0 })
    }

    /// The update direction (trace = presynaptic ⊗ eligibility) is the gradient of the
    /// chosen unit's potential u_a with respect to every weight, checked by central differences.
    @Test func attentionGatedUpdateIsGradientOfChosenPotential() {
        var network = tinyNetwork()
        let a = network.chosenAction(), before = network
        let t = traces(after: AGREL(), &network)
        for l in 0..<2 {
            expectClose(t[l], finiteDifferences(before, layer: l) { $0[a] }, tolerance: 1e-7, "layer \(l)")
        }
    }

    /// attention = 0: e_L = onehot(a) - pi, i.e. temp x the gradient of log pi(a).
    @Test func attentionZeroIsPolicyGradient() {
        let temperature = 2.0
        var network = tinyNetwork(temperature: temperature)
        let a = network.chosenAction(), before = network
        let t = traces(after: AGREL(attention: 0), &network)
        func logPolicy(_ u: [Double]) -> Double {
            let z = u.map { $0 / temperature }, m = z.max()!
            return z[a] - m - _log(z.map { _exp($0 - m) }.reduce(0, +))
        }
        for l in 0..<2 {
            expectClose(t[l], finiteDifferences(before, layer: l) { temperature * logPolicy($0) }, tolerance: 1e-7, "layer \(l)")
        }
    }

    /// In between: e_L = onehot(a) - (1 - attention) pi.
    @Test func partialAttention() {
        var network = tinyNetwork()
        let a = network.chosenAction(), pi = network.activity(.mean, layer: 1)
        AGREL(attention: 0.25).assignCredit(&network, objective: .policy)
        expectClose(network.activity(.eligibility, layer: 1), (0..<2).map { ($0 == a ? 1 : 0) - 0.75 * pi[$0] }, tolerance: 1e-12)
    }

    /// A value (the critic: one output unit, always attended) is the gradient of the output
    /// mean, the same eligibilities as the backprop rule's.
    @Test func valueIsGradientOfMean() {
        var initialization = RandomStream(seed: 3, stream: 1)
        var network = TeamNetwork(
            inputCount: 3, hidden: [4, 3], outputCount: 1, activation: .softplus, outputUnits: .gaussian,
            variances: [1, 1, 1], initialization: &initialization, noise: RandomStream(seed: 3, stream: 2))
        let x: [Double] = [1, 0.5, -0.25]
        x.withUnsafeBufferPointer { network.setInput(row: 0, $0.baseAddress!) }
        network.forward(hiddenNoise: false)
        var reference = network
        AGREL().assignCredit(&network, objective: .value)
        Backpropagation().assignCredit(&reference, objective: .value)
        for l in 0..<3 { #expect(network.activity(.eligibility, layer: l) == reference.activity(.eligibility, layer: l)) }
    }

    /// A batch (the supervised loop's network): every row gets its own choice's eligibilities.
    @Test func everyRowOfABatch() {
        var initialization = RandomStream(seed: 11, stream: 1)
        var network = TeamNetwork(
            inputCount: 3, hidden: [4], outputCount: 3, activation: .relu, outputUnits: .softmax(temperature: 1),
            variances: [1, 1], batchSize: 5, initialization: &initialization, noise: RandomStream(seed: 11, stream: 2))
        for r in 0..<5 {
            let x: [Double] = [Double(r) - 2, 0.3 * Double(r), 1]
            x.withUnsafeBufferPointer { network.setInput(row: r, $0.baseAddress!) }
        }
        network.forward(hiddenNoise: false)
        let w2 = network.weights(layer: 1)
        let chosen = (0..<5).map { network.chosenAction(row: $0) }
        let slopes = (0..<5).map { network.activity(.slope, layer: 0, row: $0) }
        AGREL().assignCredit(&network, objective: .policy)
        for r in 0..<5 {
            let a = chosen[r]
            #expect(network.chosenAction(row: r) == a)
            expectClose(network.activity(.eligibility, layer: 1, row: r), (0..<3).map { $0 == a ? 1 : 0 }, tolerance: 1e-12)
            expectClose(network.activity(.eligibility, layer: 0, row: r), (0..<4).map { slopes[r][$0] * w2[$0 * 3 + a] }, tolerance: 1e-12)
        }
    }
}

@Suite struct CheckpointTests {
    /// Save after some units, continue; a fresh trial loaded from the save continues with the
    /// same bits.
    @Test(arguments: [
        ("episodic", "CartPole-v1", Hyperparameters()),
        ("supervised", "Multiplexer", Hyperparameters(["batch_size": .integer(8)])),
    ])
    func continuesBitForBit(kind: String, env: String, parameters: Hyperparameters) throws {
        Registration.once
        let spec = TrialSpec(env: env, envOptions: Hyperparameters(), rule: "agrel", ruleParameters: parameters, seed: 5)
        var trial = try Catalog.makeTrial(kind: kind, spec)
        var record = Array(repeating: 0.0, count: trial.seriesNames.count)
        for _ in 0..<3 { trial.runUnit(record: &record) }
        var archive = StateArchive()
        trial.save(to: &archive)
        var expected: [[Double]] = []
        for _ in 0..<3 {
            trial.runUnit(record: &record)
            expected.append(record)
        }
        var resumed = try Catalog.makeTrial(kind: kind, spec)
        var reader = StateArchive.Reader(archive)
        try resumed.load(from: &reader)
        #expect(reader.isAtEnd)
        for k in 0..<3 {
            resumed.runUnit(record: &record)
            #expect(record.map(\.bitPattern) == expected[k].map(\.bitPattern))
        }
        var a = StateArchive(), b = StateArchive()
        trial.save(to: &a)
        resumed.save(to: &b)
        #expect(a == b)
    }
}

@Suite struct RegistrationTests {
    /// A rule registered from outside the toolkit is in the catalog afterwards; its name cannot
    /// be taken twice. (A second descriptor under its own name, so that the check does not
    /// depend on the order in which the other tests register `agrel`.)
    @Test func registersOnceOnly() throws {
        let name = "agrel-registration-test"
        let descriptor = AGREL.descriptor(name: name, summary: "test", citation: "test", equations: "test")
        #expect(Catalog.rule(name) == nil)
        try Catalog.register(descriptor)
        #expect(Catalog.rules.contains { $0.name == name })
        #expect(Catalog.rule(name)?.implementations.map(\.kind) == ["episodic", "supervised"])
        #expect(throws: CatalogError.duplicate("rule", name)) { try Catalog.register(descriptor) }
    }

    @Test func agrelIsRegisteredWithItsParameters() throws {
        Registration.once
        let rule = try #require(Catalog.rule("agrel"))
        #expect(rule.citation.contains("Roelfsema & van Ooyen"))
        for kind in ["episodic", "supervised"] {
            #expect(rule.implementation(for: kind)?.parameters.spec("attention") != nil)
        }
        #expect(throws: CatalogError.duplicate("rule", "agrel")) { try Catalog.register(AGREL.descriptor) }
        _ = try Catalog.resolve(kind: "episodic", rule: "agrel", task: "CartPole-v1")
    }
}
