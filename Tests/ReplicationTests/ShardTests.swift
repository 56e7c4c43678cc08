import Foundation
import Testing
import ThreeFactor
@testable import Replication

/// The cluster path without a cluster: how work is cut into shards, that shards run apart and
/// merged give the logs of a one-machine run bit for bit, that a missing shard stops the
/// merge with one line naming it and its task's log, and the scripts Slurm receives.
@Suite struct ShardTests {
    static func requests(_ directory: String, seeds: [[Int]], units: Int = 30) -> [RunRequest] {
        seeds.enumerated().map { i, s in
            RunRequest(paper: "toy", profile: "quick", experiment: walkExperiment(units: units + i, seeds: s, id: "walk\(i)"),
                       path: "\(directory)/walk\(i).h5")
        }
    }

    static func runner(stop: Bool = false) -> Runner {
        Runner(jobs: 2, shouldStop: { stop }, makeTrial: walkFactory)
    }

    /// Every seed of every log in `a` equals the one in `b`: rows (as bits), checkpoint words,
    /// status; and `b` holds no other seed.
    static func expectIdentical(_ a: [RunRequest], _ bDirectory: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for r in a {
            let header = RunLog.Header(paper: r.paper, profile: r.profile, experiment: r.experiment)
            let names = RandomWalkTrial(seed: 0).seriesNames
            let x = try RunLog.endedSeeds(path: r.path, header: header, seriesNames: names)
            let other = "\(bDirectory)/\((r.path as NSString).lastPathComponent)"
            let y = try RunLog.endedSeeds(path: other, header: header, seriesNames: names)
            #expect(x.keys.sorted() == r.experiment.seeds.sorted(), sourceLocation: sourceLocation)
            #expect(x.keys.sorted() == y.keys.sorted(), sourceLocation: sourceLocation)
            for (seed, s) in x {
                let t = try #require(y[seed], sourceLocation: sourceLocation)
                #expect(s.rows.map { $0.map(\.bitPattern) } == t.rows.map { $0.map(\.bitPattern) }, "\(other) seed \(seed)", sourceLocation: sourceLocation)
                #expect(s.checkpoint == t.checkpoint && s.status == t.status, "\(other) seed \(seed)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func shardsAreBlocksOfSeedsThatGrowToFitTheArray() throws {
        let r = Self.requests("/out", seeds: [[0, 1, 2], [5], Array(0..<10)])
        let plan = try ShardPlan(requests: r, outputDirectory: "/out", shardDirectory: "/out/slurm/shards", seedsPerShard: 2, maxShards: 1000)
        #expect(plan.shards.map(\.seeds) == [[0, 1], [2], [5], [0, 1], [2, 3], [4, 5], [6, 7], [8, 9]])
        #expect(plan.shards.map(\.index) == Array(0..<8))
        #expect(plan.shards[1].path == "/out/slurm/shards/walk0/seeds-2-2.h5")
        #expect(plan.shards[3].partialPath == "/out/slurm/shards/walk2/seeds-0-1.partial.h5")
        #expect(plan.request(for: plan.shards[4]).experiment.seeds == [2, 3])
        #expect(plan.request(for: plan.shards[4]).experiment.configText == r[2].experiment.configText)
        // 8 shards do not fit in 4: blocks of 5 give 1 + 1 + 2.
        let grown = try ShardPlan(requests: r, outputDirectory: "/out", shardDirectory: "/s", seedsPerShard: 2, maxShards: 4)
        #expect(grown.seedsPerShard == 5 && grown.shards.count == 4)
        #expect(throws: ShardError.self) {
            try ShardPlan(requests: r, outputDirectory: "/out", shardDirectory: "/s", seedsPerShard: 1, maxShards: 2)
        }
    }

    @Test func theFingerprintChangesWithTheLayout() throws {
        let a = try ShardPlan(requests: Self.requests("/o", seeds: [[0, 1]]), outputDirectory: "/o", shardDirectory: "/s", seedsPerShard: 1, maxShards: 9)
        let b = try ShardPlan(requests: Self.requests("/o", seeds: [[0, 1]]), outputDirectory: "/o", shardDirectory: "/s", seedsPerShard: 1, maxShards: 9)
        let c = try ShardPlan(requests: Self.requests("/o", seeds: [[0, 2]]), outputDirectory: "/o", shardDirectory: "/s", seedsPerShard: 1, maxShards: 9)
        let d = try ShardPlan(requests: Self.requests("/o", seeds: [[0, 1]]), outputDirectory: "/o", shardDirectory: "/s", seedsPerShard: 2, maxShards: 9)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint != c.fingerprint && a.fingerprint != d.fingerprint)
        #expect(a.fingerprint.count == 16)
    }

