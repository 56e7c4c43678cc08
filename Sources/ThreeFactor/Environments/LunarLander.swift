import CBox2D

/// LunarLander-v3 and LunarLanderContinuous-v3, matching Gymnasium 1.x
/// `gymnasium/envs/box2d/lunar_lander.py` (checked against Gymnasium 1.4.0), simulated with
/// the real Box2D engine (Debian's Box2D 2.4.1 through the `CBox2D` shim; Gymnasium uses
/// pybox2d, which bundles Box2D 2.3 — see "Reference version matched" below).
///
/// A lander with two spring-loaded legs starts at the top centre of a 20 x 13.33 (world
/// units) screen and must land on the pad between the flags at x = 8...12.
///
/// - Observation (8, float32), with W = 20, H = 40/3 and SCALE = 30:
///   0 `(x - W/2) / (W/2)`, 1 `(y - (H/4 + 18/SCALE)) / (H/2)`, 2 `vx * (W/2) / 50`,
///   3 `vy * (H/2) / 50`, 4 angle (rad), 5 `20 * angular velocity / 50`, 6 left leg
///   (Gymnasium's `legs[0]`) touches the ground (0/1), 7 right leg touches (0/1). Position
///   and velocity are the lander body's origin and linear velocity.
/// - Actions: `LunarLander-v3`: Discrete(4): 0 nothing, 1 left orientation engine,
///   2 main engine, 3 right orientation engine. `LunarLanderContinuous-v3`: Box(-1, 1, (2,))
///   (values outside are clipped): main throttle `a0` (off for a0 <= 0, else power
///   (a0 + 1) / 2 in 0.5...1), lateral `a1` (off for |a1| <= 0.5, else power |a1| in
///   0.5...1, left engine for a1 < 0, right for a1 > 0).
/// - Engines: impulses applied to the lander at points offset by a dispersion
///   `d = (u1, u2) / SCALE`, `u` uniform in [-1, 1) drawn from the environment's stream on
///   EVERY step (engine on or off): main engine impulse `-13 * power * o` at
///   `o = tip * (4/SCALE + 2 d1) + side * d2` (y components negated), side engine impulse
///   `-0.6 * power * o` with `o = tip * d1 + side * (3 d2 + dir * 12/SCALE)`, applied at
///   `position + o + (-tip.x * 17/SCALE, tip.y * 14/SCALE)`, where `tip = (sin a, cos a)`,
///   `side = (-cos a, sin a)` (Gymnasium's exact arithmetic, its quirks included).
/// - Reward: `shaping_t - shaping_{t-1}` with `shaping = -100 |(s0, s1)| - 100 |(s2, s3)|
///   - 100 |s4| + 10 s6 + 10 s7` (computed from the float64 state), minus 0.3 x main power
///   and 0.03 x side power each step; replaced by -100 on a crash or leaving the screen and
///   by +100 when the lander comes to rest.
/// - Start: terrain of CHUNKS = 11 chunks: 12 heights uniform in [0, H/2) (entries 3...7
///   set to the pad height H/4), smoothed as `0.33 (h[i-1] + h[i] + h[i+1])` for
///   i = 0...10 (h[-1] is h[11], Python's wrap-around), edges at x = 2 i; lander at
///   (W/2, H) with a random force uniform in [-1000, 1000)^2 applied at its centre during
///   the first physics step. `reset` then performs one no-op step (as Gymnasium does) whose
///   observation it returns; that step is not counted by the clock.
/// - Termination: the lander's body touches the ground (crash, -100), |s0| >= 1 (left the
///   screen, -100), or the lander body is not awake, i.e. Box2D put it to sleep (+100;
///   overrides -100 when both happen).
/// - Truncation: 1000 steps (the registered `max_episode_steps`).
/// - Physics: Box2D world, gravity (0, -10), 1/50 s steps with 180 velocity and 60
///   position iterations, sleeping allowed; lander polygon density 5, legs 2/SCALE x
///   8/SCALE half-width boxes of density 1 on revolute joints with limits and motors
///   (max torque 40, speed +-0.3; reference angle = the legs' initial tilt +-0.05 rad, as
///   pybox2d sets it); lander and legs collide only with the ground.
/// - Not implemented: Gymnasium's optional wind/turbulence (`enable_wind`, off by
///   default), `gravity` other than -10, and the exhaust particles. Particles are created
///   only when Gymnasium renders (`render_mode` not None); they are bodies of category
///   0x0100 colliding with the ground only (mask 0x0001), so even when rendered they never
///   touch the lander or its legs, and the ground is static — they cannot change the
///   lander's motion.
/// - Random stream: the environment's own `RandomStream` (not NumPy's PCG64) draws, in
///   Gymnasium's order, 12 heights, the force (x then y), then two dispersion values per
///   step including the no-op step of `reset`. The distribution of episodes matches
///   Gymnasium's; the tests replay individual Gymnasium episodes from its draws through
///   `setState` and the internal `step(_:dispersion:observation:)`.
/// - Internal state (`state`/`setState`): the episode's random initial conditions,
///   14 values `[h0, ..., h11, force_x, force_y]` (the raw height draws; entries 3...7 are
///   overwritten by the pad height). Box2D's internal state (contacts, warm-start impulses,
///   sleep timers) cannot be set, so `setState` rebuilds the world from these values and
///   performs the no-op reset step; `state` returns the current episode's values.
/// - Reference version matched: Gymnasium 1.x LunarLander-v3 (recorded with 1.4.0 and
///   pybox2d 2.3.10). Box2D 2.4 (Debian) replaced 2.3's revolute-joint solver; the legs'
///   joints therefore use the shim's Box2D 2.3 joint solver (`box2D23Solver`), without
///   which a landed lander rocks on its legs ~10 steps longer. With it, replays of
///   Gymnasium's episodes from their seeds agree to ~4e-6 over 50 steps and to ~4e-5 over
///   whole flights, and 28 of 32 whole heuristic episodes end at the same step with the
///   same outcome; `LunarLanderTests` checks all of this against
///   `data/golden/lunarlander_v3.json`.
///
/// The environment owns a Box2D world, so it is a class: copies share one world. The Swift
/// side of a step allocates nothing; inside Box2D, a step allocates only when its block
/// allocator needs a new chunk (once per episode, when the first contact appears).
public final class LunarLander: Environment {
    public static let id = "LunarLander-v3"
    /// The id of the continuous-throttle variant.
    public static let continuousId = "LunarLanderContinuous-v3"

