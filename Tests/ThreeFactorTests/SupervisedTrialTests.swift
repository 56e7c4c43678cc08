import Foundation
import Testing
@testable import ThreeFactor

@Suite struct SupervisedTrialTests {
    /// The constants equal papers/map-prop/regression_target.json.
    @Test func regressionWeightsMatchTheReferenceFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("papers/map-prop/regression_target.json")
        // Numbers are read with Swift's correctly rounded Double(String): Foundation's JSON
        // parser on Linux is not, and would differ in the last bits.
        let text = try String(contentsOf: url, encoding: .utf8)
        func numbers(after key: String, before end: String?) -> [Double] {
            let start = text.range(of: "\"\(key)\"")!.upperBound
            let stop = end.map { text.range(of: "\"\($0)\"", range: start..<text.endIndex)!.lowerBound } ?? text.endIndex
            return text[start..<stop]
                .split(whereSeparator: { !"0123456789.eE+-".contains($0) })
                .compactMap { Double(String($0)) }
        }
        let w0 = numbers(after: "W0", before: "W1")
        let w1 = numbers(after: "W1", before: nil)
        #expect(w0.count == 64 && w1.count == 8)
        #expect(w0 == RegressionTarget.firstWeights)
        #expect(w1 == RegressionTarget.secondWeights)
    }

    @Test func regressionTarget() {
        var x = [Double](repeating: 0, count: 8)
        x[4] = 1
        // relu(x W0) = relu(row 4 of W0); y = relu(relu(row 4) · W1).
        var expected = 0.0
        for j in 0..<8 { expected += max(RegressionTarget.firstWeights[4 * 8 + j], 0) * RegressionTarget.secondWeights[j] }
        #expect(abs(RegressionTarget.target(x) - max(expected, 0)) < 1e-15)
        #expect(RegressionTarget.reward(output: 1.5, target: 0.5) == -1)
    }

    /// Inputs are ±1; the target is the data bit the (big-endian) address selects.
    @Test func multiplexer() {
        var rng = RandomStream(seed: 4)
        var x = [Double](repeating: 0, count: 37)
        var ones = 0
        for _ in 0..<2_000 {
            let target = x.withUnsafeMutableBufferPointer { Multiplexer.sample(into: $0.baseAddress!, rng: &rng) }
            #expect(x.allSatisfy { $0 == 1 || $0 == -1 })
            var address = 0
            for k in 0..<5 { address = 2 * address + (x[k] > 0 ? 1 : 0) }
            #expect(target == x[5 + address])
            ones += x.filter { $0 > 0 }.count
        }
        #expect(abs(Double(ones) / (2_000 * 37) - 0.5) < 0.01)
        #expect(Multiplexer.reward(action: 1, target: 1) == 1 && Multiplexer.reward(action: 0, target: 1) == -1)
        #expect(Multiplexer.reward(action: 0, target: -1) == 1)
    }

    @Test func defaultsAreTheReferenceConfigurations() throws {
        let map = try SupervisedTrial<MAPPropagation>.parameters.read(Hyperparameters())
        let mp = try SupervisedSettings(task: .multiplexer, map, stochasticHiddenUnits: true)
        #expect(mp.batchSize == 128 && mp.variances == [0.3, 1, 1] && mp.learningRates == [0.04, 4e-5, 4e-6] && mp.temperature == 1)
        let sr = try SupervisedSettings(task: .regression, map, stochasticHiddenUnits: true)
        #expect(sr.variances == [0.0075, 0.025, 0.025] && sr.learningRates == [0.06, 6e-5, 6e-6])
        #expect(try MAPPropagation.supervised(map).steps == 20)
        let bp = try SupervisedSettings(task: .regression, SupervisedTrial<Backpropagation>.parameters.read(Hyperparameters()), stochasticHiddenUnits: false)
        #expect(bp.variances == [1, 1, 0.025])
        #expect(throws: ParameterError.self) {
            try SupervisedTrial<Backpropagation>.parameters.read(Hyperparameters(["var": .list([.number(1)])]))
        }
    }

    /// Both tasks, all three methods: rewards in range, and a checkpoint continues bit for bit.
    @Test(arguments: SupervisedTask.allCases, ["map-prop", "reinforce-team", "backprop"])
    func runsAndResumes(task: SupervisedTask, rule: String) throws {
        let spec = TrialSpec(env: task.rawValue, envOptions: Hyperparameters(), rule: rule,
                             ruleParameters: Hyperparameters(["batch_size": .integer(4)]), seed: 2)
        var trial = try Catalog.makeTrial(kind: "supervised", spec)
        #expect(trial.seriesNames == ["mean_reward", "episode_return"])
        var record = [0.0, 0.0]
        for _ in 0..<2 { trial.runUnit(record: &record) }
        #expect(record[0] == record[1])
        if task == .multiplexer { #expect(abs(record[0]) <= 1) } else { #expect(record[0] <= 0) }
        var archive = StateArchive()
        trial.save(to: &archive)
        var expected: [[Double]] = []
        for _ in 0..<2 {
            trial.runUnit(record: &record)
            expected.append(record)
        }
        var resumed = try Catalog.makeTrial(kind: "supervised", spec)
        var reader = StateArchive.Reader(archive)
        try resumed.load(from: &reader)
        for k in 0..<2 {
            resumed.runUnit(record: &record)
            #expect(record == expected[k])
        }
        #expect(!trial.hasDiverged)
    }

    @Test func rejectsUnknownTask() {
        #expect(throws: (any Error).self) {
            try Catalog.makeTrial(kind: "supervised", 
                TrialSpec(env: "XOR", envOptions: Hyperparameters(), rule: "map-prop", ruleParameters: Hyperparameters(), seed: 0))
        }
    }
}
