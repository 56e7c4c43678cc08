import Testing
@testable import ThreeFactor

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// SaR on a network small enough to do by hand: 2 inputs -> 2 neurons -> 2 neurons -> 1
/// output, with weights of both signs chosen so that the two hidden-layer variants
/// disagree on one neuron of the first layer.
@Suite struct SignAndRelevanceTests {
    static let input = [1.0, -0.5]
    /// Layer 0 (first layer, divided by `scale`): rows = neurons.
    static let w0 = [[0.8, 0.4], [-0.6, 0.9]]
    /// Layer 1: neuron 0 sends its error down with weight 0.3 / 0.2, neuron 1 with 0.6 / 0.1.
    static let w1 = [[0.3, 0.2], [0.6, 0.1]]
    /// Output: positive from hidden neuron 0, negative from hidden neuron 1.
    static let w2 = [[1.0, -0.2]]
    static let scale = 10.0

    static func network() -> ClosedLoopNetwork {
        var rng = RandomStream(seed: 1)
        var net = ClosedLoopNetwork(inputCount: 2, layerSizes: [2, 2, 1], firstLayerScale: scale, rng: &rng)
        net.setWeights(w0.flatMap { $0 } + w1.flatMap { $0 } + w2.flatMap { $0 })
        net.forward(input)
        return net
    }

    static func f(_ h: Double) -> Double { 1 / (1 + exp(-h)) - 0.5 }
    static func fPrime(_ h: Double) -> Double { (0.5 + f(h)) * (0.5 - f(h)) }
    static func sign(_ v: Double) -> Double { v > 0 ? 1 : (v < 0 ? -1 : 0) }

    /// The forward pass written out.
    struct Forward {
        var h0 = [0.0, 0.0], o0 = [0.0, 0.0]
        var h1 = [0.0, 0.0], o1 = [0.0, 0.0]
        var h2 = 0.0, o2 = 0.0
    }

    static func forwardByHand() -> Forward {
        var a = Forward()
        for j in 0..<2 {
            a.h0[j] = (w0[j][0] * input[0] + w0[j][1] * input[1]) / scale
            a.o0[j] = f(a.h0[j])
        }
        for j in 0..<2 {
            a.h1[j] = w1[j][0] * a.o0[0] + w1[j][1] * a.o0[1]
            a.o1[j] = f(a.h1[j])
        }
        a.h2 = w2[0][0] * a.o1[0] + w2[0][1] * a.o1[1]
        a.o2 = f(a.h2)
        return a
    }

    /// Expected weight changes (layer-major, as the network stores them) for
    /// `dw_ji = eta * |E| * s_j * x_i` (times `scale` in the first layer), with the signs
    /// either propagated as signs (variant a) or taken from the back-propagated deltas (b).
    static func expectedChanges(error e: Double, eta: Double, variantA: Bool) -> (changes: [Double], firstLayerSigns: [Double]) {
        let a = forwardByHand()
        let r = abs(e)
        let sOut = sign(e * fPrime(a.h2))
        let dOut = e * fPrime(a.h2)
        var s1 = [0.0, 0.0], d1 = [0.0, 0.0]
        for k in 0..<2 {
            s1[k] = sign(w2[0][k] * sOut * fPrime(a.h1[k]))
            d1[k] = w2[0][k] * dOut * fPrime(a.h1[k])
        }
        var s0 = [0.0, 0.0]
        for j in 0..<2 {
            if variantA {
                s0[j] = sign((w1[0][j] * s1[0] + w1[1][j] * s1[1]) * fPrime(a.h0[j]))
            } else {
                s0[j] = sign((w1[0][j] * d1[0] + w1[1][j] * d1[1]) * fPrime(a.h0[j]))
            }
        }
        var dw: [Double] = []
        for j in 0..<2 { for i in 0..<2 { dw.append(eta * r * s0[j] * input[i] * scale) } }
        for k in 0..<2 { for j in 0..<2 { dw.append(eta * r * s1[k] * a.o0[j]) } }
        for k in 0..<2 { dw.append(eta * r * sOut * a.o1[k]) }
        return (dw, s0)
    }

    static func observedChanges(_ rule: SignAndRelevance, error: Double) -> [Double] {
        var net = network()
        let before = net.weights
        var r = rule
        r.learn(&net, error: error)
        return zip(net.weights, before).map { $0 - $1 }
    }

