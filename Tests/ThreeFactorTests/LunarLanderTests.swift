import Foundation
import Testing
@testable import ThreeFactor

/// Golden data recorded from Gymnasium by `data/golden/record_lunarlander.py`.
///
/// Read with `JSONDecoder`, which parses numbers with correct rounding (Foundation's
/// `JSONSerialization` on Linux can be off by one unit in the last place).
struct LunarLanderGolden: Decodable {
    struct Trajectory: Decodable {
        var seed: Int
        var continuous: Bool
        var terrain_heights: [Double]
        var initial_force: [Double]
        var reset_observation: [Double]
        var reset_leg_joint_angles: [Double]
        var actions: [ActionValue]
        /// Raw uniform(-1, 1) draws; the engine offsets are these divided by SCALE = 30.
        var dispersion: [[Double]]
        var observations: [[Double]]
        var rewards: [Double]
        var terminated: [Bool]
        var leg_joint_angles: [[Double]]

        var state: [Double] { terrain_heights + initial_force }
    }
    /// A discrete action (an integer) or a continuous one (two reals).
    enum ActionValue: Decodable {
        case discrete(Int)
        case continuous([Double])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let a = try? c.decode(Int.self) { self = .discrete(a) } else { self = .continuous(try c.decode([Double].self)) }
        }
        var action: Action {
            switch self {
            case .discrete(let a): .discrete(a)
            case .continuous(let v): .continuous(SIMD4(v[0], v[1], 0, 0))
            }
        }
    }
    struct HeuristicEpisode: Decodable {
        var seed: UInt64
        var continuous: Bool
        var length: Int
        var terminated: Bool
        var last_reward: Double
        var `return`: Double
        var first_contact_step: Int
        /// [step index, 8 observation values]
        var checkpoints: [[Double]]
    }
    struct Distribution: Decodable {
        var policy: String
        var continuous: Bool
        var returns: [Double]
        var lengths: [Double]
    }
    var trajectories: [Trajectory]
    var heuristic_episodes: [HeuristicEpisode]
    var distributions: [Distribution]

    static let shared: LunarLanderGolden = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = try! Data(contentsOf: root.appendingPathComponent("data/golden/lunarlander_v3.json"))
        return try! JSONDecoder().decode(LunarLanderGolden.self, from: data)
    }()
}

