#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ThreeFactor

/// Throughput of a whole experiment loop (any kind of trial: episodic, supervised,
/// closed-loop) in steps per CPU second of the running thread, for `make bench`.
public enum TrialBenchmark {
    /// One timed loop.
    public struct Result: Sendable {
        /// Steps timed (environment, sample or control steps, as the trial counts them).
        public var steps: Int
        /// CPU seconds the benchmarking thread used in the loop.
        public var cpuSeconds: Double
        /// Steps per second of the thread's CPU time.
        public var stepsPerCPUSecond: Double { Double(steps) / cpuSeconds }
    }

    /// A trial that cannot be benchmarked.
    public enum BenchmarkError: Error, CustomStringConvertible {
        /// Trials of the named kind do not count their steps (`Trial.stepsTaken` is nil).
        case stepsNotCounted(String)
        /// The one-line message for the user.
        public var description: String {
            switch self {
            case .stepsNotCounted(let kind): "trials of kind '\(kind)' do not count their steps"
            }
        }
    }

    /// Builds the experiment's trial for `seed` and runs units until at least `steps` steps
    /// were taken (building the trial is not timed).
    public static func run(_ experiment: ExperimentSpec, seed: Int = 0, steps: Int) throws -> Result {
        var trial = try Runner.registeredTrial(experiment, seed)
        guard trial.stepsTaken != nil else { throw BenchmarkError.stepsNotCounted(experiment.kind) }
        var record = [Double](repeating: 0, count: trial.seriesNames.count)
        let start = AgentBenchmark.threadCPUSeconds()
        while (trial.stepsTaken ?? 0) < steps { trial.runUnit(record: &record) }
        return Result(steps: trial.stepsTaken ?? 0, cpuSeconds: AgentBenchmark.threadCPUSeconds() - start)
    }
}
