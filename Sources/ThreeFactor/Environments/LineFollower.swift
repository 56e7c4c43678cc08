/// LineFollower-v0: the simulated line-following robot of Daryanavard & Porr's closed-loop
/// learning papers, matching the authors' Enki simulator (github.com/Sama-Darya/enkiSimulator,
/// `examples/line_follower`, commit 8a3c1d7, and Enki's `DifferentialWheeled`,
/// `GroundSensor` and `World::step`).
///
/// A differential-drive robot (20 x 10 body, wheel base 5.2, wheel speeds clamped to
/// +-100 units/s) drives on a 250 x 250 floor with a closed black line (`LineTrack`).
///
/// - Observation (145 reals): `[E, p_0 ... p_143]`.
///   `E = (L - R) * error_gain` (default 50) is the closed-loop error from two ground
///   sensors under the front of the robot at (10, +5) (left, L) and (10, -5) (right, R) in
///   the robot frame (x forward, y to the left). A ground sensor averages the grey value
///   (0 black .. 1 white) over a 9 x 9 grid of points 0.25 apart around it with a Gaussian
///   weight (standard deviation 0.4 units, grid axes along the world axes as in Enki) and
///   reports `1 / (1 + exp(-v))`; so `E` is 0 when both sensors see white and reaches
///   about -+11.6 when one of them is fully on the line (negative: line under the left
///   sensor).
///   `p_k` are the 144 predictors: three rows of 48 ground sensors at x = 11, 12, 13 (row
///   0, 1, 2), spaced 0.25 across y in [-5.875, 5.875] (index 0 rightmost), Gaussian
///   standard deviation 2, response `sigm(v) - 0.731059`; the predictor is minus that,
///   times `predictor_gain` (default 1), clipped below at 0: about 0.23 on black, 0 on
///   white. Index `48 * row + column`.
/// - Actions: Box(2): commanded left and right wheel speeds (units/s). The controller of
///   the papers sends `speed + u` and `speed - u`.
/// - Reward: `-|E|` (the task has no reward; this lets generic tools show the error).
/// - Start: centre at (25, 125 + U(-j, j)), heading `start_heading` + U(-h, h) rad
///   (0 = +x), `j` = `start_jitter_position` (default 1), `start_heading` default 0.7,
///   `h` = `start_jitter_heading` (default 0.05). Both wheels commanded at
///   `initial_wheel_speed` (default 30). The robot starts 16 units left of the line's
///   leftmost point (41.2, 125) and meets the line at about 40 degrees, which the reflex
///   catches in every seed tried (100 of 100 for each of the headings 0.6, 0.7, 0.8). The
///   authors' simulator starts at (25, 125) with heading 0, i.e. straight at the line;
///   here that makes the robot cross the line at right angles, which a proportional reflex
///   cannot turn into line following (all 20 seeds tried cross the line; 13 never find it
///   again). Their
///   motor-noise generator has a fixed seed, so every run of theirs is the same; here the
///   seed varies the start and the noise.
/// - Dynamics (one `step` = one control period of 0.03 s, Enki's 30 ms timer): three
///   Euler sub-steps of 0.01 s in which the robot moves with the commanded forward speed
///   along `heading + omega_old * dt / 2` and turns at the commanded angular speed; then
///   the sensors are read; then the wheel commands are turned into the next commanded
///   speeds with multiplicative motor noise: each wheel gets
///   `command * (1 - n + U[0, 2n))`, `n` = `motor_noise` (default 0.05), clamped to
///   +-100; forward speed `(l + r) / 2`, angular speed `(r - l) / 5.2`. This is Enki's
///   order, so a command takes effect in the physics of the step after the one in which
///   it was given (two control periods from sensing to moving, as in the authors' loop).
/// - Walls: the robot's centre is kept within [10, 240] on both axes. Enki pushes the body
///   back out of a wall, and the wheel commands overwrite the collision impulse at the
///   next sub-step, so there too a robot that drives into a wall stays pressed against it
///   with its heading unchanged. A robot that follows the line never gets there; one that
///   has lost the line (E = 0 from then on, so nothing learns) ends there.
/// - Termination: none. Truncation: `max_episode_steps` (default 100000).
/// - Internal state (`state`/`setState`): [x, y, heading, omega (angular speed used in
///   the last sub-step), commanded forward speed, commanded angular speed, left wheel
///   command, right wheel command].
public struct LineFollower: Environment, Sendable {
    public static let id = "LineFollower-v0"