@Suite struct LunarLanderTests {
    @Test func spec() throws {
        let discrete = LunarLander()
        #expect(discrete.observationCount == 8)
        #expect(discrete.actionSpace == .discrete(4))
        #expect(discrete.maxEpisodeSteps == 1000)
        let make = try #require(Catalog.task("LunarLanderContinuous-v3")?.makeEnvironment)
        let continuous = try make(Hyperparameters())
        #expect(continuous.actionSpace == .box(low: [-1, -1], high: [1, 1]))
        let makeLander = try #require(Catalog.task("LunarLander-v3")?.makeEnvironment)
        let viaOption = try makeLander(Hyperparameters(["continuous": .bool(true)]))
        #expect(viaOption.actionSpace == .box(low: [-1, -1], high: [1, 1]))
        #expect(throws: ParameterError.self) {
            _ = try Catalog.task("LunarLander-v3")!.makeEnvironment!(Hyperparameters(["wind": .bool(true)]))
        }
        #expect(LunarLander.box2DVersion.hasPrefix("2."))
    }

    @Test func setStateValidatesAndRoundTrips() throws {
        let a = LunarLander()
        var obsA = [Double](repeating: 0, count: 8)
        a.reset(seed: 42, observation: &obsA)
        let b = LunarLander()
        var obsB = [Double](repeating: 0, count: 8)
        try b.setState(a.state, observation: &obsB)
        #expect(b.state == a.state)
        #expect(obsA == obsB)
        // Same initial conditions and the same engine noise give the same episode, bit for bit.
        for t in 0..<200 {
            let action = Action.discrete((t * 7 + 3) % 4)
            let d = (Double(t % 13) / 13 - 0.5) / 30, e = (Double(t % 7) / 7 - 0.5) / 30
            let ra = a.step(action, dispersion: (d, e), observation: &obsA)
            let rb = b.step(action, dispersion: (d, e), observation: &obsB)
            #expect(ra == rb && obsA == obsB)
            if ra.terminated { break }
        }
        #expect(throws: EnvironmentError.self) { try b.setState([1, 2, 3], observation: &obsB) }
        #expect(throws: EnvironmentError.self) {
            try b.setState(a.state.enumerated().map { $0.offset == 13 ? .nan : $0.element }, observation: &obsB)
        }
    }

    @Test func resetIsAPureFunctionOfTheSeed() {
        func episode(_ seed: UInt64) -> [Double] {
            let env = LunarLander()
            var obs = [Double](repeating: 0, count: 8)
            env.reset(seed: seed, observation: &obs)
            var trace = obs
            var rng = RandomStream(seed: 9)
            for _ in 0..<300 {
                let out = env.step(.discrete(rng.integer(below: 4)), observation: &obs)
                trace += obs + [out.reward]
                if out.terminated || out.truncated { break }
            }
            return trace
        }
        #expect(episode(3) == episode(3))
        #expect(episode(3) != episode(4))
    }

    // Tolerances of the golden comparison (see `goldenTrajectories`). Achieved with
    // Box2D 2.4.1 + the shim's Box2D 2.3 joint solver, 16 trajectories x 50 steps:
    // max |obs deviation| 3.7e-6, max |reward deviation| 6.6e-5, max |joint angle
    // deviation| 8.6e-6 rad, no knife edge.
    static let observationTolerance = 1e-5
    static let rewardTolerance = 2e-4
    static let jointAngleTolerance = 5e-5
    /// After a knife-edge step (below) the trajectories are one limit impact apart. With
    /// Box2D 2.4's own joint solver one knife edge occurred (seed 0) and the deviation
    /// after it peaked at 8.0e-3 (observation) and 4.2e-2 (reward).
    static let knifeEdgeObservationTolerance = 1e-2
    static let knifeEdgeRewardTolerance = 5e-2
    /// A knife edge is accepted only when Gymnasium's joint started the step this close
    /// (rad) to its limit; a disagreement farther away is a failure.
    static let knifeEdgeWidth = 1e-4

    /// Replays Gymnasium's recorded episodes (8 seeds x discrete/continuous, 50 steps) from
    /// their exact initial conditions and engine noise, on Box2D 2.4 instead of 2.3.
    ///
    /// Box2D enforces a leg's angle limit in a step only if the joint starts the step at or
    /// beyond the limit. When a joint starts a step within a hair of its limit, float32
    /// differences between the engines can put it on different sides, so one engine stops
    /// the leg a step earlier than the other: a "knife edge". From such a step on, the
    /// looser tolerances apply; every other step must meet the tight ones.
    @Test func goldenTrajectories() throws {
        var worstObservation = 0.0, worstReward = 0.0, worstAngle = 0.0
        var worstKnifeObservation = 0.0, worstKnifeReward = 0.0
        var knifeEdgeTrajectories = 0, steps = 0
        let limits = LunarLander.legJointLimits.map { (Float($0.0), Float($0.1)) }
        for g in LunarLanderGolden.shared.trajectories {
            let env = LunarLander(continuous: g.continuous)
            var obs = [Double](repeating: 0, count: 8)
            try env.setState(g.state, observation: &obs)
            var referenceAngles = g.reset_leg_joint_angles
            var knifeEdge = false
            var deviation = zip(obs, g.reset_observation).map { abs($0 - $1) }.max()!
            worstObservation = max(worstObservation, deviation)
            #expect(deviation <= Self.observationTolerance, "seed \(g.seed): reset observation deviates by \(deviation)")
            for t in 0...g.actions.count {
                // Would the two engines enforce each leg's limit in the coming step?
                let angles = env.legJointAngles
                let ours = [angles.left, angles.right]
                for leg in 0..<2 {
                    if !knifeEdge { worstAngle = max(worstAngle, abs(ours[leg] - referenceAngles[leg])) }
                    let (lower, upper) = limits[leg]
                    let reference = Float(referenceAngles[leg])
                    let limitOurs = Float(ours[leg]) <= lower || Float(ours[leg]) >= upper
                    let limitReference = reference <= lower || reference >= upper
                    if limitOurs != limitReference {
                        let distance = Double(min(abs(reference - lower), abs(reference - upper)))
                        #expect(distance <= Self.knifeEdgeWidth,
                                "seed \(g.seed) step \(t) leg \(leg): limit enforcement differs \(distance) rad from the limit")
                        if !knifeEdge { knifeEdgeTrajectories += 1 }
                        knifeEdge = true
                    }
                }
                if t == g.actions.count { break }
                let out = env.step(
                    g.actions[t].action, dispersion: (g.dispersion[t][0] / 30, g.dispersion[t][1] / 30), observation: &obs)
                steps += 1
                referenceAngles = g.leg_joint_angles[t]
                deviation = zip(obs, g.observations[t]).map { abs($0 - $1) }.max()!
                let rewardDeviation = abs(out.reward - g.rewards[t])
                let context = "seed \(g.seed) continuous \(g.continuous) step \(t)"
                if knifeEdge {
                    worstKnifeObservation = max(worstKnifeObservation, deviation)
                    worstKnifeReward = max(worstKnifeReward, rewardDeviation)
                    #expect(deviation <= Self.knifeEdgeObservationTolerance, "\(context): observation deviates by \(deviation)")
                    #expect(rewardDeviation <= Self.knifeEdgeRewardTolerance, "\(context): reward deviates by \(rewardDeviation)")
                } else {
                    worstObservation = max(worstObservation, deviation)
                    worstReward = max(worstReward, rewardDeviation)
                    #expect(deviation <= Self.observationTolerance, "\(context): observation deviates by \(deviation)")
                    #expect(rewardDeviation <= Self.rewardTolerance, "\(context): reward deviates by \(rewardDeviation)")
                }
                #expect(out.terminated == g.terminated[t], "\(context): termination differs")
            }
        }
        #expect(worstAngle <= Self.jointAngleTolerance)
        print("""
            LunarLander golden (\(steps) steps): max |obs dev| \(worstObservation), max |reward dev| \(worstReward), \
            max |joint angle dev| \(worstAngle); knife-edge trajectories \(knifeEdgeTrajectories), after it \
            max |obs dev| \(worstKnifeObservation), max |reward dev| \(worstKnifeReward)
            """)
    }

    /// Everything random in a Gymnasium episode follows from `reset(seed=s)`, which builds
    /// NumPy's `default_rng(s)`: drawing from our port of it in Gymnasium's order (12
    /// heights, the force, two dispersion values per step including reset's no-op step)
    /// must give exactly the recorded draws.
    @Test func recordedDrawsFollowFromTheSeed() {
        for g in LunarLanderGolden.shared.trajectories {
            var numpy = NumPyGenerator(seed: UInt64(g.seed))
            let draws = Self.initialConditions(&numpy)
            #expect(draws == g.state, "seed \(g.seed)")
            _ = (numpy.uniform(-1, 1), numpy.uniform(-1, 1))
            for d in g.dispersion { #expect([numpy.uniform(-1, 1), numpy.uniform(-1, 1)] == d) }
        }
    }

    /// Gymnasium's initial conditions drawn from its generator: 12 heights in [0, H/2),
    /// then the force.
    static func initialConditions(_ numpy: inout NumPyGenerator) -> [Double] {
        var state = (0..<12).map { _ in numpy.uniform(0, LunarLander.worldHeight / 2) }
        state.append(numpy.uniform(-LunarLander.initialRandom, LunarLander.initialRandom))
        state.append(numpy.uniform(-LunarLander.initialRandom, LunarLander.initialRandom))
        return state
    }

    /// Share of whole heuristic episodes that must match Gymnasium's to the end (see
    /// `heuristicEpisodes`); measured: 28 of 32 (all 16 continuous, 12 of 16 discrete).
    static let wholeEpisodeShare = 0.75
    /// Largest deviation of any observation component at a checkpoint of a whole episode
    /// (float32 differences accumulate over flights of 100-300 steps); measured 3.7e-5.
    static let flightTolerance = 1e-4

    /// Whole episodes of the heuristic controller, closed loop, from Gymnasium's seeds:
    /// NumPy's generator (ported) supplies Gymnasium's exact terrain, force and engine
    /// noise, our port of the heuristic chooses the actions from our observations.
    ///
    /// - Until the first leg touches the ground (in Gymnasium's episode) every checkpoint
    ///   (every 10 steps) must be within `flightTolerance`.
    /// - Contact is where small differences grow (a leg slipping or not, a bounce); still
    ///   at least `wholeEpisodeShare` of the episodes must stay within the tolerance at
    ///   every checkpoint and end at the same step with the same final reward.
    @Test func heuristicEpisodes() throws {
        var wholeMatches = 0, worstFlight = 0.0
        var divergent: [String] = []
        let episodes = LunarLanderGolden.shared.heuristic_episodes
        for g in episodes {
            let env = LunarLander(continuous: g.continuous)
            var numpy = NumPyGenerator(seed: g.seed)
            var obs = [Double](repeating: 0, count: 8)
            try env.setState(Self.initialConditions(&numpy), observation: &obs)
            _ = (numpy.uniform(-1, 1), numpy.uniform(-1, 1))  // reset's no-op step
            var checkpoint = 0, matches = true, length = 0, lastReward = 0.0
            for t in 0..<1000 {
                let action = LunarLander.heuristicAction(obs, continuous: g.continuous)
                let d1 = numpy.uniform(-1, 1), d2 = numpy.uniform(-1, 1)
                let out = env.step(action, dispersion: (d1 / 30, d2 / 30), observation: &obs)
                if checkpoint < g.checkpoints.count && Int(g.checkpoints[checkpoint][0]) == t {
                    let deviation = zip(obs, g.checkpoints[checkpoint].dropFirst()).map { abs($0 - $1) }.max()!
                    if g.first_contact_step < 0 || t < g.first_contact_step {
                        worstFlight = max(worstFlight, deviation)
                        #expect(deviation <= Self.flightTolerance,
                                "seed \(g.seed) continuous \(g.continuous) step \(t) (in flight): deviation \(deviation)")
                    }
                    if deviation > Self.flightTolerance { matches = false }
                    checkpoint += 1
                }
                length = t + 1
                lastReward = out.reward
                if out.terminated || out.truncated { break }
            }
            if matches && length == g.length && lastReward == g.last_reward {
                wholeMatches += 1
            } else {
                divergent.append("seed \(g.seed)\(g.continuous ? "c" : "d"): length \(length) vs \(g.length), last reward \(lastReward) vs \(g.last_reward)")
            }
        }
        #expect(Double(wholeMatches) >= Self.wholeEpisodeShare * Double(episodes.count),
                "only \(wholeMatches) of \(episodes.count) whole episodes match: \(divergent)")
        print("LunarLander heuristic episodes: \(wholeMatches) of \(episodes.count) match to the end; in flight max |obs dev| \(worstFlight); diverging: \(divergent)")
    }
}

