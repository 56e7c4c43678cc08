/// Eight networks of one shape, one per SIMD lane: the seeds of an experiment advancing in
/// lockstep, each with its own weights, traces, Adam moments and noise stream.
///
/// Why: the single-seed network spends a step on small matrix–vector products (64 x 4,
/// 32 x 64, 2 x 32) whose narrow shapes leave vector registers and FMA units idle. With one
/// seed per lane every operation is eight seeds wide whatever the layer's shape: an output
/// layer of two units costs what its 32 inputs cost, and no weight is broadcast.
///
/// Layout: `TeamNetwork`'s single storage array, interleaved: element `k` of lane `s` is at
/// `k * 8 + s`, so each layer's offsets are the single network's times eight, and a lane's
/// network is read back by striding (`network(lane:)`).
///
/// Bits: each lane is a `TeamNetwork` run on its own, bit for bit. Lanes never mix, so what
/// must match is each element's own sequence of operations; the kernels here reproduce the
/// summation order of `DenseKernels.vectorTimesMatrix` per output (its 16-column blocks sum
/// even and odd rows in two chains, its 4-column blocks one chain, its narrow tail four
/// chains over the rows mod 4, bias last), and the element-wise code (activations, Adam's
/// arithmetic) is the same IEEE operations in another lane. Noise is drawn lane by lane
/// from each lane's own stream, in the single network's order. `LockstepTests` holds every
/// lane to the single-seed path: every logged number and the checkpoint.
public struct LockstepTeamNetwork: Sendable {
    /// Seeds per network: the lanes of one `Lanes` vector.
    public static let lanes = 8
    /// One value per lane.
    public typealias Lanes = SIMD8<Double>
    /// One flag per lane.
    public typealias LaneMask = SIMDMask<SIMD8<Int64>>

    /// The single-seed network whose layout (offsets, shapes, variances) every lane shares.
    let template: TeamNetwork
    var storage: [Double]
    var adamSteps: [Int]
    var firstPotentialIsCurrent: [Bool]
    var noise: [RandomStream]
    /// Offset in `storage` of per-lane scratch (a lane's normals or softmax: twice the widest
    /// layer), after the lanes.
    let scratchOffset: Int

    /// The eight networks, one per lane; they must have the same shape and one row.
    public init(_ networks: [TeamNetwork]) {
        precondition(networks.count == Self.lanes, "one network per lane")
        let first = networks[0]
        precondition(first.batchSize == 1, "lockstep networks keep one row per lane")
        for n in networks {
            precondition(
                n.inputCount == first.inputCount && n.hidden == first.hidden && n.outputCount == first.outputCount
                    && n.activation == first.activation && n.outputUnits == first.outputUnits
                    && n.variances == first.variances && n.batchSize == 1,
                "lockstep networks must have one shape")
        }
        template = first
        let count = first.storage.count
        scratchOffset = count * Self.lanes
        var storage = Array(repeating: 0.0, count: scratchOffset + 2 * max(first.outputCount, first.hidden.max() ?? 0))
        for (s, n) in networks.enumerated() {
            for k in 0..<count { storage[k * Self.lanes + s] = n.storage[k] }
        }
        self.storage = storage
        adamSteps = networks.map(\.adamStep)
        firstPotentialIsCurrent = networks.map(\.firstPotentialIsCurrent)
        noise = networks.map(\.noise)
    }

    /// Lane `s` as a single-seed network: the same state as if it had run alone.
    public func network(lane s: Int) -> TeamNetwork {
        var n = template
        n.storage.withUnsafeMutableBufferPointer { out in
            for k in 0..<out.count { out[k] = storage[k * Self.lanes + s] }
        }
        n.adamStep = adamSteps[s]
        n.firstPotentialIsCurrent = firstPotentialIsCurrent[s]
        n.noise = noise[s]
        // The lanes keep no transposed weights (the feedback pass reads W row by row).
        n.refreshTransposedWeights()
        return n
    }

    /// The lanes whose weights and biases are all finite.
    public var finiteLanes: LaneMask {
        var finite = LaneMask(repeating: true)
        for layout in template.layers {
            for k in 0..<(layout.inputs * layout.outputs) {
                finite .&= Self.isFinite(everyLane(of: layout.weights + k))
            }
            for k in 0..<layout.outputs { finite .&= Self.isFinite(everyLane(of: layout.bias + k)) }
        }
        return finite
    }

