/// A value interpolated linearly from `start` to `end` over the first `steps` steps and held
/// at `end` afterwards: `value(t) = (end - start) * min(t, steps) / steps + start`, the
/// reference code's `linear_interpolat` (MAP propagation, `util.py`).
///
/// The schedule is stateless; the learner that owns it keeps the step count `t` and
/// checkpoints it.
public struct LinearSchedule: Sendable, Equatable {
    /// The value at step 0.
    public var start: Double
    /// The value from step `steps` on.
    public var end: Double
    /// The length of the interpolation, in steps; positive.
    public var steps: Int

    /// A schedule from `start` to `end` over `steps` steps (`steps` > 0, a precondition).
    public init(start: Double, end: Double, steps: Int) {
        precondition(steps > 0, "a linear schedule needs steps > 0")
        self.start = start
        self.end = end
        self.steps = steps
    }

    /// A schedule that stays at `value`.
    public init(constant value: Double) { self.init(start: value, end: value, steps: 1) }

    /// The value at step `t` (0 is the first step); held at `end` from `steps` on.
    @inlinable
    public func value(at t: Int) -> Double {
        (end - start) * Double(min(t, steps)) / Double(steps) + start
    }
}
