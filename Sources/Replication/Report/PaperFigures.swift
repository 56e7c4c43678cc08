import Foundation
import ThreeFactor

/// What a paper-specific figure builder receives.
public struct PaperFigureContext {
    public var experiments: PaperExperiments
    public var profile: String
    /// The logs that exist for this profile, in experiment-file order.
    public var logs: [ExperimentLog]
    public var reference: ReferenceFile
}

/// Figures a paper needs beyond the generic learning curves (e.g. final return vs depth,
/// steps to success per method, the robot's track). To add some: write a builder and add
/// one entry to `all`, keyed by paper id.
public enum PaperFigures {
    public typealias Builder = @Sendable (PaperFigureContext) throws -> [FigureFile]

    public static let all: [String: Builder] = [
        "sar": { try SaRFigures.build($0) },
        "nrl": NRLFigures.build,
    ]

    static func figures(for paper: String, _ context: PaperFigureContext) throws -> [FigureFile] {
        try all[paper]?(context) ?? []
    }
}
