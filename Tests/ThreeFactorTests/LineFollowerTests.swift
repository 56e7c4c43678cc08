import Testing
@testable import ThreeFactor

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

@Suite struct LineFollowerTests {
    static func noiseless() -> LineFollower {
        var c = LineFollower.Configuration()
        c.motorNoise = 0
        return LineFollower(configuration: c)
    }

    /// Places the robot with both wheels already running at `left`, `right`; returns the
    /// observation there.
    @discardableResult
    static func place(_ env: inout LineFollower, x: Double, y: Double, heading: Double, left: Double, right: Double) throws -> [Double] {
        var obs = [Double](repeating: 0, count: env.observationCount)
        let speed = (left + right) / 2, omega = (right - left) / LineFollower.wheelBase
        try env.setState([x, y, heading, omega, speed, omega, left, right], observation: &obs)
        return obs
    }

    @Test func equalWheelSpeedsDriveAStraightLine() throws {
        var env = Self.noiseless()
        let heading = 0.3, v = 30.0
        try Self.place(&env, x: 60, y: 60, heading: heading, left: v, right: v)
        var obs = [Double](repeating: 0, count: env.observationCount)
        for n in 1...50 {
            _ = env.step(.continuous(SIMD4(v, v, 0, 0)), observation: &obs)
            let d = Double(n) * v * LineFollower.controlPeriod
            #expect(abs(env.x - (60 + d * cos(heading))) < 1e-9)
            #expect(abs(env.y - (60 + d * sin(heading))) < 1e-9)
            #expect(abs(env.heading - heading) < 1e-15)
        }
    }

    @Test func unequalWheelSpeedsDriveACircleOfTheKinematicRadius() throws {
        var env = Self.noiseless()
        let v = 30.0, d = 5.0
        let omega = 2 * d / LineFollower.wheelBase
        try Self.place(&env, x: 125, y: 125 - v / omega, heading: 0, left: v - d, right: v + d)
        var obs = [Double](repeating: 0, count: env.observationCount)
        var points = [env.position]
        for _ in 0..<100 {
            _ = env.step(.continuous(SIMD4(v - d, v + d, 0, 0)), observation: &obs)
            points.append(env.position)
        }
        // The Euler sub-steps move along chords of the circle of radius v / omega: the
        // positions are vertices of a regular polygon with circumradius
        // v dt / (2 sin(omega dt / 2)) (dt = 0.01 s), which is v / omega to 2e-5.
        let dt = LineFollower.controlPeriod / Double(LineFollower.physicsSubsteps)
        let expectedRadius = v * dt / (2 * sin(omega * dt / 2))
        #expect(abs(expectedRadius - v / omega) / (v / omega) < 2e-5)
        let centre = Self.circumcentre(points[0], points[37], points[71])
        for p in points {
            let r = ((p - centre) * (p - centre)).sum().squareRoot()
            #expect(abs(r - expectedRadius) < 1e-9)
        }
        // Turning left (counter-clockwise) when the right wheel is faster.
        #expect(env.heading > 0 || points[10].y > points[0].y)
    }

    static func circumcentre(_ a: SIMD2<Double>, _ b: SIMD2<Double>, _ c: SIMD2<Double>) -> SIMD2<Double> {
        let d = 2 * (a.x * (b.y - c.y) + b.x * (c.y - a.y) + c.x * (a.y - b.y))
        let a2 = (a * a).sum(), b2 = (b * b).sum(), c2 = (c * c).sum()
        return SIMD2(
            (a2 * (b.y - c.y) + b2 * (c.y - a.y) + c2 * (a.y - b.y)) / d,
            (a2 * (c.x - b.x) + b2 * (a.x - c.x) + c2 * (b.x - a.x)) / d)
    }

