/// The toolkit's own rules, experiment kinds and tasks: the catalog's starting contents.
/// An entry is added here with one line (a rule's descriptor lives in its own file).
extension Catalog {
    static var builtInRules: [RuleDescriptor] {
        [
            MAPPropagation.descriptor,
            REINFORCETeam.descriptor,
            Backpropagation.descriptor,
            NoiseBasedRewardModulated.descriptor,
            RewardModulatedHebbian.descriptor,
            BackpropREINFORCE.descriptor,
            SignAndRelevance.propagatedSignDescriptor,
            SignAndRelevance.deltaSignDescriptor,
            GradientDescentClosedLoop.descriptor,
            ReflexOnly.descriptor,
            RandomPolicy.descriptor,
        ]
    }

    static var builtInKinds: [ExperimentKind] {
        [EpisodicTrials.kind, SupervisedTrials.kind, ClosedLoopTrials.kind]
    }

    static var builtInTasks: [TaskEntry] {
        [
            .environment(id: CartPole.id, summary: "Gymnasium CartPole-v1 (classic control)") { options in
                try options.rejectUnknownKeys(allowed: ["max_episode_steps"])
                return CartPole(maxEpisodeSteps: try options.int("max_episode_steps", default: 500))
            },
            .environment(id: Acrobot.id, summary: "Gymnasium Acrobot-v1 (classic control, book dynamics, RK4)") { options in
                try options.rejectUnknownKeys(allowed: ["max_episode_steps"])
                return Acrobot(maxEpisodeSteps: try options.int("max_episode_steps", default: 500))
            },
            .environment(id: MountainCar.id, summary: "Gymnasium MountainCar-v0 (classic control, discrete)") { options in
                try options.rejectUnknownKeys(allowed: ["max_episode_steps"])
                return MountainCar(maxEpisodeSteps: try options.int("max_episode_steps", default: 200))
            },
            .environment(
                id: MountainCarContinuous.id, summary: "Gymnasium MountainCarContinuous-v0 (classic control, continuous)"
            ) { options in
                try options.rejectUnknownKeys(allowed: ["max_episode_steps"])
                return MountainCarContinuous(maxEpisodeSteps: try options.int("max_episode_steps", default: 999))
            },
            .environment(id: Pendulum.id, summary: "Gymnasium Pendulum-v1 (classic control, g = 10)") { options in
                try options.rejectUnknownKeys(allowed: ["max_episode_steps", "g"])
                return Pendulum(
                    gravity: try options.double("g", default: 10.0),
                    maxEpisodeSteps: try options.int("max_episode_steps", default: 200))
            },
            .environment(
                id: Reaching1D.id, summary: "neurogym Reaching1D-v0 as configured by NRL (dt 10 ms, 300-step trials)"
            ) { options in
                try options.rejectUnknownKeys(allowed: ["exact_target_reward"])
                return Reaching1D(exactTargetReward: try options.bool("exact_target_reward", default: false))
            },
            .environment(id: LunarLander.id, summary: "Gymnasium LunarLander-v3 (Box2D), Discrete(4); continuous = true for Box(2)") { options in
                try options.rejectUnknownKeys(allowed: ["continuous", "max_episode_steps"])
                return LunarLander(
                    continuous: try options.bool("continuous", default: false),
                    maxEpisodeSteps: try options.int("max_episode_steps", default: 1000))
            },
            .environment(id: LunarLander.continuousId, summary: "Gymnasium LunarLanderContinuous-v3 (Box2D), Box(2) throttles") { options in
                try options.rejectUnknownKeys(allowed: ["max_episode_steps"])
                return LunarLander(continuous: true, maxEpisodeSteps: try options.int("max_episode_steps", default: 1000))
            },
            .environment(
                id: LineFollower.id, summary: "line-following robot of Daryanavard & Porr's Enki simulator",
                kind: ClosedLoopTrials.kindName, actionSpace: LineFollower.wheelSpeeds
            ) { options in
                LineFollower(configuration: try LineFollower.Configuration(options: options))
            },
        ] + SupervisedTrials.tasks
    }
}

extension TaskEntry {
    /// An environment's entry. Its action space is read from the environment built with
    /// default options, unless given (an environment whose construction is costly, e.g. the
    /// line follower's track, is then built only when a run needs it). `options` carries the
    /// experiment's `env_options` (most environments take none and reject unknown keys).
    public static func environment(
        id: String, summary: String, kind: String = EpisodicTrials.kindName, actionSpace: ActionSpace? = nil,
        make: @escaping @Sendable (Hyperparameters) throws -> any Environment
    ) -> TaskEntry {
        let space: ActionSpace
        if let actionSpace {
            space = actionSpace
        } else {
            do { space = try make(Hyperparameters()).actionSpace } catch {
                preconditionFailure("environment \(id) cannot be built with default options: \(error)")
            }
        }
        return TaskEntry(id: id, summary: summary, kind: kind, actionSpace: space, makeEnvironment: make)
    }
}
