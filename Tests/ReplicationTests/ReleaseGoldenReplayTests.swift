import Foundation
import Testing

/// The golden trajectories replayed through the `threefactor` binary itself — in `make
/// test` the release build that runs every replication. The core's own golden tests run in
/// the debug build; this one catches what only optimisation changes (a library call folded
/// into arithmetic changes the last bit, and a chaotic system then leaves the reference).
/// Bitwise: float32 observations and float64 rewards must be identical, flags equal.
@Suite(.serialized) struct ReleaseGoldenReplayTests {
    struct Golden: Decodable {
        struct Episode: Decodable {
            var initial_state: [Double]
            var actions: [Action]
            var obs: [[Double]]
            var rewards: [Double]
            var terminated: [Int]
            var truncated: [Int]
        }
        enum Action: Decodable {
            case discrete(Int)
            case continuous([Double])
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let i = try? c.decode(Int.self) {
                    self = .discrete(i)
                } else if let x = try? c.decode(Double.self) {
                    self = .continuous([x])
                } else {
                    self = .continuous(try c.decode([Double].self))
                }
            }
            var line: String {
                switch self {
                case .discrete(let i): "\(i)"
                case .continuous(let v): v.map { "\($0)" }.joined(separator: ",")
                }
            }
        }
        var episodes: [Episode]
    }

    struct Step: Decodable {
        var obs: [Double]
        var reward: Double
        var terminated: Bool
        var truncated: Bool
    }

    static let goldenDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/golden")

    @Test(arguments: ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"])
    func replayIsBitIdentical(id: String) throws {
        let data = try Data(contentsOf: Self.goldenDirectory.appendingPathComponent("\(id).json"))
        let golden = try JSONDecoder().decode(Golden.self, from: data)
        let dir = Scratch.directory("golden-\(id)")
        var compared = 0
        for (k, episode) in golden.episodes.enumerated() {
            let actions = "\(dir)/actions-\(k).txt"
            try (episode.actions.map(\.line).joined(separator: "\n") + "\n").write(toFile: actions, atomically: true, encoding: .utf8)
            // Shortest round-trip decimal, so the state is read back exactly.
            let state = episode.initial_state.map { "\($0)" }.joined(separator: ",")
            let r = try CommandLineTests.threefactor(["env", "replay", id, "--state", state, "--actions", actions])
            #expect(r.status == 0, "\(id) episode \(k): \(r.stderr)")
            let steps = try r.stdout.split(separator: "\n").map { try JSONDecoder().decode(Step.self, from: Data($0.utf8)) }
            #expect(steps.count == episode.actions.count, "\(id) episode \(k): \(steps.count) steps, golden \(episode.actions.count)")
            for (t, s) in zip(steps.indices, steps) {
                let same = s.obs.map { Float($0) } == episode.obs[t].map { Float($0) }
                    && s.reward == episode.rewards[t]
                    && s.terminated == (episode.terminated[t] != 0) && s.truncated == (episode.truncated[t] != 0)
                #expect(same, "\(id) episode \(k) step \(t + 1): \(s) vs golden obs \(episode.obs[t]) reward \(episode.rewards[t])")
                if !same { return }
                compared += 1
            }
        }
        #expect(compared > 1000)
    }
}