    /// Eight: position, velocity, angle, angular velocity, leg contacts.
    public let observationCount = 8
    /// Discrete(4) or, for the continuous variant, Box(2) in [-1, 1].
    public let actionSpace: ActionSpace
    /// True for LunarLanderContinuous-v3.
    public let continuous: Bool
    public var maxEpisodeSteps: Int { clock.limit }

    // Gymnasium's constants (pixels, divided by SCALE to give world units).
    static let fps = 50.0
    static let scale = 30.0
    static let mainEnginePower = 13.0
    static let sideEnginePower = 0.6
    static let initialRandom = 1000.0
    static let landerPolygon: [Double] = [-14, 17, -17, 0, -17, -10, 17, -10, 17, 0, 14, 17]
    static let legAway = 20.0
    static let legDown = 18.0
    static let legWidth = 2.0
    static let legHeight = 8.0
    static let legSpringTorque = 40.0
    static let sideEngineHeight = 14.0
    static let sideEngineAway = 12.0
    static let mainEngineYLocation = 4.0
    static let viewportWidth = 600.0
    static let viewportHeight = 400.0
    static let chunks = 11
    static let worldWidth = viewportWidth / scale
    static let worldHeight = viewportHeight / scale
    static let helipadY = worldHeight / 4
    static let gravity = -10.0

    /// Layout of `state`.
    public static let stateCount = 14

    // Body indices in the world, in creation order.
    static let moonBody: Int32 = 0
    static let landerBody: Int32 = 1
    static let leftLegBody: Int32 = 2
    static let rightLegBody: Int32 = 3