    @Test func commandsTakeEffectOnTheStepAfterTheyAreGiven() throws {
        var env = Self.noiseless()
        try Self.place(&env, x: 60, y: 60, heading: 0, left: 30, right: 30)
        var obs = [Double](repeating: 0, count: env.observationCount)
        // The new command is read after this step's motion (Enki's order) ...
        _ = env.step(.continuous(SIMD4(0, 0, 0, 0)), observation: &obs)
        #expect(abs(env.x - (60 + 30 * 0.03)) < 1e-12)
        // ... and moves the robot on the next one.
        _ = env.step(.continuous(SIMD4(0, 0, 0, 0)), observation: &obs)
        #expect(abs(env.x - (60 + 30 * 0.03)) < 1e-12)
    }

    @Test func nearSensorsGiveTheReflexErrorWithTheRightSign() throws {
        // At the line's leftmost point (41.2, 125) the line runs along y. Heading +y, the
        // left sensor is 5 units towards -x.
        var env = Self.noiseless()
        let up = Double.pi / 2
        var obs = try Self.place(&env, x: 41.2 + 5, y: 115, heading: up, left: 30, right: 30)
        let sigmoid1 = 1 / (1 + exp(-1.0))
        // Left sensor on black: L about sigm(0) = 0.5, R = sigm(1) on white.
        #expect(env.error < -10 && env.error > (0.5 - sigmoid1) * 50 - 1e-9)
        #expect(obs[0] == env.error)
        try Self.place(&env, x: 41.2 - 5, y: 115, heading: up, left: 30, right: 30)
        #expect(env.error > 10)
        // Line between the sensors: both see white.
        obs = try Self.place(&env, x: 41.2, y: 115, heading: up, left: 30, right: 30)
        #expect(env.error == 0)
        // The middle predictors of every row see the line, the outer ones white.
        for row in 0..<3 {
            let middle = obs[1 + 48 * row + 24]
            #expect(middle > 0.2 && middle < 0.2311)
            #expect(obs[1 + 48 * row] < 1e-6)
            #expect(obs[1 + 48 * row + 47] < 1e-6)
        }
        #expect(env.distanceToLine < 0.5)
    }

    @Test func trackIsAClosedCurveOfTheTracedLength() {
        let line = LineTrack.centreline(samplesPerSegment: 32)
        var length = 0.0
        for k in 0..<line.count {
            let d = line[(k + 1) % line.count] - line[k]
            length += (d * d).sum().squareRoot()
        }
        // About 778 units: the centreline of the authors' texture, 3119 pixels / 4.
        #expect(length > 770 && length < 786)
        #expect(LineTrack.standard.grey(x: 41.2, y: 125) == 0)
        #expect(LineTrack.standard.grey(x: 125, y: 125) == 1)
        #expect(LineTrack.standard.grey(x: -3, y: 125) == 1)
    }

    @Test func resetIsAPureFunctionOfTheSeed() {
        var a = LineFollower(), b = LineFollower()
        var oa = [Double](repeating: 0, count: a.observationCount), ob = oa
        a.reset(seed: 42, observation: &oa)
        b.reset(seed: 42, observation: &ob)
        for _ in 0..<30 {
            _ = a.step(.continuous(SIMD4(31, 29, 0, 0)), observation: &oa)
            _ = b.step(.continuous(SIMD4(31, 29, 0, 0)), observation: &ob)
        }
        #expect(a.state == b.state && oa == ob)
        var c = LineFollower()
        var oc = oa
        c.reset(seed: 43, observation: &oc)
        #expect(abs(c.y - 125) <= 1 && abs(c.heading - 0.7) <= 0.05)
    }

    @Test func registeredWithTheEnvironments() throws {
        let entry = try #require(Catalog.task("LineFollower-v0")?.makeEnvironment)
        var env = try entry(Hyperparameters(["motor_noise": .number(0.1)]))
        var obs = [Double](repeating: 0, count: env.observationCount)
        env.reset(seed: 1, observation: &obs)
        #expect(obs.count == 145)
        #expect(throws: ParameterError.self) { try entry(Hyperparameters(["motor_nois": .number(0.1)])) }
    }
}
