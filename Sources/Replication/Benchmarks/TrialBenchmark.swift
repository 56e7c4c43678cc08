#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ThreeFactor

/// Throughput of a whole experiment loop (any kind of trial: episodic, supervised,
/// closed-loop) in steps per CPU second of the running thread, for `make bench`.
public enum TrialBenchmark {
    public struct Result: Sendable {
        public var steps: Int
        public var cpuSeconds: Double
        public var stepsPerCPUSecond: Double { Double(steps) / cpuSeconds }
    }

    public enum BenchmarkError: Error, CustomStringConvertible {
        case stepsNotCounted(String)
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