/// The two-sample tests of the distribution comparison, implemented here so that the
/// environment's tests do not depend on the Replication statistics.
enum TwoSampleTests {
    /// Welch's t test of equal means (unequal variances): statistic, Welch–Satterthwaite
    /// degrees of freedom, two-sided p-value.
    static func welch(_ a: [Double], _ b: [Double]) -> (t: Double, df: Double, p: Double) {
        func meanAndVariance(_ x: [Double]) -> (Double, Double) {
            let mean = x.reduce(0, +) / Double(x.count)
            return (mean, x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1))
        }
        let (ma, va) = meanAndVariance(a), (mb, vb) = meanAndVariance(b)
        let sa = va / Double(a.count), sb = vb / Double(b.count)
        let t = (ma - mb) / (sa + sb).squareRoot()
        let df = (sa + sb) * (sa + sb) / (sa * sa / Double(a.count - 1) + sb * sb / Double(b.count - 1))
        return (t, df, studentTwoSidedP(t, df: df))
    }

    /// P(|T| >= |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2).
    static func studentTwoSidedP(_ t: Double, df: Double) -> Double {
        regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5)
    }

    /// I_x(a, b) by its continued fraction (modified Lentz), using the symmetry
    /// I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges slowly.
    static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(1 - x, b, a) }
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let logFront: Double = a * log(x) + b * log(1 - x) - logBeta
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        d = abs(d) < tiny ? 1 / tiny : 1 / d
        var fraction = d
        for m in 1...500 {
            let m = Double(m)
            let even: Double = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            let odd: Double = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            for numerator in [even, odd] {
                d = 1 + numerator * d
                d = abs(d) < tiny ? 1 / tiny : 1 / d
                c = 1 + numerator / c
                if abs(c) < tiny { c = tiny }
                fraction *= c * d
            }
            if abs(c * d - 1) < 1e-15 { break }
        }
        return exp(logFront) * fraction / a
    }

    /// The two-sample Kolmogorov–Smirnov test: D = sup |F_a - F_b| (ties handled by
    /// stepping both empirical distributions past a shared value together) and the
    /// asymptotic p-value Q(sqrt(n m / (n + m)) D) of Kolmogorov's limiting distribution
    /// (scipy's `kstwobign.sf`). With ties (episode lengths are integers) the test is
    /// conservative.
    static func kolmogorovSmirnov(_ a: [Double], _ b: [Double]) -> (d: Double, p: Double) {
        let x = a.sorted(), y = b.sorted()
        var i = 0, j = 0, d = 0.0
        while i < x.count && j < y.count {
            let v = min(x[i], y[j])
            while i < x.count && x[i] == v { i += 1 }
            while j < y.count && y[j] == v { j += 1 }
            d = max(d, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        let n = Double(x.count), m = Double(y.count)
        return (d, kolmogorovSurvival((n * m / (n + m)).squareRoot() * d))
    }

    /// Q(λ) = 2 Σ_{k≥1} (-1)^{k-1} exp(-2 k² λ²), the survival function of Kolmogorov's
    /// distribution.
    static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda < 0.2 { return 1 }  // the series converges slowly there; Q(0.2) = 1 - 1e-18
        var sum = 0.0
        for k in 1...100 {
            let term = exp(-2 * Double(k * k) * lambda * lambda)
            sum += k % 2 == 1 ? term : -term
            if term < 1e-17 { break }
        }
        return min(max(2 * sum, 0), 1)
    }
}

