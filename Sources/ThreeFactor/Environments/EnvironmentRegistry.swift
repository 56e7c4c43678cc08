/// Every environment the toolkit ships, by registered id.
///
/// To add an environment: write its file (header states its spec) and add one entry here.
public struct EnvironmentEntry: Sendable {
    public let id: String
    public let summary: String
    /// Builds the environment; `options` carries task settings from the experiment file
    /// (most environments take none and reject unknown keys).
    public let make: @Sendable (Hyperparameters) throws -> any Environment

    public init(id: String, summary: String, make: @escaping @Sendable (Hyperparameters) throws -> any Environment) {
        self.id = id
        self.summary = summary
        self.make = make
    }
}

public enum EnvironmentRegistry {
    public static let all: [EnvironmentEntry] = [
        EnvironmentEntry(id: CartPole.id, summary: "Gymnasium CartPole-v1 (classic control)") { options in
            try options.rejectUnknownKeys(allowed: ["max_episode_steps"])
            return CartPole(maxEpisodeSteps: try options.int("max_episode_steps", default: 500))
        },
        EnvironmentEntry(id: LineFollower.id, summary: "line-following robot of Daryanavard & Porr's Enki simulator") { options in
            LineFollower(configuration: try LineFollower.Configuration(options: options))
        },
    ]

    public static var ids: [String] { all.map(\.id) }

    public static func entry(_ id: String) -> EnvironmentEntry? { all.first { $0.id == id } }
}
