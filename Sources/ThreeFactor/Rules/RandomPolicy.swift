/// The uniformly random policy: every action drawn uniformly from the action space (an
/// integer in `0..<n`, or each dimension uniform in `[low, high]`), nothing learned.
///
/// It is the zero of the cross-paper benchmark's normalised scores (Agarwal et al.,
/// "Deep Reinforcement Learning at the Edge of the Statistical Precipice", NeurIPS 2021,
/// normalise by a random and a reference score, as the Atari literature does since Mnih et
/// al. 2015) and a floor every learning rule must clear.
public struct RandomPolicy: EpisodicAgent {
    let actionSpace: ActionSpace
    var stream: RandomStream

    /// A random policy for the task's action space, drawing from `stream`.
    public init(task: TaskShape, stream: RandomStream) {
        actionSpace = task.actionSpace
        self.stream = stream
    }

    /// The catalog entry of `random`: the episodic kind, discrete and continuous actions, no
    /// parameters.
    public static let descriptor = RuleDescriptor(
        name: "random",
        summary: "the uniformly random policy: actions drawn uniformly from the action space, nothing learns",
        citation: "the normalisation anchor of Mnih et al., Nature 518, 2015, and Agarwal et al., NeurIPS 2021",
        equations: "Sources/ThreeFactor/Rules/RandomPolicy.swift",
        implementations: [
            .episodic(actionSpaces: [.discrete, .continuous], parameters: ParameterTable([])) { _, task, stream in
                RandomPolicy(task: task, stream: stream)
            },
        ])

    public mutating func act(_ observation: [Double], episodeStart: Bool) -> Action {
        Self.draw(actionSpace, &stream)
    }

    /// A uniformly random action of the space.
    public static func draw(_ space: ActionSpace, _ stream: inout RandomStream) -> Action {
        switch space {
        case .discrete(let n): return .discrete(stream.integer(below: n))
        case .box(let low, let high):
            var a = SIMD4<Double>()
            for i in 0..<min(low.count, 4) { a[i] = stream.uniform(low[i], high[i]) }
            return .continuous(a)
        }
    }

    public mutating func observe(reward: Double, nextObservation: [Double], terminated: Bool, truncated: Bool) {}

    public var hasDiverged: Bool { false }

    public func save(to archive: inout StateArchive) { stream.save(to: &archive) }
    public mutating func load(from reader: inout StateArchive.Reader) throws { try stream.load(from: &reader) }
}
