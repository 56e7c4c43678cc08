import Foundation
import Testing
@testable import Replication

/// The `--slurm` path on a real Slurm cluster: `.ci/run` starts a single-node cluster on
/// loopback (scripts/slurm-local.sh) and sets THREEFACTOR_SLURM=1; without it these tests do
/// not run (and say so). Every wait is bounded: a test that hangs fails after its deadline and
/// cancels what it submitted.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["THREEFACTOR_SLURM"] == "1",
                             "needs a Slurm cluster: scripts/slurm-local.sh start, then THREEFACTOR_SLURM=1"))
struct SlurmClusterTests {
    typealias CLI = CommandLineTests

    /// Runs the CLI with a deadline; past it the process is killed and the test fails.
    static func threefactor(_ arguments: [String], deadline seconds: Double = 600, whileRunning: (() -> Void)? = nil) throws -> CLI.Result {
        try CLI.threefactor(arguments, killAfter: { process in
            whileRunning?()
            let end = Date().addingTimeInterval(seconds)
            DispatchQueue.global().async {
                while process.isRunning {
                    if Date() > end { process.terminate(); return }
                    usleep(100_000)
                }
            }
        })
    }

    /// Every dataset of every log in `a` is in `b` with the same type, shape and bits; every
    /// seed's status, units_done and checkpoint checksum agree; and `b` has the same seeds.
    static func expectBitIdentical(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        var compared = 0
        let logs = (FileManager.default.subpaths(atPath: a) ?? [])
            .filter { $0.hasSuffix(".h5") && !$0.split(separator: "/").contains("slurm") }.sorted()
        #expect(!logs.isEmpty, sourceLocation: sourceLocation)
        for name in logs {
            let x = try HDF5File(path: "\(a)/\(name)", mode: .readOnly), y = try HDF5File(path: "\(b)/\(name)", mode: .readOnly)
            #expect(try x.stringAttribute("config") == y.stringAttribute("config"), "\(name)", sourceLocation: sourceLocation)
            let seeds = try x.members(of: "/").filter { $0.hasPrefix("seed_") }
            #expect(try seeds == y.members(of: "/").filter { $0.hasPrefix("seed_") }, "\(name)", sourceLocation: sourceLocation)
            for seed in seeds {
                for attribute in ["status", "checkpoint_fnv1a64"] {
                    #expect(try x.stringAttribute(attribute, on: "/\(seed)") == y.stringAttribute(attribute, on: "/\(seed)"),
                            "\(name) \(seed) \(attribute)", sourceLocation: sourceLocation)
                }
                #expect(try x.intAttribute("units_done", on: "/\(seed)") == y.intAttribute("units_done", on: "/\(seed)"), sourceLocation: sourceLocation)
                for dataset in try x.members(of: "/\(seed)") {
                    let path = "/\(seed)/\(dataset)"
                    if dataset == "checkpoint" {
                        #expect(try x.readUInt64s(path) == y.readUInt64s(path), "\(name) \(path)", sourceLocation: sourceLocation)
                    } else {
                        #expect(try x.readDoubles(path).map(\.bitPattern) == y.readDoubles(path).map(\.bitPattern),
                                "\(name) \(path)", sourceLocation: sourceLocation)
                    }
                    compared += 1
                }
            }
        }
        return compared
    }

    /// Each check's verdict, from the `/summary` the verifier wrote into the logs.
    static func verdicts(_ directory: String) throws -> [String: String] {
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        var verdicts: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".h5") {
            let f = try HDF5File(path: "\(directory)/\(name)", mode: .readOnly)
            guard f.exists("/summary") else { continue }
            for check in try f.members(of: "/summary") { verdicts[check] = try f.stringAttribute("verdict", on: "/summary/\(check)") }
        }
        return verdicts
    }

    @Test func aQuickReplicationOnTheClusterIsTheLocalOneBitForBit() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let local = try CLI.threefactor(["replicate", "map-prop", "--profile", "quick", "--out", "\(dir)/local"])
        #expect(local.status == 0, "\(local.stderr)")
        let cluster = try Self.threefactor(["replicate", "map-prop", "--profile", "quick", "--out", "\(dir)/cluster", "--slurm", "--wait"])
        #expect(cluster.status == 0, "\(cluster.stdout)\n\(cluster.stderr)")
        #expect(cluster.stdout.contains("array") && cluster.stdout.contains("follow: squeue -j"), "\(cluster.stdout)")
        #expect(cluster.stdout.contains("2 PASS, 0 FAIL, 0 MISSING"), "\(cluster.stdout)")
        let compared = try Self.expectBitIdentical("\(dir)/local", "\(dir)/cluster")
        #expect(compared >= 100, "\(compared) datasets")
        let verdicts = try Self.verdicts("\(dir)/local")
        #expect(!verdicts.isEmpty)
        #expect(try Self.verdicts("\(dir)/cluster") == verdicts)
    }

    /// The benchmark's two phases (tuning, then evaluation of the winners read from the
    /// merged tuning logs) as four chained jobs give the logs of the benchmark run here.
    @Test func theQuickBenchmarkOnTheClusterIsTheLocalOneBitForBit() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let local = try CLI.threefactor(["benchmark", "--profile", "quick", "--out", "\(dir)/local"])
        #expect(local.status == 0, "\(local.stderr)")
        let cluster = try Self.threefactor(["benchmark", "--profile", "quick", "--out", "\(dir)/cluster", "--slurm", "--wait"])
        #expect(cluster.status == 0, "\(cluster.stdout)\n\(cluster.stderr)")
        for job in ["tuning array", "tuning merge", "evaluation array", "evaluation merge and verdict"] {
            #expect(cluster.stdout.contains(job), "\(job): \(cluster.stdout)")
        }
        #expect(cluster.stdout.contains("PASS    cartpole-map-prop-beats-random"), "\(cluster.stdout)")
        #expect(try Self.expectBitIdentical("\(dir)/local", "\(dir)/cluster") >= 300)
    }

    /// An array task cancelled mid-run (scancel) leaves its shard partial; the merge fails
    /// naming it; submitting again reruns only that shard, which resumes from its checkpoint,
    /// and ends with the numbers of a run on one machine.
    @Test func aCancelledTaskResubmittedEndsWithTheSameNumbers() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = ["run", "--env", "CartPole-v1", "--rule", "map-prop", "--seeds", "0..1", "--episodes", "400"]
        let shard1 = "\(dir)/cluster/demo.slurm/shards/demo/seeds-1-1.partial.h5"
        let first = try Self.threefactor(run + ["--out", "\(dir)/cluster/demo.h5", "--slurm", "--wait"], whileRunning: {
            let end = Date().addingTimeInterval(300)
            while Date() < end, !FileManager.default.fileExists(atPath: shard1) { usleep(20_000) }
            usleep(1_500_000)  // a few commits into the run
            let jobs = (try? String(contentsOfFile: "\(dir)/cluster/demo.slurm/jobs", encoding: .utf8)) ?? ""
            let array = jobs.split(separator: "\n").first { $0.hasPrefix("run array ") }?.split(separator: " ").last ?? "?"
            let cancel = Process()
            cancel.executableURL = URL(fileURLWithPath: "/usr/bin/scancel")
            cancel.arguments = ["\(array)_1"]
            try? HDF5File.start(cancel)
            cancel.waitUntilExit()
        })
        #expect(first.status == 2, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("shard 1 (experiment CartPole-v1-map-prop, seeds 1) did not complete"), "\(first.stdout)")
        #expect(first.stdout.contains("its task's log: \(dir)/cluster/demo.slurm/logs/run-1.out"), "\(first.stdout)")
        #expect(FileManager.default.fileExists(atPath: shard1), "the cancelled shard keeps its committed units")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/cluster/demo.h5"), "no half-merged log")

        let again = try Self.threefactor(run + ["--out", "\(dir)/cluster/demo.h5", "--slurm", "--wait"])
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
        #expect(again.stdout.contains("1 task(s) [1]"), "only the incomplete shard reruns: \(again.stdout)")
        let taskLog = try String(contentsOfFile: "\(dir)/cluster/demo.slurm/logs/run-1.out", encoding: .utf8)
        #expect(taskLog.contains("interrupted") && taskLog.contains("complete: "), "\(taskLog)")

        let local = try CLI.threefactor(run + ["--out", "\(dir)/local/demo.h5"])
        #expect(local.status == 0, "\(local.stderr)")
        #expect(try Self.expectBitIdentical("\(dir)/local", "\(dir)/cluster") >= 2 * 3)
    }

    /// A shard that fails (its partial file is not a run log) makes the merge job fail with
    /// the error naming the shard and its task's log; `--wait` returns the merge's status.
    @Test func aFailingShardFailsTheMergeWithItsName() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let partial = "\(dir)/demo.slurm/shards/demo/seeds-0-0.partial.h5"
        try FileManager.default.createDirectory(atPath: (partial as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "not a run log".write(toFile: partial, atomically: true, encoding: .utf8)
        let result = try Self.threefactor(["run", "--env", "CartPole-v1", "--rule", "random", "--seeds", "0..1", "--episodes", "20",
                                           "--out", "\(dir)/demo.h5", "--slurm", "--wait"])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        let expected = "shard 0 (experiment CartPole-v1-random, seeds 0) did not complete: no \(dir)/demo.slurm/shards/demo/seeds-0-0.h5; its task's log: \(dir)/demo.slurm/logs/run-0.out (last line: threefactor: error: \(partial): exists and is not a ThreeFactor run log"
        #expect(result.stdout.contains(expected), "\(result.stdout)")
        let mergeLog = try String(contentsOfFile: "\(dir)/demo.slurm/logs/run-merge.out", encoding: .utf8)
        #expect(mergeLog.contains("threefactor: error: \(expected)"), "\(mergeLog)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/demo.h5"))
    }

    @Test func anUnknownPartitionIsRefusedBeforeAnythingIsSubmitted() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.threefactor(["run", "--env", "CartPole-v1", "--rule", "random", "--episodes", "5", "--out", "\(dir)/x.h5",
                                     "--slurm", "--partition", "no-such-partition"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("threefactor: error: --partition: 'no-such-partition' is not a partition of this cluster; sinfo lists: "), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/x.slurm"))
    }
}

/// `--slurm` on a machine without a cluster: the errors that stop a submission before
/// anything is submitted, and what is submitted, seen through stand-ins for `sbatch`,
/// `squeue` and `sinfo` that record their arguments.
@Suite struct SlurmCommandLineTests {
    typealias CLI = CommandLineTests

    /// A directory of stand-in Slurm commands: `sbatch` appends its arguments to
    /// `<dir>/sbatch.calls` and answers job ids 41, 42, ...; `sinfo` lists partition `debug`;
    /// `squeue` lists nothing.
    static func fakeSlurm(_ dir: String) throws -> [String: String] {
        let bin = "\(dir)/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let tools = [
            "sbatch": "echo \"$@\" >> \(dir)/sbatch.calls\necho $((40 + $(wc -l < \(dir)/sbatch.calls)))\n",
            "sinfo": "echo 'debug*'\n",
            "squeue": "exit 0\n",
        ]
        for (name, body) in tools {
            try ("#!/bin/sh\n" + body).write(toFile: "\(bin)/\(name)", atomically: true, encoding: .utf8)
            chmod("\(bin)/\(name)", 0o755)
        }
        return ["PATH": "\(bin):/usr/bin:/bin"]
    }

    static let demo = ["run", "--env", "CartPole-v1", "--rule", "random", "--seeds", "0..2", "--episodes", "5"]

    @Test func withoutSbatchNothingIsSubmitted() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.threefactor(Self.demo + ["--out", "\(dir)/x.h5", "--slurm"], environment: ["PATH": "\(dir)/empty"])
        #expect(r.status == 2)
        #expect(r.stderr == "threefactor: error: --slurm: sbatch is not on PATH: run on a machine with Slurm's client commands (e.g. the cluster's login node)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test(arguments: [["--partition", "p"], ["--wait"], ["--mem", "4G"], ["--dry-run"]])
    func clusterOptionsNeedSlurm(option: [String]) throws {
        let r = try CLI.threefactor(Self.demo + ["--out", "/tmp/unused.h5"] + option)
        #expect(r.status == 2)
        #expect(r.stderr == "threefactor: error: \(option[0]): only with --slurm\n", "\(r.stderr)")
    }

    @Test func aDryRunPrintsTheScriptsAndWritesNothing() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.threefactor(Self.demo + ["--out", "\(dir)/out/x.h5", "--slurm", "--dry-run", "--cpus-per-task", "2", "--max-running", "5"],
                                    environment: ["PATH": "\(dir)/empty"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("# run: 2 of 2 shard(s) to run, 2 seed(s) per shard"), "\(r.stdout)")
        #expect(r.stdout.contains("#SBATCH --array=0-1%5\n#SBATCH --requeue\n"), "\(r.stdout)")
        #expect(r.stdout.contains("--slurm-merge run"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    @Test func theMergeJobDependsOnTheArrayAndAResubmissionRunsOnlyWhatIsLeft() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try Self.fakeSlurm(dir)
        let r = try CLI.threefactor(Self.demo + ["--out", "\(dir)/x.h5", "--slurm", "--partition", "debug", "--sbatch-line", "qos=long"],
                                    environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("job 41: run array, 3 task(s) [0-2] of 1 seed(s)"), "\(r.stdout)")
        #expect(r.stdout.contains("job 42: run merge and verdict"), "\(r.stdout)")
        let calls = try String(contentsOfFile: "\(dir)/sbatch.calls", encoding: .utf8).split(separator: "\n")
        #expect(calls == ["--parsable \(dir)/x.slurm/run-array.sbatch", "--parsable --dependency=afterany:41 \(dir)/x.slurm/run-merge.sbatch"])
        let script = try String(contentsOfFile: "\(dir)/x.slurm/run-array.sbatch", encoding: .utf8)
        #expect(script.contains("#SBATCH --partition=debug\n") && script.contains("#SBATCH --qos=long\n"))
        #expect(try String(contentsOfFile: "\(dir)/x.slurm/jobs", encoding: .utf8) == "run array 41\nrun merge 42\n")
        // Shard 1 completed meanwhile (as a task would leave it): the next submission runs 0 and 2.
        let shard = "\(dir)/x.slurm/shards/x/seeds-1-1.h5"
        let single = try CLI.threefactor(["run", "--env", "CartPole-v1", "--rule", "random", "--seeds", "1", "--episodes", "5", "--out", shard])
        #expect(single.status == 0, "\(single.stderr)")
        let again = try CLI.threefactor(Self.demo + ["--out", "\(dir)/x.h5", "--slurm"], environment: env)
        #expect(again.stdout.contains("run array, 2 task(s) [0,2]"), "\(again.stdout)")
    }

    @Test func anUnwritableOutputDirectoryIsRefused() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try Self.fakeSlurm(dir)
        try "a file".write(toFile: "\(dir)/file", atomically: true, encoding: .utf8)
        let r = try CLI.threefactor(Self.demo + ["--out", "\(dir)/file/x.h5", "--slurm"], environment: env)
        #expect(r.status == 2)
        #expect(r.stderr == "threefactor: error: --out: cannot create \(dir)/file/x.slurm (not writable)\n", "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/sbatch.calls"))
    }

    /// An experiments file with an error is refused with its file and key before anything is
    /// submitted or written.
    @Test func aBrokenExperimentsFileIsRefusedBeforeSubmitting() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try Self.fakeSlurm(dir)
        let root = try NewPaperModuleTests.checkout([
            "papers/toy/experiments.toml": NewPaperModuleTests.experiments.replacingOccurrences(of: "units = 20", with: "units = -20"),
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try CLI.threefactor(["replicate", "toy", "--root", root, "--out", "\(dir)/runs", "--slurm"], environment: env)
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(root)/papers/toy/experiments.toml") && r.stderr.contains("units"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/sbatch.calls"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/runs"))
    }
}
