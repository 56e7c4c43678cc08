import Foundation
import ThreeFactor

/// What a paper-specific figure builder receives.
public struct PaperFigureContext {
    /// The paper's experiments file.
    public var experiments: PaperExperiments
    /// The profile whose logs are drawn.
    public var profile: String
    /// The logs that exist for this profile, in experiment-file order.
    public var logs: [ExperimentLog]
    /// The paper's reference file (its marks go into the figures).
    public var reference: ReferenceFile
}

/// Figures a paper needs beyond the generic learning curves (e.g. final return vs depth,
/// steps to success per method, the robot's track). To add some: write a builder and add
/// one entry to `all`, keyed by paper id.
public enum PaperFigures {
    /// Draws a paper's own figures from the context.
    public typealias Builder = @Sendable (PaperFigureContext) throws -> [FigureFile]

    /// The builders, by paper id.
    public static let all: [String: Builder] = [
        "sar": { try SaRFigures.build($0) },
        "nrl": NRLFigures.build,
    ]

    static func figures(for paper: String, _ context: PaperFigureContext) throws -> [FigureFile] {
        try all[paper]?(context) ?? []
    }
}
