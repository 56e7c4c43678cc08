import Testing
import ThreeFactor
@testable import Replication

@Suite struct EnvReplayTests {
    @Test func listNamesEveryEnvironmentWithItsSpaces() {
        let lines = EnvReplay.listLines()
        #expect(lines.count == Catalog.environments.map(\.id).count)
        #expect(lines.contains { $0.hasPrefix("Acrobot-v1 ") && $0.contains("Discrete(3)") && $0.contains("limit 500") })
        #expect(lines.contains { $0.hasPrefix("Pendulum-v1 ") && $0.contains("Box(low: [-2.0], high: [2.0])") && $0.contains("[theta, theta_dot]") })
    }

    @Test func replayPrintsOneJSONObjectPerStepAndStopsAtTheEnd() throws {
        // MountainCar from the goal's doorstep: the second push right reaches it.
        let lines = try EnvReplay.replay(id: "MountainCar-v0", state: "0.48,0.01", actions: "2\n2\n2\n2\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("{\"step\":1,\"obs\":["))
        #expect(lines[0].hasSuffix("\"reward\":-1.0,\"terminated\":false,\"truncated\":false}"))
        #expect(lines[1].hasSuffix("\"terminated\":true,\"truncated\":false}"))
    }

    @Test func replayMatchesSteppingTheEnvironmentDirectly() throws {
        let lines = try EnvReplay.replay(id: "Pendulum-v1", state: "1.5, -0.25", actions: "0.5\n\n-3\r\n1e-3\n")
        var env = Pendulum()
        var observation = [0.0, 0.0, 0.0]
        try env.setState([1.5, -0.25], observation: &observation)
        var expected: [String] = []
        for (k, a) in [0.5, -3, 1e-3].enumerated() {
            let outcome = env.step(.continuous(SIMD4(a, 0, 0, 0)), observation: &observation)
            expected.append(EnvReplay.stepLine(step: k + 1, observation: observation, outcome: outcome))
        }
        #expect(lines == expected)
        // Observations print as float32 values, rewards as float64 values.
        #expect(EnvReplay.stepLine(step: 3, observation: [0.1, Double(Float(0.1))],
                                   outcome: StepOutcome(reward: 0.1, terminated: false, truncated: true))
                == "{\"step\":3,\"obs\":[0.1,0.1],\"reward\":0.1,\"terminated\":false,\"truncated\":true}")
    }

    @Test func replayTruncatesAtTheTimeLimit() throws {
        let lines = try EnvReplay.replay(id: "Pendulum-v1", state: nil, seed: 4, actions: String(repeating: "0\n", count: 250))
        #expect(lines.count == 200)
        #expect(lines[199].hasSuffix("\"truncated\":true}"))
    }

    @Test func seedStartsAreReproducible() throws {
        let a = try EnvReplay.replay(id: "CartPole-v1", state: nil, seed: 9, actions: "1\n0\n")
        let b = try EnvReplay.replay(id: "CartPole-v1", state: nil, seed: 9, actions: "1\n0\n")
        let c = try EnvReplay.replay(id: "CartPole-v1", state: nil, seed: 10, actions: "1\n0\n")
        #expect(a == b && a != c)
    }

    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as EnvReplayError { return e.description } catch { return "unexpected \(error)" }
        return nil
    }

    @Test func badInputGivesOneLineNamingThePlaceAndTheValidRange() {
        #expect(Self.message { _ = try EnvReplay.replay(id: "Acrobot-v2", state: nil, actions: "") }
                == "unknown environment \"Acrobot-v2\"; expected one of \(Catalog.environments.map(\.id).joined(separator: ", "))")
        #expect(Self.message { _ = try EnvReplay.replay(id: "Acrobot-v1", state: "0,0,0", actions: "") }
                == "--state: expected 4 comma-separated numbers theta1,theta2,dtheta1,dtheta2, got 3 values")
        #expect(Self.message { _ = try EnvReplay.replay(id: "Acrobot-v1", state: "0,0,zero,0", actions: "") }
                == "--state: dtheta1 = \"zero\" is not a finite number; expected 4 comma-separated numbers theta1,theta2,dtheta1,dtheta2")
        #expect(Self.message { _ = try EnvReplay.replay(id: "Acrobot-v1", state: "0,0,inf,0", actions: "") } != nil)
        #expect(Self.message { _ = try EnvReplay.replay(id: "Acrobot-v1", state: nil, actions: "0\n1\n\n1.0\n") }
                == "actions line 4: \"1.0\" is not an integer; expected an integer in 0...2")
        #expect(Self.message { _ = try EnvReplay.replay(id: "Acrobot-v1", state: nil, actions: "0\n3\n") }
                == "actions line 2: action 3 is outside Discrete(3): expected an integer in 0...2")
        #expect(Self.message { _ = try EnvReplay.replay(id: "Acrobot-v1", state: nil, actions: "-1\n") }
                == "actions line 1: action -1 is outside Discrete(3): expected an integer in 0...2")
        #expect(Self.message { _ = try EnvReplay.replay(id: "MountainCarContinuous-v0", state: nil, actions: "0.5\n0.1,0.2\n") }
                == "actions line 2: expected 1 comma-separated real in [-1.0, 1.0], got 2 values")
        #expect(Self.message { _ = try EnvReplay.replay(id: "MountainCarContinuous-v0", state: nil, actions: "nan\n") }
                == "actions line 1: \"nan\" is not a finite real; expected 1 comma-separated real in [-1.0, 1.0]")
        #expect(Self.message { _ = try EnvReplay.replay(id: "Reaching1D-v0", state: "7,3", actions: "") }
                == "--state: Reaching1D-v0 target must lie in [0, 2π); got 7.0")
        // Every message is one line.
        let m = Self.message { _ = try EnvReplay.replay(id: "Pendulum-v1", state: "1", actions: "") }
        #expect(m.map { !$0.contains("\n") } == true)
    }

    @Test func continuousActionsOutsideTheBoxAreAcceptedAndClipped() throws {
        let wide = try EnvReplay.replay(id: "Pendulum-v1", state: "0,0", actions: "7\n")
        let edge = try EnvReplay.replay(id: "Pendulum-v1", state: "0,0", actions: "2\n")
        // The same dynamics (torque clipped to 2) and the same cost (it uses the clipped torque).
        #expect(wide == edge)
    }

    @Test func benchmarkStepsEveryEnvironment() throws {
        for id in Catalog.environments.map(\.id) {
            let result = try EnvironmentBenchmark.run(id, steps: 2_000, seed: 1)
            #expect(result.steps == 2_000 && result.seconds > 0 && result.stepsPerSecond > 0, "\(result)")
            #expect(result.episodes >= 1)
        }
        #expect(throws: EnvReplayError.self) { try EnvironmentBenchmark.run("Nope-v0", steps: 1) }
    }

    @Test func randomActionsAreValidAndCoverTheSpace() throws {
        var rng = RandomStream(seed: 3)
        var seen = Set<Int>()
        for _ in 0..<100 {
            guard case .discrete(let a) = EnvironmentBenchmark.randomAction(.discrete(3), &rng) else { Issue.record("kind"); return }
            seen.insert(a)
        }
        #expect(seen == [0, 1, 2])
        for _ in 0..<100 {
            guard case .continuous(let v) = EnvironmentBenchmark.randomAction(.box(low: [-2], high: [2]), &rng) else { Issue.record("kind"); return }
            #expect((-2.0...2.0).contains(v[0]) && v[1] == 0)
        }
    }
}
