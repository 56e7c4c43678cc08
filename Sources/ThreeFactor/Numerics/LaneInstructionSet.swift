import CLaneKernels

/// The instruction sets the lockstep networks' inner loops (`CLaneKernels`) are compiled for,
/// one of which a `LockstepTeamNetwork` uses; chosen at run time, so one binary runs on any
/// processor.
///
/// Every set gives the same bits: the kernels write each fused multiply–add explicitly and
/// nothing else is contracted or reordered, so only the width of the instructions differs.
/// `LockstepTests` runs every supported set against the single-seed path.
public enum LaneInstructionSet: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The C library's `fma` per element: any processor, slowest.
    case portable
    /// Two 256-bit instructions per eight lanes (x86-64 with AVX2 and FMA).
    case avx2
    /// One 512-bit instruction per eight lanes (x86-64 with AVX-512F).
    case avx512

    /// Whether this processor and its operating system can run the set.
    public var isSupported: Bool { tf_lanes_supported(cValue) != 0 }

    /// The widest supported set.
    public static let best: LaneInstructionSet = allCases.last(where: \.isSupported) ?? .portable

    /// The supported sets, narrowest first.
    public static var supported: [LaneInstructionSet] { allCases.filter(\.isSupported) }

    public var description: String { rawValue }

    /// Floating-point operations per round of `fmaChains`: twelve chains one register wide
    /// (4 doubles, 8 with AVX-512), 2 operations per fused multiply–add.
    public var operationsPerFMARound: Int { 12 * Int(tf_lanes_peak_lanes(cValue)) * 2 }

    /// `rounds` rounds of twelve independent chains of fused multiply–adds
    /// `a = a * multiplier + addend`, each one register of these instructions wide: the FMA
    /// units' throughput, the yardstick of `make bench`. Returns the chains' sum (so the loop
    /// cannot be removed).
    public func fmaChains(rounds: Int, multiplier: Double, addend: Double) -> Double {
        precondition(isSupported, "this processor cannot run the \(self) lane kernels")
        return tf_lanes_peak_chains(cValue, rounds, multiplier, addend)
    }

    var cValue: tf_lane_isa {
        switch self {
        case .portable: TF_LANES_PORTABLE
        case .avx2: TF_LANES_AVX2
        case .avx512: TF_LANES_AVX512
        }
    }
}