    var world: OpaquePointer?
    /// Raw terrain height draws of the current episode (12 values).
    var terrainHeights: [Double]
    var initialForce: (x: Double, y: Double) = (0, 0)
    var previousShaping = 0.0
    var hasPreviousShaping = false
    var clock: EpisodeClock
    var rng: RandomStream

    /// A lander with discrete engines, or continuous throttles when `continuous`; episodes are
    /// truncated after `maxEpisodeSteps` steps (1000 for v3).
    public init(continuous: Bool = false, maxEpisodeSteps: Int = 1000) {
        self.continuous = continuous
        actionSpace = continuous ? .box(low: [-1, -1], high: [1, 1]) : .discrete(4)
        clock = EpisodeClock(limit: maxEpisodeSteps)
        rng = RandomStream(seed: 0)
        terrainHeights = Array(repeating: 0, count: Self.chunks + 1)
    }

    deinit {
        if let world { cb2_world_destroy(world) }
    }

    /// Draws new terrain and the initial push (reseeding the environment's stream when `seed`
    /// is given), builds the world and writes the first observation.
    public func reset(seed: UInt64?, observation: inout [Double]) {
        if let seed { rng = RandomStream(seed: seed) }
        let halfHeight = Self.worldHeight / 2
        for i in 0..<terrainHeights.count { terrainHeights[i] = rng.uniform(0, halfHeight) }
        initialForce.x = rng.uniform(-Self.initialRandom, Self.initialRandom)
        initialForce.y = rng.uniform(-Self.initialRandom, Self.initialRandom)
        startEpisode(observation: &observation)
    }

    /// Fires the engines of `action` for one 1/50 s Box2D step (with the stream's random
    /// dispersion of the engines' impulses) and writes the next observation.
    public func step(_ action: Action, observation: inout [Double]) -> StepOutcome {
        let d1 = rng.uniform(-1.0, 1.0) / Self.scale
        let d2 = rng.uniform(-1.0, 1.0) / Self.scale
        return step(action, dispersion: (d1, d2), observation: &observation)
    }

    public var state: [Double] { terrainHeights + [initialForce.x, initialForce.y] }

    public func setState(_ state: [Double], observation: inout [Double]) throws {
        guard state.count == Self.stateCount, state.allSatisfy(\.isFinite) else {
            throw EnvironmentError.invalidState(
                "LunarLander-v3 state must be 14 finite numbers: 12 terrain heights h0...h11 then the initial force x, y; got \(state.count) values")
        }
        for i in 0..<terrainHeights.count { terrainHeights[i] = state[i] }
        initialForce = (state[12], state[13])
        startEpisode(observation: &observation)
    }

    // MARK: Episode construction

    /// Builds a fresh world from `terrainHeights` and `initialForce` (Gymnasium creates a
    /// new world on every reset too, so no contact or broad-phase state leaks between
    /// episodes), then performs the no-op reset step.
    func startEpisode(observation: inout [Double]) {
        if let world { cb2_world_destroy(world) }
        guard let w = cb2_world_create(0, Self.gravity) else { fatalError("Box2D world allocation failed") }
        world = w
        buildTerrain(w)
        buildLander(w)
        hasPreviousShaping = false
        clock.restart()
        _ = step(continuous ? .continuous(.zero) : .discrete(0), observation: &observation)
    }

