import CLaneKernels

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
    /// The instructions the inner loops use (the same bits with each).
    public let instructionSet: LaneInstructionSet
    /// Offset in `storage` of per-lane scratch (a lane's normals or softmax: twice the widest
    /// layer), after the lanes.
    let scratchOffset: Int
    /// Offset in `storage` of the fused ascent's accumulators (four chains of lane vectors
    /// per unit of the widest layer), after the scratch.
    let accumulatorOffset: Int

    /// The eight networks, one per lane; they must have the same shape and one row.
    /// `instructionSet` must be supported by this processor.
    public init(_ networks: [TeamNetwork], instructionSet: LaneInstructionSet = .best) {
        precondition(instructionSet.isSupported, "this processor cannot run the \(instructionSet) lane kernels")
        self.instructionSet = instructionSet
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
        let widest = max(first.outputCount, first.hidden.max() ?? 0)
        accumulatorOffset = scratchOffset + 2 * widest
        var storage = Array(repeating: 0.0, count: accumulatorOffset + 4 * widest * Self.lanes)
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
}
