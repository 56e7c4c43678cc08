import Testing
@testable import ThreeFactor

/// Helpers shared by the policy-network and NRL tests.
enum PolicyTestSupport {
    /// `d log pi(action | observation) / dW` by the network's hand-written backprop.
    static func analyticGradient(_ net: PolicyMLP, _ observation: [Double], action: Int) -> [Double] {
        var net = net
        net.forwardClean(observation)
        var node = Array(repeating: 0.0, count: net.clean.noise.count)
        net.logProbabilityNodeGradient(action, of: net.clean, into: &node)
        var grad = Array(repeating: 0.0, count: net.weights.count)
        net.addOuterProducts(
            scale: 1, layerScale: Array(repeating: 1, count: net.layerCount), post: node, presynaptic: .clean,
            into: &grad)
        return grad
    }

    /// `d log pi(action | observation) / dW` by central finite differences.
    static func finiteDifferenceGradient(_ net: PolicyMLP, _ observation: [Double], action: Int, step h: Double = 1e-6) -> [Double] {
        var net = net
        var grad = Array(repeating: 0.0, count: net.weights.count)
        for i in grad.indices {
            let w = net.weights[i]
            net.weights[i] = w + h
            net.forwardClean(observation)
            let up = net.logProbability(action, of: net.clean)
            net.weights[i] = w - h
            net.forwardClean(observation)
            let down = net.logProbability(action, of: net.clean)
            net.weights[i] = w
            grad[i] = (up - down) / (2 * h)
        }
        return grad
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
    static func cosine(_ a: [Double], _ b: [Double]) -> Double { dot(a, b) / (norm(a) * norm(b)) }

    static func randomVector(_ n: Int, _ stream: inout RandomStream, scale: Double = 1) -> [Double] {
        (0..<n).map { _ in scale * stream.normal() }
    }
}

@Suite struct PolicyMLPTests {
    @Test func xavierNormalInitialisationHasTheRightSpread() {
        var stream = RandomStream(seed: 7)
        let net = PolicyMLP(layerSizes: [40, 60, 20], initialisation: &stream)
        // Layer 1: std sqrt(2 / 100); layer 2: std sqrt(2 / 80). 2,400 and 1,200 draws:
        // the sample variance is within 10 % of the target with overwhelming probability.
        let w1 = net.weights[0..<2400], w2 = net.weights[2400..<3600]
        let var1 = w1.reduce(0) { $0 + $1 * $1 } / 2400, var2 = w2.reduce(0) { $0 + $1 * $1 } / 1200
        #expect(abs(var1 / (2.0 / 100) - 1) < 0.1)
        #expect(abs(var2 / (2.0 / 80) - 1) < 0.1)
    }

    @Test func forwardPassMatchesADirectComputation() {
        var stream = RandomStream(seed: 3)
        var net = PolicyMLP(layerSizes: [3, 4, 2], initialisation: &stream)
        let s = [0.3, -1.2, 0.7]
        net.forwardClean(s)
        var hidden = [Double]()
        for i in 0..<4 {
            var a = 0.0
            for j in 0..<3 { a += net.weights[i * 3 + j] * s[j] }
            hidden.append(a >= 0 ? a : 0.1 * a)
        }
        var logits = [Double]()
        for k in 0..<2 {
            var a = 0.0
            for j in 0..<4 { a += net.weights[12 + k * 4 + j] * hidden[j] }
            logits.append(a)
        }
        let z = logits.map { libmExp($0) }.reduce(0, +)
        let p = net.probabilities(of: net.clean)
        for k in 0..<2 {
            #expect(abs(p[k] - libmExp(logits[k]) / z) < 1e-14)
            #expect(abs(net.logProbability(k, of: net.clean) - (logits[k] - libmLog(z))) < 1e-14)
        }
    }

