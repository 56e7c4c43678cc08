import Foundation
import ThreeFactor
@testable import Replication

/// A small stochastic trial for testing the runner and the logs without a learning rule:
/// a random walk whose "return" per unit depends on its whole history, so a resume that
/// restored the wrong state would change every later number.
struct RandomWalkTrial: Trial {
    var rng: RandomStream
    var position = 0.0
    var unitsDone = 0
    let divergeAt: Int?
    let seriesNames = ["episode_return", "episode_length", "position"]

    init(seed: Int, divergeAt: Int? = nil) {
        rng = RandomStream(seed: UInt64(seed), stream: 77)
        self.divergeAt = divergeAt
    }

    var hasDiverged: Bool { !position.isFinite }

    mutating func runUnit(record: inout [Double]) {
        let steps = 1 + rng.integer(below: 20)
        var total = 0.0
        for _ in 0..<steps {
            position += rng.normal()
            total += position
        }
        unitsDone += 1
        if unitsDone == divergeAt { position = .nan }
        record[0] = total
        record[1] = Double(steps)
        record[2] = position
    }

    func save(to archive: inout StateArchive) {
        rng.save(to: &archive)
        archive.append(position)
        archive.append(unitsDone)
    }

    mutating func load(from reader: inout StateArchive.Reader) throws {
        try rng.load(from: &reader)
        position = try reader.double()
        unitsDone = try reader.int()
    }
}

enum Scratch {
    /// A fresh empty directory for one test.
    static func directory(_ name: String = #function) -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let path = NSTemporaryDirectory() + "threefactor-tests/\(safe)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

func walkExperiment(units: Int = 50, seeds: [Int] = [0, 1, 2, 3], id: String = "walk") -> ExperimentSpec {
    ExperimentSpec(id: id, kind: "test", env: nil, rule: "random-walk", units: units, seeds: seeds)
}

let walkFactory: Runner.TrialFactory = { _, seed in RandomWalkTrial(seed: seed) }