@Suite struct TwoSampleTestsTests {
    /// Reference values from scipy 1.x: stats.ttest_ind(equal_var=False), stats.t.sf,
    /// stats.kstwobign.sf.
    @Test func matchesScipy() {
        let a = [1.2, 3.4, 2.2, 5.1, 0.3, 2.9, 4.4, 3.3], b = [2.5, 6.1, 4.8, 3.9, 5.5, 7.2, 4.1]
        let w = TwoSampleTests.welch(a, b)
        #expect(abs(w.t - -2.4886875757131373) < 1e-12)
        #expect(abs(w.df - 12.804833457387065) < 1e-10)
        #expect(abs(w.p - 0.027405353052977876) < 1e-12)
        for (t, df, p) in [(2.0, 5.0, 0.10193947882985835), (0.5, 353.0, 0.6173866131206429),
                           (3.1, 2.5, 0.06778837832492031)] {
            #expect(abs(TwoSampleTests.studentTwoSidedP(t, df: df) - p) < 1e-12)
        }
        for (lambda, q) in [(0.3, 0.9999906941986655), (0.5, 0.9639452436648751), (1.0, 0.26999967167735456),
                            (1.36, 0.049485876755377876), (2.0, 0.0006709252557796953)] {
            #expect(abs(TwoSampleTests.kolmogorovSurvival(lambda) - q) < 1e-12)
        }
        #expect(abs(TwoSampleTests.kolmogorovSmirnov(a, b).d - 0.6071428571428572) < 1e-12)
        #expect(TwoSampleTests.kolmogorovSmirnov([1, 2, 2, 3], [1, 2, 2, 3]).d == 0)
    }
}