    static func expectClose(_ a: [Double], _ b: [Double]) {
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) {
            #expect(abs(x - y) <= 1e-12 * max(1, abs(y)), "\(x) vs \(y)")
        }
    }

    @Test func forwardPassMatchesTheHandComputation() {
        let net = Self.network()
        let a = Self.forwardByHand()
        #expect(abs(net.output(0) - a.o2) < 1e-15)
    }

    @Test func signOnlyPropagationGivesTheHandComputedChanges() {
        let (expected, s0) = Self.expectedChanges(error: 2.5, eta: 0.1, variantA: true)
        // The case is built so that sign propagation and delta propagation disagree on
        // the first-layer neuron 0: (0.3 * +1 + 0.6 * -1) < 0, but 0.3 d + 0.6 (-0.2 d') > 0.
        #expect(s0[0] == -1)
        let observed = Self.observedChanges(SignAndRelevance(learningRate: 0.1, hiddenSign: .propagatedSign), error: 2.5)
        Self.expectClose(observed, expected)
    }

    @Test func deltaSignGivesTheHandComputedChanges() {
        let (expected, s0) = Self.expectedChanges(error: 2.5, eta: 0.1, variantA: false)
        #expect(s0[0] == 1)
        let observed = Self.observedChanges(SignAndRelevance(learningRate: 0.1, hiddenSign: .deltaSign), error: 2.5)
        Self.expectClose(observed, expected)
    }

    @Test func theVariantsDisagreeWhereTheSpecSaysTheyShould() {
        let a = Self.observedChanges(SignAndRelevance(learningRate: 0.1, hiddenSign: .propagatedSign), error: 2.5)
        let b = Self.observedChanges(SignAndRelevance(learningRate: 0.1, hiddenSign: .deltaSign), error: 2.5)
        // First-layer neuron 0 (weights 0, 1) moves in opposite directions; all other
        // synapses agree.
        #expect(a[0] == -b[0] && a[0] != 0)
        #expect(a[1] == -b[1] && a[1] != 0)
        for k in 2..<a.count { #expect(a[k] == b[k]) }
    }

    @Test func relevanceScalesEveryChangeAndTheErrorSignFlipsIt() {
        for variant in SignAndRelevance.HiddenSign.allCases {
            let rule = SignAndRelevance(learningRate: 0.05, hiddenSign: variant)
            let base = Self.observedChanges(rule, error: 1.5)
            let doubled = Self.observedChanges(rule, error: 3.0)
            let flipped = Self.observedChanges(rule, error: -1.5)
            // Changes are read back as (w + dw) - w, exact to the rounding of weights of
            // size about 1 (1e-16); hence an absolute tolerance.
            for k in 0..<base.count {
                #expect(base[k] != 0)
                #expect(abs(doubled[k] - 2 * base[k]) <= 1e-12)
                #expect(abs(flipped[k] + base[k]) <= 1e-12)
            }
        }
    }

    @Test func unitRelevanceIgnoresTheErrorSize() {
        let rule = SignAndRelevance(learningRate: 0.05, hiddenSign: .propagatedSign, relevance: .unit)
        let small = Self.observedChanges(rule, error: 0.1)
        let large = Self.observedChanges(rule, error: 7)
        Self.expectClose(small, large)
        let (expected, _) = Self.expectedChanges(error: 1, eta: 0.05, variantA: true)
        Self.expectClose(small, expected)
    }

    @Test func zeroErrorChangesNothing() {
        for variant in SignAndRelevance.HiddenSign.allCases {
            for relevance in SignAndRelevance.Relevance.allCases {
                let rule = SignAndRelevance(learningRate: 0.3, hiddenSign: variant, relevance: relevance)
                #expect(Self.observedChanges(rule, error: 0).allSatisfy { $0 == 0 })
            }
        }
        var net = Self.network()
        let before = net.weights
        var gdm = GradientDescentClosedLoop(learningRate: 0.3)
        gdm.learn(&net, error: 0)
        #expect(net.weights == before)
    }

    @Test func withPositiveWeightsBothVariantsCoincide() {
        // The authors initialise every weight in [0, 1): then every sign equals sign(E)
        // and variants (a) and (b) make the same change.
        var rng = RandomStream(seed: 7)
        let net = ClosedLoopNetwork(inputCount: 6, layerSizes: [5, 4, 3, 2], firstLayerScale: 1000, rng: &rng)
        var a = net, b = net
        var input = [Double](repeating: 0, count: 6)
        for i in 0..<6 { input[i] = rng.uniform(-1, 1) }
        a.forward(input)
        b.forward(input)
        var ra = SignAndRelevance(learningRate: 0.1, hiddenSign: .propagatedSign)
        var rb = SignAndRelevance(learningRate: 0.1, hiddenSign: .deltaSign)
        ra.learn(&a, error: -3)
        rb.learn(&b, error: -3)
        #expect(a.weights == b.weights)
        #expect(a.signs.allSatisfy { $0 == -1 })
    }
}