    @Test func mergedShardsAreTheOneMachineRunBitForBit() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let local = Self.requests("\(dir)/local", seeds: [[0, 1, 2, 3], [7, 9]])
        try FileManager.default.createDirectory(atPath: "\(dir)/local", withIntermediateDirectories: true)
        _ = try Self.runner().run(local)
        let cluster = Self.requests("\(dir)/cluster", seeds: [[0, 1, 2, 3], [7, 9]])
        let plan = try ShardPlan(requests: cluster, outputDirectory: "\(dir)/cluster", shardDirectory: "\(dir)/cluster/slurm/shards",
                                 seedsPerShard: 3, maxShards: 100)
        #expect(try plan.incompleteShards().count == 3)
        for shard in plan.shards.reversed() {
            let outcome = try plan.run(shard, runner: Self.runner())
            #expect(outcome.statuses.values.allSatisfy { $0 == .complete })
            #expect(FileManager.default.fileExists(atPath: shard.path) && !FileManager.default.fileExists(atPath: shard.partialPath))
        }
        #expect(try plan.incompleteShards().isEmpty)
        let names = try Self.runner().validate(cluster)
        let written = try ShardMerge.merge(plan, seriesNames: names)
        #expect(written == cluster.map(\.path))
        try Self.expectIdentical(local, "\(dir)/cluster")
        // Merging again finds every log complete and writes nothing.
        #expect(try ShardMerge.merge(plan, seriesNames: names).isEmpty)
    }

    @Test func aStoppedShardStaysPartialAndResumes() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = Self.requests("\(dir)/c", seeds: [[0, 1]], units: 2000)
        let plan = try ShardPlan(requests: r, outputDirectory: "\(dir)/c", shardDirectory: "\(dir)/c/shards", seedsPerShard: 2, maxShards: 9)
        let stopped = try plan.run(plan.shards[0], runner: Self.runner(stop: true))
        #expect(stopped.statuses.values.allSatisfy { $0 == .interrupted })
        #expect(!FileManager.default.fileExists(atPath: plan.shards[0].path))
        #expect(FileManager.default.fileExists(atPath: plan.shards[0].partialPath))
        #expect(try plan.incompleteShards().map(\.index) == [0])
        _ = try plan.run(plan.shards[0], runner: Self.runner())
        #expect(try plan.incompleteShards().isEmpty)
        try ShardMerge.merge(plan, seriesNames: Self.runner().validate(r))
        let local = Self.requests("\(dir)/l", seeds: [[0, 1]], units: 2000)
        try FileManager.default.createDirectory(atPath: "\(dir)/l", withIntermediateDirectories: true)
        _ = try Self.runner().run(local)
        try Self.expectIdentical(local, "\(dir)/c")
    }

    @Test func aMissingShardStopsTheMergeNamingItAndItsLog() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = Self.requests("\(dir)/c", seeds: [[0, 1, 2]])
        let plan = try ShardPlan(requests: r, outputDirectory: "\(dir)/c", shardDirectory: "\(dir)/c/shards", seedsPerShard: 1, maxShards: 9)
        for shard in plan.shards where shard.index != 1 { _ = try plan.run(shard, runner: Self.runner()) }
        let log = "\(dir)/task-1.out"
        try "shard 1 of run: experiment walk0, seeds 1\nslurmstepd: error: *** JOB 12 ON node CANCELLED ***\n"
            .write(toFile: log, atomically: true, encoding: .utf8)
        let error = #expect(throws: ShardError.self) {
            try ShardMerge.merge(plan, seriesNames: Self.runner().validate(r), taskLog: { "\(dir)/task-\($0.index).out" })
        }
        let text = try #require(error).description
        #expect(text.contains("shard 1 (experiment walk0, seeds 1) did not complete"), "\(text)")
        #expect(text.contains("its task's log: \(log)") && text.contains("CANCELLED"), "\(text)")
        #expect(!text.contains("\n"))
        #expect(!FileManager.default.fileExists(atPath: r[0].path), "no half-merged log")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/c").filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test func seedsAlreadyEndedInTheLogNeedNoShard() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = Self.requests("\(dir)/c", seeds: [[0, 1, 2, 3]])
        // Seeds 0 and 1 were run here before the work moved to the cluster.
        var first = r[0]
        first.experiment.seeds = [0, 1]
        try FileManager.default.createDirectory(atPath: "\(dir)/c", withIntermediateDirectories: true)
        _ = try Self.runner().run([first])
        let plan = try ShardPlan(requests: r, outputDirectory: "\(dir)/c", shardDirectory: "\(dir)/c/shards", seedsPerShard: 2, maxShards: 9)
        let todo = try plan.incompleteShards()
        #expect(todo.map(\.seeds) == [[2, 3]])
        for shard in todo { _ = try plan.run(shard, runner: Self.runner()) }
        try ShardMerge.merge(plan, seriesNames: Self.runner().validate(r))
        let local = Self.requests("\(dir)/l", seeds: [[0, 1, 2, 3]])
        try FileManager.default.createDirectory(atPath: "\(dir)/l", withIntermediateDirectories: true)
        _ = try Self.runner().run(local)
        try Self.expectIdentical(local, "\(dir)/c")
    }

    @Test func theScriptsCarryTheSettings() {
        #expect(SlurmScript.arraySpec([7, 0, 1, 2, 5, 8]) == "0-2,5,7-8")
        #expect(SlurmScript.arraySpec([3]) == "3")
        #expect(SlurmScript.shellQuoted("runs/map-prop") == "runs/map-prop")
        #expect(SlurmScript.shellQuoted("a b'c") == "'a b'\\''c'")
        #expect(SlurmScript.shellQuoted("") == "''")
        let s = SlurmSettings(jobName: "tf", partition: "gpu", account: "lab", time: "1:00:00", cpusPerTask: 4, memory: "8G",
                              maxRunning: 3, extraDirectives: ["qos=long", "#SBATCH --mail-type=END", "-N 1"])
        let array = SlurmScript.array(s, indices: [0, 1, 4], workingDirectory: "/w", log: "/w/logs/run-%a.out",
                                      command: ["/bin/threefactor", "replicate", "my paper"], taskArguments: "--slurm-task run:\"$SLURM_ARRAY_TASK_ID\"")
        for line in ["#!/bin/bash", "#SBATCH --array=0-1,4%3", "#SBATCH --partition=gpu", "#SBATCH --account=lab", "#SBATCH --time=1:00:00",
                     "#SBATCH --cpus-per-task=4", "#SBATCH --mem=8G", "#SBATCH --qos=long", "#SBATCH --mail-type=END", "#SBATCH -N 1",
                     "#SBATCH --chdir=/w", "#SBATCH --output=/w/logs/run-%a.out", "#SBATCH --open-mode=append", "#SBATCH --requeue",
                     "/bin/threefactor replicate 'my paper' --slurm-task run:\"$SLURM_ARRAY_TASK_ID\""] {
            #expect(array.split(separator: "\n").contains(Substring(line)), "\(line)\n\(array)")
        }
        let merge = SlurmScript.merge(s, phase: "run", workingDirectory: "/w", log: "/w/m.out", command: ["/bin/threefactor", "x"], exitFile: "/w/m.exit")
        #expect(merge.contains("#SBATCH --cpus-per-task=1\n") && !merge.contains("--mem") && !merge.contains("--array"))
        #expect(merge.contains("echo \"$SLURM_JOB_ID $status\" > /w/m.exit\nexit $status\n"))
    }
}