/// Our episodes against Gymnasium's: same policies, same number of episodes (200), our
/// own seeds. Two-sided tests at alpha = 0.01 each: Welch's t on the mean return and the
/// mean length, two-sample Kolmogorov–Smirnov on the distributions of returns and lengths.
/// The outcome is deterministic (fixed seeds), so a pass is reproducible.
@Suite struct LunarLanderDistributionTests {
    static let alpha = 0.01

    static func episodes(policy: String, continuous: Bool, count: Int) -> (returns: [Double], lengths: [Double]) {
        let env = LunarLander(continuous: continuous)
        var obs = [Double](repeating: 0, count: 8)
        var actions = RandomStream(seed: 31_337, stream: continuous ? 1 : 0)
        var returns: [Double] = [], lengths: [Double] = []
        for episode in 0..<count {
            env.reset(seed: UInt64(500_000 + episode), observation: &obs)
            var total = 0.0, steps = 0
            while true {
                let action: Action
                if policy == "random" {
                    action = continuous
                        ? .continuous(SIMD4(actions.uniform(-1, 1), actions.uniform(-1, 1), 0, 0))
                        : .discrete(actions.integer(below: 4))
                } else {
                    action = LunarLander.heuristicAction(obs, continuous: continuous)
                }
                let out = env.step(action, observation: &obs)
                total += out.reward
                steps += 1
                if out.terminated || out.truncated { break }
            }
            returns.append(total)
            lengths.append(Double(steps))
        }
        return (returns, lengths)
    }