    func buildTerrain(_ w: OpaquePointer) {
        let n = Self.chunks
        var height = terrainHeights
        for k in (n / 2 - 2)...(n / 2 + 2) { height[k] = Self.helipadY }
        var chunkX = [Double](repeating: 0, count: n)
        var smoothY = [Double](repeating: 0, count: n)
        for i in 0..<n {
            chunkX[i] = Self.worldWidth / Double(n - 1) * Double(i)
            let previous = height[i == 0 ? height.count - 1 : i - 1]
            smoothY[i] = 0.33 * (previous + height[i] + height[i + 1])
        }
        let moon = cb2_body_create(w, false, 0, 0, 0)
        precondition(moon == Self.moonBody)
        // pybox2d's CreateStaticBody(shapes=...) uses a default fixture (friction 0.2).
        var base = CB2Fixture(density: 0, friction: 0.2, restitution: 0, categoryBits: 0x0001, maskBits: 0xFFFF)
        cb2_body_add_edge(w, moon, 0, 0, Self.worldWidth, 0, &base)
        var ground = CB2Fixture(density: 0, friction: 0.1, restitution: 0, categoryBits: 0x0001, maskBits: 0xFFFF)
        for i in 0..<(n - 1) {
            cb2_body_add_edge(w, moon, chunkX[i], smoothY[i], chunkX[i + 1], smoothY[i + 1], &ground)
        }
    }

    func buildLander(_ w: OpaquePointer) {
        let initialX = Self.viewportWidth / Self.scale / 2
        let initialY = Self.viewportHeight / Self.scale
        let lander = cb2_body_create(w, true, initialX, initialY, 0)
        precondition(lander == Self.landerBody)
        var hull = CB2Fixture(density: 5, friction: 0.1, restitution: 0, categoryBits: 0x0010, maskBits: 0x001)
        let vertices = Self.landerPolygon.map { $0 / Self.scale }
        vertices.withUnsafeBufferPointer { v in
            _ = cb2_body_add_polygon(w, lander, v.baseAddress, Int32(v.count / 2), &hull)
        }
        cb2_body_apply_force_to_center(w, lander, initialForce.x, initialForce.y, true)

        for side in [-1.0, 1.0] {
            let leg = cb2_body_create(w, true, initialX - side * Self.legAway / Self.scale, initialY, side * 0.05)
            var legFixture = CB2Fixture(density: 1, friction: 0.2, restitution: 0, categoryBits: 0x0020, maskBits: 0x001)
            cb2_body_add_box(w, leg, Self.legWidth / Self.scale, Self.legHeight / Self.scale, &legFixture)
            var joint = CB2RevoluteJoint(
                box2D23Solver: true,
                bodyA: lander, bodyB: leg,
                localAnchorAX: 0, localAnchorAY: 0,
                localAnchorBX: side * Self.legAway / Self.scale, localAnchorBY: Self.legDown / Self.scale,
                // pybox2d's revoluteJointDef sets the reference angle to bodyB.angle -
                // bodyA.angle when both bodies are given, so the limits are relative to the
                // legs' initial tilt of +-0.05 rad.
                referenceAngle: side * 0.05,
                enableLimit: true,
                lowerAngle: Self.legJointLimits[side < 0 ? 0 : 1].0,
                upperAngle: Self.legJointLimits[side < 0 ? 0 : 1].1,
                enableMotor: true, motorSpeed: 0.3 * side, maxMotorTorque: Self.legSpringTorque)
            let index = cb2_add_revolute_joint(w, &joint)
            precondition(index == (side < 0 ? 0 : 1))
        }
        precondition(cb2_world_body_count(w) == Self.rightLegBody + 1)
    }

    /// Limits of the leg joints, (lower, upper) for the left then the right leg.
    static let legJointLimits = [(0.9 - 0.5, 0.9), (-0.9, -0.9 + 0.5)]

    // MARK: Stepping