    /// The environment's options (`env_options` of an experiment file), with the defaults
    /// described above.
    public struct Configuration: Sendable, Equatable {
        /// Scale from the two sensors' difference to the error `E` (`error_gain`).
        public var errorGain = 50.0
        /// Scale of every predictor (`predictor_gain`).
        public var predictorGain = 1.0
        /// Relative spread `n` of the multiplicative motor noise, in [0, 1) (`motor_noise`).
        public var motorNoise = 0.05
        /// Both wheels' speed at the start, in units/s (`initial_wheel_speed`).
        public var initialWheelSpeed = 30.0
        /// Half-width of the uniform jitter of the start's y position, in units
        /// (`start_jitter_position`).
        public var startJitterPosition = 1.0
        /// Half-width of the uniform jitter of the start heading, in rad
        /// (`start_jitter_heading`).
        public var startJitterHeading = 0.05
        /// The start heading in rad, 0 along +x (`start_heading`).
        public var startHeading = 0.7
        /// Steps after which an episode is truncated (`max_episode_steps`).
        public var maxEpisodeSteps = 100_000
        /// The defaults.
        public init() {}

        /// Reads the environment options of an experiment file (unknown keys rejected).
        public init(options: Hyperparameters) throws {
            try options.rejectUnknownKeys(allowed: [
                "error_gain", "predictor_gain", "motor_noise", "initial_wheel_speed",
                "start_jitter_position", "start_jitter_heading", "start_heading", "max_episode_steps",
            ])
            let d = Configuration()
            errorGain = try options.double("error_gain", default: d.errorGain)
            predictorGain = try options.double("predictor_gain", default: d.predictorGain)
            motorNoise = try options.double("motor_noise", default: d.motorNoise)
            initialWheelSpeed = try options.double("initial_wheel_speed", default: d.initialWheelSpeed)
            startJitterPosition = try options.double("start_jitter_position", default: d.startJitterPosition)
            startJitterHeading = try options.double("start_jitter_heading", default: d.startJitterHeading)
            startHeading = try options.double("start_heading", default: d.startHeading)
            maxEpisodeSteps = try options.int("max_episode_steps", default: d.maxEpisodeSteps)
            guard motorNoise >= 0, motorNoise < 1 else {
                throw ParameterError(key: "motor_noise", message: "expected a number in [0, 1), found \(motorNoise)")
            }
        }
    }

    // The robot (Racer.cpp / parameters.h of the authors' simulator).
    /// Distance between the wheels, in units; sets the angular speed `(r - l) / wheelBase`.
    public static let wheelBase = 5.2
    /// The bound on either wheel's speed, in units/s.
    public static let maxWheelSpeed = 100.0
    /// Seconds per `step` (Enki's 30 ms timer).
    public static let controlPeriod = 0.03
    /// Euler sub-steps per `step`.
    public static let physicsSubsteps = 3
    /// The robot's centre at the start, before the jitter.
    public static let startPosition = SIMD2(25.0, 125.0)
    /// The two error sensors (left, right) in the robot frame, x forward, y to the left.
    public static let errorSensorOffsets = [SIMD2(10.0, 5.0), SIMD2(10.0, -5.0)]
    /// The x coordinates of the three predictor rows in the robot frame.
    public static let predictorRowsX = [11.0, 12.0, 13.0]
    /// Predictors per row.
    public static let predictorsPerRow = 48
    /// Spacing of the predictors across a row, in units.
    public static let predictorSpacing = 0.25
    /// The number of predictors: three rows of 48.
    public static let predictorCount = 144
    static let errorSensorSpread = 0.4
    static let predictorSpread = 2.0
    static let predictorOffset = -0.731059
    static let wallMargin = 10.0

