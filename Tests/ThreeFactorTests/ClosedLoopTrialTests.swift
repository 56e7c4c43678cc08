import Testing
@testable import ThreeFactor

@Suite struct SuccessTestTests {
    @Test func simulatorTestNeeds200QuietStepsAfterTheWindowIsClean() {
        var test = SuccessTest(kind: .simulator)
        for _ in 0..<200 { test.record(absError: 1) }
        var step = 200
        while !test.succeeded && step < 2000 {
            test.record(absError: 0)
            step += 1
        }
        // The window holds the last |E| = 1 (step 200) up to step 399; steps 400 ... 599
        // are the 200 quiet ones; the authors print the step count minus the streak.
        #expect(step == 599)
        #expect(test.stepsToSuccess == 399)
    }

    @Test func robotTestStartsTimingAtTheFirstErrorAndWaits400Steps() {
        var test = SuccessTest(kind: .robot)
        for _ in 0..<5 { test.record(absError: 0.001) }     // below 0.01: timing not started
        for _ in 0..<10 { test.record(absError: 1) }        // timing starts at step 6
        while !test.succeeded && test.steps < 3000 { test.record(absError: 0) }
        // From step 406 (400 after the start) the mean (10 / steps) is below 0.1; two
        // consecutive steps: success at step 407, i.e. 401 steps after the start.
        #expect(test.steps == 407)
        #expect(test.stepsToSuccess == 401)
    }

    @Test func stepsOffTheLineNeverCountAsQuiet() {
        for kind in SuccessTest.Kind.allCases {
            var test = SuccessTest(kind: kind)
            test.record(absError: 1)
            for _ in 0..<3000 { test.record(absError: 0, onLine: false) }
            #expect(!test.succeeded)
        }
    }
}

@Suite struct ClosedLoopTrialTests {
    static func spec(_ rule: String, seed: UInt64 = 3, params: [String: ParameterValue] = [:]) -> TrialSpec {
        var p: [String: ParameterValue] = ["block_steps": .integer(20)]
        if rule != "reflex-only" {
            p["layers"] = .list([.integer(4), .integer(3), .integer(2)])
        }
        for (k, v) in params { p[k] = v }
        return TrialSpec(env: "LineFollower-v0", envOptions: Hyperparameters(), rule: rule, ruleParameters: Hyperparameters(p), seed: seed)
    }

    static func run(_ trial: inout any Trial, units: Int) -> [[Double]] {
        var rows: [[Double]] = []
        var record = [Double](repeating: .nan, count: trial.seriesNames.count)
        for _ in 0..<units {
            trial.runUnit(record: &record)
            rows.append(record)
        }
        return rows
    }

    static func make(_ spec: TrialSpec) throws -> any Trial { try Catalog.makeTrial(kind: "closed-loop", spec) }

    @Test func everyRuleIsRegisteredAndLogsItsSeries() throws {
        let rules = Catalog.rules.filter { $0.implementation(for: "closed-loop") != nil }.map(\.name)
        #expect(rules == ["sar-sign", "sar-delta-sign", "gdm", "reflex-only"])
        for rule in rules {
            var trial = try Self.make(Self.spec(rule))
            let rows = Self.run(&trial, units: 2)
            let names = trial.seriesNames
            #expect(names.contains("abs_error_mean") && names.contains("steps_to_success") && names.contains("episode_return"))
            #expect(names.contains("success_robot_test") && names.contains("off_line_steps"))
            #expect(names.contains("weight_distance_layer_2") == (rule != "reflex-only"))
            let row = Dictionary(uniqueKeysWithValues: zip(names, rows[1]))
            #expect(row["episode_return"] == -row["abs_error_mean"]!)
            #expect(row["steps_to_success"] == -1 && row["success"] == 0)
            #expect(rows.allSatisfy { $0.allSatisfy(\.isFinite) })
            #expect(!trial.hasDiverged)
        }
    }

    @Test func learningRulesMoveEveryLayerAndTheReflexLearnsNothing() throws {
        for rule in ["sar-sign", "sar-delta-sign", "gdm"] {
            var trial = try Self.make(Self.spec(rule))
            let rows = Self.run(&trial, units: 5)
            let names = trial.seriesNames
            let last = Dictionary(uniqueKeysWithValues: zip(names, rows[4]))
            for k in 0..<3 { #expect(last["weight_distance_layer_\(k)"]! > 0, "\(rule) layer \(k)") }
        }
    }

    @Test func aRunIsAPureFunctionOfSpecAndSeed() throws {
        var a = try Self.make(Self.spec("sar-sign"))
        var b = try Self.make(Self.spec("sar-sign"))
        #expect(Self.run(&a, units: 3) == Self.run(&b, units: 3))
        var c = try Self.make(Self.spec("sar-sign", seed: 4))
        var d = try Self.make(Self.spec("sar-sign"))
        #expect(Self.run(&c, units: 3) != Self.run(&d, units: 3))
    }

    @Test func resumingFromACheckpointIsBitIdentical() throws {
        for rule in ["sar-delta-sign", "gdm", "reflex-only"] {
            var whole = try Self.make(Self.spec(rule))
            let expected = Self.run(&whole, units: 5)
            var first = try Self.make(Self.spec(rule))
            let head = Self.run(&first, units: 3)
            var archive = StateArchive()
            first.save(to: &archive)
            var resumed = try Self.make(Self.spec(rule))
            var reader = StateArchive.Reader(archive)
            try resumed.load(from: &reader)
            #expect(reader.isAtEnd)
            let tail = Self.run(&resumed, units: 2)
            #expect(head + tail == expected, "\(rule)")
        }
    }

    @Test func configurationErrorsNameTheKey() {
        #expect(throws: ParameterError.self) {
            try Self.make(Self.spec("gdm", params: ["etta": .number(0.1)]))
        }
        #expect(throws: ParameterError.self) {
            try Self.make(Self.spec("reflex-only", params: ["eta": .number(0.1)]))
        }
        #expect(throws: ParameterError.self) {
            try Self.make(Self.spec("gdm", params: ["output_weights": .list([.number(1), .number(2), .number(3)])]))
        }
        #expect(throws: CatalogError.self) { try Self.make(Self.spec("sar")) }
        #expect(throws: CatalogError.self) { try Self.make(Self.spec("nrl")) }
    }

    @Test func pathsBeforeAndAfterStartTogetherAndHaveTheRequestedLength() throws {
        let r = try ClosedLoopTrials.beforeAndAfter(Self.spec("gdm"), learningUnits: 2, pathSteps: 30)
        #expect(r.before.count == 31 && r.after.count == 31)
        #expect(r.before[0] == r.after[0])
        #expect(r.track.count == LineTrack.controlPoints.count * 16)
        let frozen = try ClosedLoopTrials.drivenPath(Self.spec("gdm"), weights: nil, steps: 30)
        #expect(frozen == r.before)
    }
}
