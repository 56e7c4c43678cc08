import ThreeFactor
@testable import Replication

extension RandomStream {
    /// Normal with the given mean and standard deviation.
    mutating func normal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * normal()
    }
}

extension RunOutcome {
    var allComplete: Bool { statuses.values.allSatisfy { $0 == .complete } }
}
