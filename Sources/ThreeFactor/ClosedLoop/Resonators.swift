/// The filter bank between the predictors and the network: every predictor feeds a few
/// filters, and the network sees all their outputs (input `filtersPerInput * i + f`).
///
/// Closed-loop learning needs the predictors to overlap in time with the error they
/// predict: a curve is seen by the far sensors some steps before the near sensors reach
/// it. The filters smear each predictor over time, with several time scales per predictor,
/// so that some filter output is still up when the error arrives.
///
/// Two kinds, as in the authors' two setups:
///
/// - `resonators` (the simulator, `bandpass.cpp` of Sama-Darya/enkiSimulator): 2nd-order
///   all-pole IIR filters. For a normalised frequency `f` (cycles per step) and quality
///   factor `q`, the s-plane poles `-e +- i w` with `e = 2 pi f / (2 q)`,
///   `w = sqrt((2 pi f)^2 - e^2)` are mapped by `z = exp(s)`, giving
///   `y[n] = (x[n] - a1 w[n-1] - a2 w[n-2]) / norm` with `a1 = -2 exp(-e) cos w`,
///   `a2 = exp(-2 e)`, i.e. the impulse response
///   `h[n] = exp(-e n) sin(w (n + 1)) / (sin(w) norm)`.
///   `norm` is the largest |output| of the un-normalised filter, started at rest, over
///   the first `i < 2 / f` samples of a unit step that switches on at sample 2 (the
///   authors' `calcNorm`), so a sustained input of 1 peaks near 1.
///   The `count` centre frequencies are spaced evenly from `1 / maxPeriod` to
///   `1 / minPeriod` (accumulated as `f += df`, as the authors do); their simulator uses
///   5 filters, periods 3..10 steps (0.1, 0.158, 0.217, 0.275, 0.333 cycles/step) and
///   `q` = 0.51 (barely above critical damping: one broad bump per filter).
/// - `delays` (the robot, `neural.cpp` of Sama-Darya/lineFollowerRobot): taps delayed
///   by 0, 1, ..., count - 1 steps. Before a tap has seen `count` samples it holds the
///   first sample (the robot's `boost::circular_buffer` returns its oldest element).
public struct FilterBank: Sendable {
    /// The kind of filters and their settings.
    public enum Kind: Sendable, Equatable {
        /// `count` resonators per input with periods from `minPeriod` to `maxPeriod` steps and
        /// quality factor `q` (> 0.5: an underdamped pole pair).
        case resonators(count: Int, minPeriod: Double, maxPeriod: Double, q: Double)
        /// Taps delayed by 0 ..< `count` steps.
        case delays(count: Int)

        /// The authors' simulator: 5 resonators, periods 3..10 steps, Q 0.51.
        public static let simulator = Kind.resonators(count: 5, minPeriod: 3, maxPeriod: 10, q: 0.51)
    }

    /// The kind of filters, with their settings.
    public let kind: Kind
    /// The number of inputs (predictors).
    public let inputCount: Int
    /// Filters per input.
    public let filtersPerInput: Int
    /// The number of outputs, `inputCount * filtersPerInput`; output `filtersPerInput * i + f`
    /// is filter `f` of input `i`.
    public var outputCount: Int { inputCount * filtersPerInput }

    /// Per-filter coefficients (resonators): `a1`, `a2`, `norm`; and centre frequencies.
    public let frequencies: [Double]
    let a1: [Double]
    let a2: [Double]
    let norms: [Double]
    /// Resonators: `w[n-1]`, `w[n-2]` per output. Delays: the last `count` samples per
    /// input, newest first.
    var state1: [Double]
    var state2: [Double]
    var delayHistory: [Double]
    var samplesSeen = 0

    /// A bank at rest. Resonators need `count >= 1`, `0 < minPeriod <= maxPeriod` and `q > 0.5`
    /// (a precondition).
    public init(kind: Kind, inputCount: Int) {
        self.kind = kind
        self.inputCount = inputCount
        switch kind {
        case .resonators(let count, let minPeriod, let maxPeriod, let q):
            precondition(count >= 1 && minPeriod > 0 && maxPeriod >= minPeriod && q > 0.5,
                         "resonators need count >= 1, 0 < min_period <= max_period, q > 0.5")
            filtersPerInput = count
            let fMin = 1 / maxPeriod
            let fMax = 1 / minPeriod
            let df = count > 1 ? (fMax - fMin) / Double(count - 1) : 0
            var f = fMin
            var fs: [Double] = [], b1: [Double] = [], b2: [Double] = [], ns: [Double] = []
            for _ in 0..<count {
                let r = Resonator(frequency: f, q: q)
                fs.append(f)
                b1.append(r.a1)
                b2.append(r.a2)
                ns.append(r.norm)
                f += df
            }
            frequencies = fs
            a1 = b1
            a2 = b2
            norms = ns
            delayHistory = []
        case .delays(let count):
            precondition(count >= 1, "delays need count >= 1")
            filtersPerInput = count
            frequencies = []
            a1 = []
            a2 = []
            norms = []
            delayHistory = Array(repeating: 0, count: inputCount * count)
        }
        state1 = Array(repeating: 0, count: inputCount * filtersPerInput)
        state2 = state1
    }