    @Test(arguments: [("random", false), ("heuristic", false), ("random", true), ("heuristic", true)])
    func matchesGymnasium(policy: String, continuous: Bool) throws {
        let reference = try #require(LunarLanderGolden.shared.distributions.first {
            $0.policy == policy && $0.continuous == continuous
        })
        let ours = Self.episodes(policy: policy, continuous: continuous, count: reference.returns.count)
        let mean = { (x: [Double]) in x.reduce(0, +) / Double(x.count) }
        var summary = "LunarLander \(policy) continuous=\(continuous): return \(mean(ours.returns)) vs \(mean(reference.returns)), length \(mean(ours.lengths)) vs \(mean(reference.lengths))"
        for (name, x, y) in [("return", ours.returns, reference.returns), ("length", ours.lengths, reference.lengths)] {
            let welch = TwoSampleTests.welch(x, y)
            let ks = TwoSampleTests.kolmogorovSmirnov(x, y)
            summary += "; \(name): Welch t \(welch.t) p \(welch.p), KS D \(ks.d) p \(ks.p)"
            #expect(welch.p >= Self.alpha, "\(policy) continuous=\(continuous) mean \(name): Welch t = \(welch.t), p = \(welch.p)")
            #expect(ks.p >= Self.alpha, "\(policy) continuous=\(continuous) \(name) distribution: KS D = \(ks.d), p = \(ks.p)")
        }
        print(summary)
    }
}
