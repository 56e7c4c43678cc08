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
        EnvironmentEntry(id: Acrobot.id, summary: "Gymnasium Acrobot-v1 (classic control, book dynamics, RK4)") { options in
            try options.rejectUnknownKeys(allowed: ["max_episode_steps"])
            return Acrobot(maxEpisodeSteps: try options.int("max_episode_steps", default: 500))
        },
        EnvironmentEntry(id: MountainCar.id, summary: "Gymnasium MountainCar-v0 (classic control, discrete)") { options in
            try options.rejectUnknownKeys(allowed: ["max_episode_steps"])
            return MountainCar(maxEpisodeSteps: try options.int("max_episode_steps", default: 200))
        },
        EnvironmentEntry(
            id: MountainCarContinuous.id, summary: "Gymnasium MountainCarContinuous-v0 (classic control, continuous)"
        ) { options in
            try options.rejectUnknownKeys(allowed: ["max_episode_steps"])
            return MountainCarContinuous(maxEpisodeSteps: try options.int("max_episode_steps", default: 999))
        },
        EnvironmentEntry(id: Pendulum.id, summary: "Gymnasium Pendulum-v1 (classic control, g = 10)") { options in
            try options.rejectUnknownKeys(allowed: ["max_episode_steps", "g"])
            return Pendulum(
                gravity: try options.double("g", default: 10.0),
                maxEpisodeSteps: try options.int("max_episode_steps", default: 200))
        },
        EnvironmentEntry(
            id: Reaching1D.id, summary: "neurogym Reaching1D-v0 as configured by NRL (dt 10 ms, 300-step trials)"
        ) { options in
            try options.rejectUnknownKeys(allowed: ["exact_target_reward"])
            return Reaching1D(exactTargetReward: try options.bool("exact_target_reward", default: false))
        },
        EnvironmentEntry(id: LunarLander.id, summary: "Gymnasium LunarLander-v3 (Box2D), Discrete(4); continuous = true for Box(2)") { options in
            try options.rejectUnknownKeys(allowed: ["continuous", "max_episode_steps"])
            return LunarLander(
                continuous: try options.bool("continuous", default: false),
                maxEpisodeSteps: try options.int("max_episode_steps", default: 1000))
        },
        EnvironmentEntry(id: LunarLander.continuousId, summary: "Gymnasium LunarLanderContinuous-v3 (Box2D), Box(2) throttles") { options in
            try options.rejectUnknownKeys(allowed: ["max_episode_steps"])
            return LunarLander(continuous: true, maxEpisodeSteps: try options.int("max_episode_steps", default: 1000))
        },
        EnvironmentEntry(id: LineFollower.id, summary: "line-following robot of Daryanavard & Porr's Enki simulator") { options in
            LineFollower(configuration: try LineFollower.Configuration(options: options))
        },
    ]

    public static var ids: [String] { all.map(\.id) }

    public static func entry(_ id: String) -> EnvironmentEntry? { all.first { $0.id == id } }
}