    /// Feeds one sample per input and writes every filter's output.
    @inline(__always)
    public mutating func filter(_ input: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        let perInput = filtersPerInput
        switch kind {
        case .resonators:
            a1.withUnsafeBufferPointer { a1 in
                a2.withUnsafeBufferPointer { a2 in
                    norms.withUnsafeBufferPointer { norms in
                        state1.withUnsafeMutableBufferPointer { s1 in
                            state2.withUnsafeMutableBufferPointer { s2 in
                                for i in 0..<inputCount {
                                    let v = input[i]
                                    for f in 0..<perInput {
                                        let k = i * perInput + f
                                        let w = v - a1[f] * s1[k] - a2[f] * s2[k]
                                        s2[k] = s1[k]
                                        s1[k] = w
                                        output[k] = w / norms[f]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        case .delays:
            let first = samplesSeen == 0
            delayHistory.withUnsafeMutableBufferPointer { h in
                for i in 0..<inputCount {
                    let base = i * perInput
                    if first {
                        for f in 0..<perInput { h[base + f] = input[i] }
                    } else {
                        var f = perInput - 1
                        while f > 0 {
                            h[base + f] = h[base + f - 1]
                            f -= 1
                        }
                        h[base] = input[i]
                    }
                    for f in 0..<perInput { output[base + f] = h[base + f] }
                }
            }
        }
        samplesSeen += 1
    }

    /// Convenience for tests and tools: filters one sample vector.
    public mutating func filter(_ input: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: outputCount)
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in filter(i, into: o) }
        }
        return out
    }
}

/// One resonator's coefficients, computed as the authors' `Bandpass::setParameters`.
public struct Resonator: Sendable, Equatable {
    /// The centre frequency `f`, in cycles per step.
    public let frequency: Double
    /// The quality factor; above 0.5 the poles are complex (a resonance), at 0.5 critically
    /// damped.
    public let q: Double
    /// Pole damping `e` and angle `w` (radians per step).
    public let damping: Double
    /// The pole angle `w`, in radians per step.
    public let angle: Double
    /// The feedback coefficient of `w[n-1]`, `-2 exp(-e) cos w`.
    public let a1: Double
    /// The feedback coefficient of `w[n-2]`, `exp(-2 e)`.
    public let a2: Double
    /// The output's divisor: the largest |output| of the un-normalised step response, so a
    /// sustained input of 1 peaks near 1.
    public let norm: Double

    /// The coefficients for centre frequency `f` (cycles per step, in (0, 0.5)) and quality
    /// factor `q` > 0.5; at `q` <= 0.5 the angle would be NaN.
    public init(frequency f: Double, q: Double) {
        frequency = f
        self.q = q
        let omega = f * Double.pi * 2
        let e = omega / (2 * q)
        let w = (omega * omega - e * e).squareRoot()
        damping = e
        angle = w
        // -(exp(s1) + exp(s2)) and exp(s1 + s2) for s = -e +- i w.
        a1 = -2 * closedLoopExp(-e) * _cos(w)
        a2 = closedLoopExp(-2 * e)
        // Largest |output| of the un-normalised filter over its step response.
        var w1 = 0.0, w2 = 0.0, peak = 0.0
        var i = 0
        while Double(i) < 2 / f {
            let v: Double = i > 1 ? 1 : 0
            let y = v - a1 * w1 - a2 * w2
            w2 = w1
            w1 = y
            peak = max(peak, abs(y))
            i += 1
        }
        norm = peak
    }

}

extension FilterBank: Checkpointable {
    public func save(to archive: inout StateArchive) {
        archive.append(state1)
        archive.append(state2)
        archive.append(delayHistory)
        archive.append(samplesSeen)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try reader.doubles(into: &state1)
        try reader.doubles(into: &state2)
        try reader.doubles(into: &delayHistory)
        samplesSeen = try reader.int()
    }
}