    /// One step with the engine dispersion given (in world units, i.e. already divided by
    /// SCALE) instead of drawn, so that Gymnasium's recorded draws can be replayed.
    func step(_ action: Action, dispersion: (Double, Double), observation: inout [Double]) -> StepOutcome {
        guard let w = world else { preconditionFailure("LunarLander: call reset before step") }
        var mainPower = 0.0
        var sidePower = 0.0
        var direction = 0.0
        switch action {
        case .discrete(let a):
            precondition(!continuous && (0..<4).contains(a), "LunarLander-v3 takes Discrete(4) actions, got \(action)")
            if a == 2 { mainPower = 1 }
            if a == 1 || a == 3 {
                direction = Double(a - 2)
                sidePower = 1
            }
        case .continuous(let v):
            precondition(continuous, "LunarLander-v3 takes Discrete(4) actions, got \(action)")
            let main = min(max(v[0], -1), 1)
            let lateral = min(max(v[1], -1), 1)
            if main > 0 { mainPower = (min(max(main, 0), 1) + 1) * 0.5 }
            if abs(lateral) > 0.5 {
                direction = lateral > 0 ? 1 : -1
                sidePower = min(max(abs(lateral), 0.5), 1)
            }
        }

        var body = CB2BodyState()
        cb2_body_state(w, Self.landerBody, &body)
        let tip = (x: _sin(body.angle), y: _cos(body.angle))
        let side = (x: -tip.y, y: tip.x)
        let (d1, d2) = dispersion

        if mainPower > 0 {
            let reach = Self.mainEngineYLocation / Self.scale + 2 * d1
            let ox = tip.x * reach + side.x * d2
            let oy = -tip.y * reach - side.y * d2
            cb2_body_apply_linear_impulse(
                w, Self.landerBody,
                -ox * Self.mainEnginePower * mainPower, -oy * Self.mainEnginePower * mainPower,
                body.x + ox, body.y + oy, true)
        }
        if sidePower > 0 {
            let lever = 3 * d2 + direction * Self.sideEngineAway / Self.scale
            let ox = tip.x * d1 + side.x * lever
            let oy = -tip.y * d1 - side.y * lever
            // Gymnasium uses 17 (not SIDE_ENGINE_HEIGHT = 14) for the x offset; kept as is.
            let px = body.x + ox - tip.x * 17 / Self.scale
            let py = body.y + oy + tip.y * Self.sideEngineHeight / Self.scale
            cb2_body_apply_linear_impulse(
                w, Self.landerBody,
                -ox * Self.sideEnginePower * sidePower, -oy * Self.sideEnginePower * sidePower,
                px, py, true)
        }

        cb2_world_step(w, 1.0 / Self.fps, 6 * 30, 2 * 30)

        cb2_body_state(w, Self.landerBody, &body)
        let halfWidth = Self.viewportWidth / Self.scale / 2
        let halfHeight = Self.viewportHeight / Self.scale / 2
        let s0 = (body.x - halfWidth) / halfWidth
        let s1 = (body.y - (Self.helipadY + Self.legDown / Self.scale)) / halfHeight
        let s2 = body.vx * halfWidth / Self.fps
        let s3 = body.vy * halfHeight / Self.fps
        let s4 = body.angle
        let s5 = 20.0 * body.angularVelocity / Self.fps
        let s6: Double = cb2_body_touching(w, Self.leftLegBody) ? 1 : 0
        let s7: Double = cb2_body_touching(w, Self.rightLegBody) ? 1 : 0
        observation[0] = float32Rounded(s0)
        observation[1] = float32Rounded(s1)
        observation[2] = float32Rounded(s2)
        observation[3] = float32Rounded(s3)
        observation[4] = float32Rounded(s4)
        observation[5] = float32Rounded(s5)
        observation[6] = s6
        observation[7] = s7

        let shaping = -100 * (s0 * s0 + s1 * s1).squareRoot()
            - 100 * (s2 * s2 + s3 * s3).squareRoot()
            - 100 * abs(s4) + 10 * s6 + 10 * s7
        var reward = hasPreviousShaping ? shaping - previousShaping : 0
        previousShaping = shaping
        hasPreviousShaping = true
        reward -= mainPower * 0.30
        reward -= sidePower * 0.03

        var terminated = false
        if cb2_body_touched(w, Self.landerBody) || abs(s0) >= 1.0 {
            terminated = true
            reward = -100
        }
        if !cb2_body_is_awake(w, Self.landerBody) {
            terminated = true
            reward = 100
        }
        let truncated = clock.tick()
        return StepOutcome(reward: reward, terminated: terminated, truncated: truncated)
    }

    // MARK: Gymnasium's heuristic controller

}