    /// The options the robot was built with.
    public let configuration: Configuration
    /// 145: the error `E` followed by the 144 predictors.
    public let observationCount = 1 + LineFollower.predictorCount
    /// Box(2): the commanded left and right wheel speeds, within ±`maxWheelSpeed`.
    public static let wheelSpeeds = ActionSpace.box(low: [-maxWheelSpeed, -maxWheelSpeed], high: [maxWheelSpeed, maxWheelSpeed])
    /// The commanded wheel speeds (`wheelSpeeds`).
    public var actionSpace: ActionSpace { Self.wheelSpeeds }
    public var maxEpisodeSteps: Int { configuration.maxEpisodeSteps }

    // Pose and motor state.
    /// The x coordinate of the robot's centre, in floor units.
    public private(set) var x = 0.0
    /// The y coordinate of the robot's centre, in floor units.
    public private(set) var y = 0.0
    /// The heading in rad, 0 along +x, counter-clockwise positive.
    public private(set) var heading = 0.0
    var angularSpeed = 0.0
    var commandedSpeed = 0.0
    var commandedAngularSpeed = 0.0
    var leftWheelCommand = 0.0
    var rightWheelCommand = 0.0
    /// Steps taken in the current episode.
    public private(set) var stepsTaken = 0
    var rng = RandomStream(seed: 0)

    // Sensor readings of the current pose.
    /// The closed-loop error `E` at the current pose.
    public private(set) var error = 0.0
    var predictors: [Double]

    // Fixed geometry.
    let texture: [Double]
    let distanceField: [Double]
    /// Sensor offsets in the robot frame: 2 error sensors, then the 144 predictors.
    let sensorOffsets: [SIMD2<Double>]
    let errorKernel: [Double]
    let predictorKernel: [Double]