    @inline(__always)
    static func isFinite(_ v: Lanes) -> LaneMask {
        // x - x is 0 for finite x and NaN for infinities and NaN.
        (v - v) .== Lanes()
    }

    /// Element `element` of the single network's storage, every lane.
    @inline(__always)
    func everyLane(of element: Int) -> Lanes {
        storage.withUnsafeBufferPointer { Self.load($0.baseAddress! + element * Self.lanes) }
    }

    // MARK: Lane kernels

    @inline(__always)
    static func load(_ p: UnsafePointer<Double>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    @inline(__always)
    static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }

    /// out[o] = bias[o] + sum_k x[k] * M(k, o) for o in 0..<outputs, every lane summed in the
    /// order `DenseKernels.vectorTimesMatrix` sums output column o of a `count x outputs`
    /// matrix. M(k, o) is the lane vector at `m + (k * strideK + o * strideO) * 8`: the forward
    /// pass reads W (strideK = columns, strideO = 1), the feedback pass W^T (1, columns).
    @inline(__always)
    static func vectorTimesMatrix(
        _ x: UnsafePointer<Double>, count: Int, _ m: UnsafePointer<Double>, strideK: Int, strideO: Int,
        bias: UnsafePointer<Double>?, outputs: Int, into out: UnsafeMutablePointer<Double>
    ) {
        let w = lanes
        @inline(__always) func biasAt(_ o: Int) -> Lanes { bias.map { load($0 + o * w) } ?? Lanes() }
        @inline(__always) func element(_ k: Int, _ o: Int) -> UnsafePointer<Double> { m + (k * strideK + o * strideO) * w }
        let sixteen = outputs & ~15
        let four = sixteen + ((outputs - sixteen) & ~3)
        let evenCount = count & ~1
        // 16-column blocks: even and odd rows in separate chains; two outputs at a time.
        var o = 0
        while o < sixteen {
            var e0 = Lanes(), o0 = Lanes(), e1 = Lanes(), o1 = Lanes()
            var k = 0
            while k < evenCount {
                let xa = load(x + k * w), xb = load(x + (k + 1) * w)
                e0 = e0.addingProduct(xa, load(element(k, o)))
                e1 = e1.addingProduct(xa, load(element(k, o + 1)))
                o0 = o0.addingProduct(xb, load(element(k + 1, o)))
                o1 = o1.addingProduct(xb, load(element(k + 1, o + 1)))
                k += 2
            }
            if k < count {
                let xa = load(x + k * w)
                e0 = e0.addingProduct(xa, load(element(k, o)))
                e1 = e1.addingProduct(xa, load(element(k, o + 1)))
            }
            store((e0 + o0) + biasAt(o), out + o * w)
            store((e1 + o1) + biasAt(o + 1), out + (o + 1) * w)
            o += 2
        }
        // 4-column blocks: one chain over all rows.
        while o < four {
            var a = Lanes()
            for k in 0..<count { a = a.addingProduct(load(x + k * w), load(element(k, o))) }
            store(a + biasAt(o), out + o * w)
            o += 1
        }
        // The narrow tail: four chains over the rows mod 4, the leftover rows into the first.
        while o < outputs {
            var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
            var k = 0
            while k + 4 <= count {
                s0 = s0.addingProduct(load(x + k * w), load(element(k, o)))
                s1 = s1.addingProduct(load(x + (k + 1) * w), load(element(k + 1, o)))
                s2 = s2.addingProduct(load(x + (k + 2) * w), load(element(k + 2, o)))
                s3 = s3.addingProduct(load(x + (k + 3) * w), load(element(k + 3, o)))
                k += 4
            }
            while k < count {
                s0 = s0.addingProduct(load(x + k * w), load(element(k, o)))
                k += 1
            }
            store(((s0 + s1) + (s2 + s3)) + biasAt(o), out + o * w)
            o += 1
        }
    }

    /// sqrt(v) as `Adam.denominatorRoot` computes it, lane by lane.
    @inline(__always)
    static func denominatorRoot(_ v: Lanes) -> Lanes {
        Lanes(lowHalf: Adam.denominatorRoot(v.lowHalf), highHalf: Adam.denominatorRoot(v.highHalf))
    }
}