    @Test func noisyPassAddsTheDrawnNoiseToEveryLayerIncludingTheOutput() {
        var stream = RandomStream(seed: 5)
        var net = PolicyMLP(layerSizes: [3, 4, 4, 2], initialisation: &stream)
        let s = [0.3, -1.2, 0.7]
        var noise = RandomStream(seed: 11)
        net.forwardNoisy(s, sigma: 0.1, noiseSource: &noise)
        // The first hidden layer sees the clean input: a~_1 - a_1 = xi_1 exactly (up to
        // rounding); every noisy unit got a nonzero draw.
        net.forwardClean(s)
        for i in net.unitOffset[1]..<net.unitOffset[2] {
            #expect(abs((net.noisy.preActivation[i] - net.clean.preActivation[i]) - net.noisy.noise[i]) < 1e-15)
        }
        for i in net.unitOffset[1]..<net.unitOffset[4] { #expect(net.noisy.noise[i] != 0) }
        // The same noise stream gives the same pass: the noise is the stream's ziggurat
        // normals times sigma.
        var replay = RandomStream(seed: 11)
        for i in net.unitOffset[1]..<net.unitOffset[4] {
            #expect(net.noisy.noise[i] == 0.1 * replay.zigguratNormal())
        }
    }

    @Test func stableSoftmaxNeverNaNsOnHugeLogits() {
        var stream = RandomStream(seed: 1)
        var net = PolicyMLP(layerSizes: [2, 3], initialisation: &stream)
        // Logits [1000, 999, -1000] for the input [1, 0]; the authors' exp(x)/sum(exp(x))
        // gives inf/inf = NaN here.
        net.weights = [1000, 0, 999, 0, -1000, 0]
        net.forwardClean([1, 0])
        let p = net.probabilities(of: net.clean)
        #expect(p.allSatisfy { $0.isFinite })
        #expect(abs(p.reduce(0, +) - 1) < 1e-15)
        #expect(abs(p[0] - 1 / (1 + libmExp(-1))) < 1e-15)
        #expect(abs(net.logProbability(1, of: net.clean) - (-1 - libmLog(1 + libmExp(-1)))) < 1e-12)
        #expect(net.logProbability(2, of: net.clean).isFinite)
        #expect(net.logProbability(2, of: net.clean) < -1999)
        // Through a hidden layer and with noise, also at -1000.
        var deep = PolicyMLP(layerSizes: [2, 2, 3], initialisation: &stream)
        deep.weights = [1, 0, 0, 1, 1000, 0, -1000, 0, 0, 1000]
        var noise = RandomStream(seed: 2)
        for s in [[1.0, 0.0], [-1.0, 0.5], [0.0, -1.0]] {
            deep.forwardClean(s)
            deep.forwardNoisy(s, sigma: 0.1, noiseSource: &noise)
            for pass in [deep.clean, deep.noisy] {
                let q = deep.probabilities(of: pass)
                #expect(q.allSatisfy { $0.isFinite && $0 >= 0 })
                #expect(abs(q.reduce(0, +) - 1) < 1e-12)
                for k in 0..<3 { #expect(deep.logProbability(k, of: pass).isFinite) }
            }
        }
    }

    @Test func backpropGradientMatchesFiniteDifferences() {
        var stream = RandomStream(seed: 21)
        for sizes in [[3, 2], [4, 6, 2], [3, 5, 4, 3], [6, 4, 4, 4, 3]] {
            let net = PolicyMLP(layerSizes: sizes, initialisation: &stream)
            let s = PolicyTestSupport.randomVector(sizes[0], &stream)
            for a in 0..<sizes.last! {
                let analytic = PolicyTestSupport.analyticGradient(net, s, action: a)
                let numeric = PolicyTestSupport.finiteDifferenceGradient(net, s, action: a)
                let scale = max(PolicyTestSupport.norm(numeric), 1e-3)
                let error = PolicyTestSupport.norm(zip(analytic, numeric).map { $0 - $1 })
                // Central differences with h = 1e-6 are accurate to ~1e-9 here.
                #expect(error / scale < 1e-6, "layers \(sizes), action \(a): relative error \(error / scale)")
            }
        }
    }

    @Test func checkpointRestoresWeightsAndPasses() throws {
        var stream = RandomStream(seed: 4)
        var net = PolicyMLP(layerSizes: [3, 5, 2], initialisation: &stream)
        var noise = RandomStream(seed: 9)
        net.forwardClean([1, 2, 3])
        net.forwardNoisy([1, 2, 3], sigma: 0.5, noiseSource: &noise)
        var archive = StateArchive()
        net.save(to: &archive)
        var other = PolicyMLP(layerSizes: [3, 5, 2], initialisation: &stream)
        var reader = StateArchive.Reader(archive)
        try other.load(from: &reader)
        #expect(reader.isAtEnd)
        #expect(other.weights == net.weights && other.clean == net.clean && other.noisy == net.noisy)
    }
}

@Suite struct ZigguratNormalTests {
    /// 100,000 draws: Kolmogorov–Smirnov distance to the normal CDF below the 1 % critical
    /// value 1.628 / sqrt(n); mean and variance within 4 standard errors; the tail beyond
    /// r = 3.654 (sampled by a separate branch) hit as often as 2 Phi(-r) predicts, within
    /// 4 Poisson standard deviations.
    @Test func drawsAreStandardNormal() {
        var stream = RandomStream(seed: 2024)
        let n = 100_000
        var xs = (0..<n).map { _ in stream.zigguratNormal() }
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        #expect(abs(mean) < 4 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 4 * (2 / Double(n)).squareRoot())
        let tail = xs.filter { abs($0) > ZigguratNormal.r }.count
        let expectedTail = Double(n) * libmErfc(ZigguratNormal.r / 2.0.squareRoot())
        #expect(abs(Double(tail) - expectedTail) < 4 * expectedTail.squareRoot(), "tail \(tail) vs \(expectedTail)")
        xs.sort()
        var distance = 0.0
        for (i, x) in xs.enumerated() {
            let cdf = 0.5 * libmErfc(-x / 2.0.squareRoot())
            distance = max(distance, abs(cdf - Double(i) / Double(n)), abs(cdf - Double(i + 1) / Double(n)))
        }
        #expect(distance < 1.628 / Double(n).squareRoot(), "KS distance \(distance)")
    }

    /// Every layer has the same area v: the base strip r f(r) + tail, and the rectangles
    /// x_i (f(x_{i+1}) - f(x_i)); the top layer ends at x = 0 with density 1.
    @Test func layersHaveEqualArea() {
        let r = ZigguratNormal.r, v = ZigguratNormal.v
        let tail = (Double.pi / 2).squareRoot() * libmErfc(r / 2.0.squareRoot())
        #expect(abs(r * libmExp(-r * r / 2) + tail - v) < 1e-12)
        for i in 1..<256 {
            let x = ZigguratNormal.scale[i] * 0x1p52
            let area = x * (ZigguratNormal.density[i + 1] - ZigguratNormal.density[i])
            #expect(abs(area - v) < 1e-9 * v, "layer \(i): area \(area)")
        }
        #expect(ZigguratNormal.density[256] == 1)
        #expect(ZigguratNormal.accept[255] == 0)
    }

    /// The edge cases: a wedge point at position p of layer i is accepted with probability
    /// (f(p) - f(x_i)) / (f(x_{i+1}) - f(x_i)); tail draws have the mean of a normal
    /// conditioned on x > r, phi(r) / Q(r). 40,000 draws each, 4 standard errors.
    @Test func wedgeAndTailBranchesFollowTheDensity() {
        var stream = RandomStream(seed: 77)
        let n = 40_000
        for layer in [1, 60, 200, 255] {
            let xi = ZigguratNormal.scale[layer] * 0x1p52
            let xNext = layer < 255 ? ZigguratNormal.scale[layer + 1] * 0x1p52 : 0
            let p = 0.5 * (xi + xNext)
            var accepted = 0
            for _ in 0..<n where stream.zigguratEdge(layer: layer, position: p) != nil { accepted += 1 }
            let low = ZigguratNormal.density[layer], high = ZigguratNormal.density[layer + 1]
            let q = (libmExp(-p * p / 2) - low) / (high - low)
            let se = (q * (1 - q) / Double(n)).squareRoot()
            #expect(abs(Double(accepted) / Double(n) - q) < 4 * se, "layer \(layer)")
        }
        let r = ZigguratNormal.r
        var sum = 0.0, squares = 0.0
        for _ in 0..<n {
            let x = stream.zigguratEdge(layer: 0, position: r + 1)!
            #expect(x > r)
            sum += x
            squares += x * x
        }
        let mean = sum / Double(n), sd = (squares / Double(n) - mean * mean).squareRoot()
        let expected = libmExp(-r * r / 2) / (2 * Double.pi).squareRoot() / (0.5 * libmErfc(r / 2.0.squareRoot()))
        #expect(abs(mean - expected) < 4 * sd / Double(n).squareRoot(), "tail mean \(mean) vs \(expected)")
    }
}

#if canImport(Glibc)
import Glibc
func libmExp(_ x: Double) -> Double { Glibc.exp(x) }
func libmLog(_ x: Double) -> Double { Glibc.log(x) }
func libmErfc(_ x: Double) -> Double { Glibc.erfc(x) }
#else
import Darwin
func libmExp(_ x: Double) -> Double { Darwin.exp(x) }
func libmLog(_ x: Double) -> Double { Darwin.log(x) }
func libmErfc(_ x: Double) -> Double { Darwin.erfc(x) }
#endif
