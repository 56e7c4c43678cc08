/// When has the line follower learned its task? The two tests of the authors' code.
///
/// - `.simulator` (their Enki simulator, `run.cpp`): keep the running sum of `|E|` over
///   the last 200 steps; from step 201 on, count consecutive steps on which that sum is
///   below 0.1 (reset the count otherwise); when the count reaches 200 the task is learned,
///   at step `current step - 200` (the first step of the quiet stretch, as they print it).
///   `movingAverage` reports the running sum divided by 200, so the threshold reads
///   `movingAverage < 0.0005`. The test asks in effect for 400 steps in which the near
///   sensors hardly touch the line.
/// - `.robot` (their robot, github.com/Sama-Darya/lineFollowerRobot): start timing at the
///   first step with `|E| > 0.01`; success when the mean of `|E|` over the last 800 steps
///   is below 0.1 on two consecutive steps, at least 400 steps after the start; steps to
///   success counted from the start.
///
/// Both tests assume the robot stays on the line: a robot that has driven off the track
/// sees only white, `E = 0`, and would pass them. Here a step on which the robot is off
/// the line (`onLine` false) counts as a failing step (it resets the streak); this is the
/// one change to the authors' tests.
///
/// Steps are numbered from 1 (the first control step).
public struct SuccessTest: Sendable {
    /// Which of the authors' two tests.
    public enum Kind: String, Sendable, CaseIterable {
        /// The Enki simulator's test: 200-step window of `|E|`, threshold 0.1 on its sum.
        case simulator
        /// The robot's test: 800-step window, mean of `|E|` below 0.1 on two consecutive steps.
        case robot
    }

    /// Which test this is.
    public let kind: Kind
    /// The window of `|E|` values the statistic covers: 200 steps (simulator) or 800 (robot).
    public let window: Int
    var recent: [Double]
    var head = 0
    var filled = 0
    var streak = 0
    /// Steps recorded so far.
    public private(set) var steps = 0
    /// Robot test: the step at which timing started (0: not yet).
    var startStep = 0
    /// The step at which success was reached, nil before.
    public private(set) var stepsToSuccess: Int?
    /// The test's statistic after the last step: mean of `|E|` over the window (the
    /// steps seen so far while the window is not yet full).
    public private(set) var movingAverage = 0.0

    /// A test that has seen no step.
    public init(kind: Kind) {
        self.kind = kind
        window = kind == .simulator ? 200 : 800
        recent = Array(repeating: 0, count: window)
    }

    /// Records one step's `|E|` and whether the robot was on the line.
    public mutating func record(absError: Double, onLine: Bool = true) {
        steps += 1
        recent[head] = absError
        head = (head + 1) % window
        filled = min(filled + 1, window)
        var sum = 0.0
        recent.withUnsafeBufferPointer { r in
            for k in 0..<filled { sum += r[k] }
        }
        movingAverage = sum / Double(filled)
        guard stepsToSuccess == nil else { return }
        switch kind {
        case .simulator:
            guard steps > 200 else { return }
            if sum < 0.1 && onLine {
                streak += 1
                if streak == 200 { stepsToSuccess = steps - streak }
            } else {
                streak = 0
            }
        case .robot:
            if startStep == 0 {
                if absError > 0.01 { startStep = steps } else { return }
            }
            guard steps - startStep >= 400 else { return }
            if movingAverage < 0.1 && onLine {
                streak += 1
                if streak == 2 { stepsToSuccess = steps - startStep }
            } else {
                streak = 0
            }
        }
    }

    /// Whether the test has passed.
    public var succeeded: Bool { stepsToSuccess != nil }
}

extension SuccessTest: Checkpointable {
    public func save(to archive: inout StateArchive) {
        archive.append(recent)
        archive.append(head)
        archive.append(filled)
        archive.append(streak)
        archive.append(steps)
        archive.append(startStep)
        archive.append(stepsToSuccess ?? -1)
        archive.append(movingAverage)
    }

    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try reader.doubles(into: &recent)
        head = try reader.int()
        filled = try reader.int()
        streak = try reader.int()
        steps = try reader.int()
        startStep = try reader.int()
        let s = try reader.int()
        stepsToSuccess = s >= 0 ? s : nil
        movingAverage = try reader.double()
    }
}