    /// A robot on the standard track (`LineTrack.standard`).
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        texture = LineTrack.standard.texture
        distanceField = LineTrack.standard.distanceField
        var offsets = Self.errorSensorOffsets
        let half = Double(Self.predictorsPerRow - 1) * Self.predictorSpacing / 2
        for rowX in Self.predictorRowsX {
            for j in 0..<Self.predictorsPerRow {
                offsets.append(SIMD2(rowX, -half + Double(j) * Self.predictorSpacing))
            }
        }
        sensorOffsets = offsets
        errorKernel = Self.kernel(spread: Self.errorSensorSpread)
        predictorKernel = Self.kernel(spread: Self.predictorSpread)
        predictors = Array(repeating: 0, count: Self.predictorCount)
    }

    /// Enki's ground-sensor weights: a Gaussian of the given standard deviation on a 9 x 9
    /// grid of 0.25 spacing, normalised to sum 1. Index `9 * i + j`, offsets
    /// ((i - 4) / 4, (j - 4) / 4).
    static func kernel(spread: Double) -> [Double] {
        var k = [Double](repeating: 0, count: 81)
        var sum = 0.0
        for i in 0..<9 {
            for j in 0..<9 {
                let u = Double(i - 4) / 4, v = Double(j - 4) / 4
                k[9 * i + j] = closedLoopExp(-(u * u + v * v) / (2 * spread * spread))
                sum += k[9 * i + j]
            }
        }
        return k.map { $0 / sum }
    }

    /// Places the robot at the jittered start (reseeding the environment's stream when `seed`
    /// is given), runs Enki's first world step and writes the observation.
    public mutating func reset(seed: UInt64?, observation: inout [Double]) {
        if let seed { rng = RandomStream(seed: seed) }
        x = Self.startPosition.x
        y = Self.startPosition.y + rng.uniform(-configuration.startJitterPosition, configuration.startJitterPosition)
        heading = configuration.startHeading + rng.uniform(-configuration.startJitterHeading, configuration.startJitterHeading)
        angularSpeed = 0
        commandedSpeed = 0
        commandedAngularSpeed = 0
        leftWheelCommand = configuration.initialWheelSpeed
        rightWheelCommand = configuration.initialWheelSpeed
        stepsTaken = 0
        // Enki's first world step: the robot does not move yet (no speed commanded), the
        // sensors are read and the initial wheel commands become commanded speeds.
        worldStep()
        write(&observation)
    }

    /// Takes a Box(2) action (the wheel commands; anything else traps), runs one control period
    /// and writes the observation; reward `-|E|`, never terminated.
    public mutating func step(_ action: Action, observation: inout [Double]) -> StepOutcome {
        guard case .continuous(let v) = action else {
            preconditionFailure("LineFollower-v0 takes Box(2) wheel speeds, got \(action)")
        }
        setWheelCommands(left: v[0], right: v[1])
        worldStep()
        write(&observation)
        stepsTaken += 1
        return StepOutcome(reward: -abs(error), terminated: false, truncated: stepsTaken >= configuration.maxEpisodeSteps)
    }

    /// Sets the wheel commands for the next control period (what the authors' controller
    /// writes into `leftSpeed` / `rightSpeed`).
    @inline(__always)
    public mutating func setWheelCommands(left: Double, right: Double) {
        leftWheelCommand = left
        rightWheelCommand = right
    }

    /// One control period, in Enki's order: physics, sensors, motor command with noise.
    @inline(__always)
    public mutating func worldStep() {
        let dt = Self.controlPeriod / Double(Self.physicsSubsteps)
        for _ in 0..<Self.physicsSubsteps {
            let direction = heading + angularSpeed * dt * 0.5
            let vx = commandedSpeed * _cos(direction)
            let vy = commandedSpeed * _sin(direction)
            angularSpeed = commandedAngularSpeed
            x += vx * dt
            y += vy * dt
            heading += angularSpeed * dt
            x = min(Self.worldSizeMinusMargin, max(Self.wallMargin, x))
            y = min(Self.worldSizeMinusMargin, max(Self.wallMargin, y))
            heading = wrapAngle(heading)
        }
        sense()
        let base = 1 - configuration.motorNoise
        let span = 2 * configuration.motorNoise
        let realLeft = min(Self.maxWheelSpeed, max(-Self.maxWheelSpeed, leftWheelCommand * (base + rng.uniform() * span)))
        let realRight = min(Self.maxWheelSpeed, max(-Self.maxWheelSpeed, rightWheelCommand * (base + rng.uniform() * span)))
        commandedSpeed = (realLeft + realRight) * 0.5
        commandedAngularSpeed = (realRight - realLeft) / Self.wheelBase
    }

    static let worldSizeMinusMargin = LineTrack.worldSize - wallMargin

    /// Reads all 146 ground sensors at the current pose.
    @inline(__always)
    mutating func sense() {
        let c = _cos(heading), s = _sin(heading)
        let px = x, py = y
        let gain = configuration.predictorGain
        var left = 0.0, right = 0.0
        texture.withUnsafeBufferPointer { tex in
            sensorOffsets.withUnsafeBufferPointer { offsets in
                errorKernel.withUnsafeBufferPointer { ek in
                    predictorKernel.withUnsafeBufferPointer { pk in
                        predictors.withUnsafeMutableBufferPointer { out in
                            for k in 0..<offsets.count {
                                let o = offsets[k]
                                let ax = px + c * o.x - s * o.y
                                let ay = py + s * o.x + c * o.y
                                let v = Self.filteredGrey(tex, kernel: k < 2 ? ek : pk, x: ax, y: ay)
                                let response = 1 / (1 + closedLoopExp(-v))
                                if k == 0 {
                                    left = response
                                } else if k == 1 {
                                    right = response
                                } else {
                                    let p = -(response + Self.predictorOffset) * gain
                                    out[k - 2] = p < 0 ? 0 : p
                                }
                            }
                        }
                    }
                }
            }
        }
        error = (left - right) * configuration.errorGain
    }

    /// Kernel-weighted grey value of the 9 x 9 texels around `(x, y)`: the texel under the
    /// point and its neighbours one texel (0.25 units) apart along the world axes.
    @inline(__always)
    static func filteredGrey(_ tex: UnsafeBufferPointer<Double>, kernel: UnsafeBufferPointer<Double>, x: Double, y: Double) -> Double {
        let side = LineTrack.textureSide
        let scale = Double(LineTrack.texelsPerUnit)
        let tx = Int((x * scale).rounded(.down))
        let ty = Int((y * scale).rounded(.down))
        var v = 0.0
        if tx >= 4, ty >= 4, tx < side - 4, ty < side - 4 {
            // Row by row (contiguous texels); the kernel is symmetric in (i, j).
            for j in 0..<9 {
                let row = (ty + j - 4) * side + tx - 4
                for i in 0..<9 {
                    v += kernel[9 * j + i] * tex[row + i]
                }
            }
        } else {
            for i in 0..<9 {
                let column = tx + i - 4
                for j in 0..<9 {
                    let row = ty + j - 4
                    let g = (column < 0 || row < 0 || column >= side || row >= side) ? 1.0 : tex[row * side + column]
                    v += kernel[9 * i + j] * g
                }
            }
        }
        return v
    }

    @inline(__always)
    func write(_ observation: inout [Double]) {
        observation.withUnsafeMutableBufferPointer { o in
            o[0] = error
            predictors.withUnsafeBufferPointer { p in
                for k in 0..<p.count { o[1 + k] = p[k] }
            }
        }
    }

    /// The robot's centre.
    public var position: SIMD2<Double> { SIMD2(x, y) }

    /// Distance from the point midway between the two near sensors (10 units ahead of the
    /// centre) to the line's centreline, to the texel; infinity beyond
    /// `LineTrack.distanceFieldReach` (12). While the robot follows the line this is below
    /// about 7 (the sensors are 5 to either side); a robot that has lost the line reads
    /// large values or infinity. Not part of the observation.
    public var distanceToLine: Double {
        let px = x + 10 * _cos(heading), py = y + 10 * _sin(heading)
        let scale = Double(LineTrack.texelsPerUnit)
        let tx = Int((px * scale).rounded(.down)), ty = Int((py * scale).rounded(.down))
        guard tx >= 0, ty >= 0, tx < LineTrack.textureSide, ty < LineTrack.textureSide else { return .infinity }
        return distanceField.withUnsafeBufferPointer { $0[ty * LineTrack.textureSide + tx] }
    }

    public var state: [Double] {
        [x, y, heading, angularSpeed, commandedSpeed, commandedAngularSpeed, leftWheelCommand, rightWheelCommand]
    }

    public mutating func setState(_ state: [Double], observation: inout [Double]) throws {
        guard state.count == 8, state.allSatisfy(\.isFinite) else {
            throw EnvironmentError.invalidState(
                "LineFollower-v0 state must be 8 finite numbers x,y,heading,omega,speed,angular_speed,left_command,right_command; got \(state.count) values")
        }
        (x, y, heading, angularSpeed) = (state[0], state[1], state[2], state[3])
        (commandedSpeed, commandedAngularSpeed, leftWheelCommand, rightWheelCommand) = (state[4], state[5], state[6], state[7])
        stepsTaken = 0
        sense()
        write(&observation)
    }
}

extension LineFollower: Checkpointable {
    /// Appends the internal state, the step count and the motor-noise stream.
    public func save(to archive: inout StateArchive) {
        for v in state { archive.append(v) }
        archive.append(stepsTaken)
        rng.save(to: &archive)
    }

    /// Restores what `save(to:)` wrote and reads the sensors at the restored pose.
    public mutating func load(from reader: inout StateArchive.Reader) throws {
        x = try reader.double()
        y = try reader.double()
        heading = try reader.double()
        angularSpeed = try reader.double()
        commandedSpeed = try reader.double()
        commandedAngularSpeed = try reader.double()
        leftWheelCommand = try reader.double()
        rightWheelCommand = try reader.double()
        stepsTaken = try reader.int()
        try rng.load(from: &reader)
        sense()
    }
}
