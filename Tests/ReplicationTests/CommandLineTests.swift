import Foundation
import Testing
import ThreeFactor
@testable import Replication

/// The `threefactor` binary as a user runs it: determinism across thread counts, resume
/// after Ctrl-C and after `kill -9`, and one clear line with exit status 2 for bad input.
@Suite(.serialized) struct CommandLineTests {
    /// The binary under test: `THREEFACTOR_CLI` when set (`make test` points it at the
    /// release build, which trains fast enough to interrupt mid-run), else the one SwiftPM
    /// built next to the test bundle.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["THREEFACTOR_CLI"] { return path }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("threefactor").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return ".build/debug/threefactor"
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func threefactor(
        _ arguments: [String], environment: [String: String]? = nil, killAfter: ((Process) -> Void)? = nil
    ) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try HDF5File.start(p)
        killAfter?(p)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    static func demo(_ out: String, episodes: Int = 60, jobs: Int) -> [String] {
        ["run", "--env", "CartPole-v1", "--rule", "reinforce-team", "--seeds", "0..2",
         "--episodes", "\(episodes)", "--out", out, "--jobs", "\(jobs)"]
    }

    /// Signals the process `delay` seconds after its log file appears.
    static func signal(_ signal: Int32, after delay: Double, once path: String) -> (Process) -> Void {
        { process in
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, process.isRunning, !FileManager.default.fileExists(atPath: path) { usleep(10_000) }
            usleep(UInt32(delay * 1e6))
            kill(process.processIdentifier, signal)
        }
    }

    @Test func sameNumbersWithOneThreadOrMany() throws {
        let dir = Scratch.directory()
        let a = try Self.threefactor(Self.demo("\(dir)/one.h5", jobs: 1))
        let b = try Self.threefactor(Self.demo("\(dir)/many.h5", jobs: 3))
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 0, "\(b.stderr)")
        let one = try RunLog.read("\(dir)/one.h5"), many = try RunLog.read("\(dir)/many.h5")
        #expect(one.seeds.count == 3)
        #expect(one.seeds.allSatisfy { $0.status == .complete && $0.unitsDone == 60 })
        #expect(one.seeds.map(\.series) == many.seeds.map(\.series))
    }

    @Test(arguments: [SIGINT, SIGKILL])
    func interruptedRunResumesToTheSameNumbers(signal: Int32) throws {
        let dir = Scratch.directory("interrupt\(signal)")
        // About 4 s uninterrupted on this machine (longer under load); the signal comes 1 s
        // after the log appears, when at least one checkpoint (every 0.5 s) is committed and
        // most of the run is still ahead.
        let episodes = 6000
        try Self.threefactor(Self.demo("\(dir)/straight.h5", episodes: episodes, jobs: 2))
        let delay = 1.0
        let stopped = try Self.threefactor(
            Self.demo("\(dir)/resumed.h5", episodes: episodes, jobs: 2),
            killAfter: Self.signal(signal, after: delay, once: "\(dir)/resumed.h5"))
        if signal == SIGINT { #expect(stopped.status == 130, "\(stopped.stderr)") }
        let partial = try RunLog.read("\(dir)/resumed.h5")
        #expect(partial.seeds.contains { $0.status != .complete }, "the run finished before the signal arrived")
        #expect(partial.seeds.contains { $0.unitsDone > 0 }, "nothing was committed before the signal")
        let resumed = try Self.threefactor(Self.demo("\(dir)/resumed.h5", episodes: episodes, jobs: 2))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try RunLog.read("\(dir)/straight.h5"), b = try RunLog.read("\(dir)/resumed.h5")
        #expect(b.seeds.allSatisfy { $0.status == .complete })
        #expect(a.seeds.map(\.series) == b.seeds.map(\.series))
    }

    @Test func badInputIsOneLineAndExitStatusTwo() throws {
        let dir = Scratch.directory()
        // A directory that cannot be created, even by root: its parent is a regular file.
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(dir)/plainfile"))
        let cases: [([String], String)] = [
            (["run", "--env", "NoSuchEnv-v0", "--rule", "reinforce-team", "--episodes", "5"], "--env"),
            (["run", "--env", "CartPole-v1", "--rule", "no-such-rule", "--episodes", "5"], "--rule"),
            (["run", "--env", "CartPole-v1", "--rule", "reinforce-team", "--seeds", "3..1", "--episodes", "5"], "--seeds"),
            (["run", "--env", "CartPole-v1", "--rule", "reinforce-team", "--seeds", "a", "--episodes", "5"], "--seeds"),
            (["run", "--env", "CartPole-v1", "--rule", "reinforce-team", "--episodes", "5", "--out", "\(dir)/plainfile/x.h5"], "plainfile/x.h5"),
            (["run", "--env", "CartPole-v1", "--rule", "reinforce-team", "--episodes", "5", "--param", "no_such_key=1",
              "--out", "\(dir)/p.h5"], "no_such_key"),
            (["run", "--env", "CartPole-v1", "--rule", "map-prop", "--episodes", "5", "--param", "gamma=1.5",
              "--out", "\(dir)/g.h5"], "gamma"),
            (["run", "--env", "Multiplexer", "--rule", "map-prop", "--episodes", "5"], "supervised"),
            (["run", "--env", "MountainCarContinuous-v0", "--rule", "sar-sign", "--episodes", "5"], "sar-sign"),
            (["run", "--env", "CartPole-v1", "--rule", "reinforce-team", "--seeds", "0..99999999", "--episodes", "5"],
             "more than 10000 seeds"),
            (["run", "--env", "CartPole-v1", "--rule", "reinforce-team", "--seeds", "0..9223372036854775807", "--episodes", "5"],
             "larger than the largest seed"),
            (["run", "--env", "CartPole-v1", "--rule", "reinforce-team", "--episodes", "9223372036854775807"],
             "--episodes: must be between 1 and 1000000000"),
            (["describe", "no-such-rule"], "valid: map-prop"),
            (["list", "--rule", "no-such-rule"], "valid: map-prop"),
        ]
        for (arguments, mention) in cases {
            let r = try Self.threefactor(arguments)
            #expect(r.status == 2, "\(arguments)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains(mention), "\(arguments): \(r.stderr)")
        }
    }

    /// `list` shows every rule, task and kind of the catalog; `describe` a rule's table with
    /// its defaults, as the parser uses them.
    @Test func listAndDescribeShowTheCatalog() throws {
        let list = try Self.threefactor(["list"])
        #expect(list.status == 0)
        for name in Catalog.rules.map(\.name) where name != "sabotaged-backprop" { #expect(list.stdout.contains("  \(name) "), "\(name)") }
        for id in Catalog.tasks.map(\.id) { #expect(list.stdout.contains("  \(id) "), "\(id)") }
        for kind in Catalog.kinds.map(\.name) { #expect(list.stdout.contains("  \(kind) "), "\(kind)") }
        let describe = try Self.threefactor(["describe", "map-prop"])
        #expect(describe.status == 0)
        #expect(describe.stdout.contains("kind episodic") && describe.stdout.contains("kind supervised"))
        let line = describe.stdout.split(separator: "\n").first { $0.contains("map_grad_ascent_steps") }
        #expect(line?.contains("20") == true && line?.contains(">= 0") == true, "\(line ?? "")")
        #expect(try Self.threefactor(["list", "--rule", "map-prop"]).stdout == describe.stdout)
        let nrl = try Self.threefactor(["describe", "nrl"]).stdout
        #expect(nrl.contains("learning_rate") && nrl.contains("(required)") && nrl.contains("discrete and continuous actions") && nrl.contains("action_std"))
    }

    @Test func existingLogOfAnotherConfigurationIsRefusedAndKept() throws {
        let dir = Scratch.directory()
        let path = "\(dir)/demo.h5"
        try Self.threefactor(Self.demo(path, episodes: 5, jobs: 1))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let r = try Self.threefactor(Self.demo(path, episodes: 6, jobs: 1))
        #expect(r.status == 2)
        #expect(r.stderr.contains("different configuration"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    /// `replicate --experiments` runs another experiments file of the paper (a sweep) into
    /// its own directory without verifying it; a missing, invalid or foreign file is one
    /// line naming the file, exit 2.
    @Test func replicateRunsAnotherExperimentsFileOfThePaper() throws {
        let dir = Scratch.directory()
        let sweep = "\(dir)/sweep.toml"
        try Data("""
            paper = "demo"
            [profiles]
            full = "two episodes"
            [[experiments]]
            id = "tiny"
            env = "CartPole-v1"
            rule = "reinforce-team"
            units = 2
            seeds = [0]
            """.utf8).write(to: URL(fileURLWithPath: sweep))
        let ok = try Self.threefactor(["replicate", "demo", "--experiments", sweep, "--out", "\(dir)/out", "--jobs", "1"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("not verified"), "\(ok.stdout)")
        let log = try RunLog.read("\(dir)/out/tiny.h5")
        #expect(log.seeds.map(\.unitsDone) == [2])

        try Data("paper = \"demo\"\n[profiles\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/broken.toml"))
        let cases: [([String], String)] = [
            (["replicate", "demo", "--experiments", "\(dir)/missing.toml"], "missing.toml"),
            (["replicate", "demo", "--experiments", "\(dir)/broken.toml"], "broken.toml"),
            (["replicate", "other", "--experiments", sweep], "sweep.toml"),
        ]
        for (arguments, mention) in cases {
            let r = try Self.threefactor(arguments)
            #expect(r.status == 2, "\(arguments)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains("--experiments") && r.stderr.contains(mention), "\(arguments): \(r.stderr)")
        }
        #expect(PaperExperiments.outputDirectory(paper: "nrl", profile: "full", variant: "sweep") == "runs/nrl/sweep")
        #expect(PaperExperiments.outputDirectory(paper: "nrl", profile: "quick", variant: "sweep") == "runs/nrl/sweep/quick")
        #expect(PaperExperiments.outputDirectory(paper: "nrl", profile: "quick") == "runs/nrl/quick")
    }

    /// A seed that diverges ends `run` with the documented status 3 (and is logged as such).
    @Test func divergedRunExitsThree() throws {
        let dir = Scratch.directory()
        let path = "\(dir)/d.h5"
        let huge = "[1e300, 1e300, 1e300]"
        let r = try Self.threefactor(["run", "--env", "CartPole-v1", "--rule", "reinforce-team", "--seeds", "0",
                                      "--episodes", "20", "--param", "critic_lr_st=\(huge)",
                                      "--param", "critic_lr_end=\(huge)", "--out", path, "--jobs", "1"])
        #expect(r.status == 3, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("1 diverged"), "\(r.stdout)")
        #expect(try RunLog.read(path).seeds.map(\.status) == [.diverged])
    }

    /// `kill -9` at any instant of a log's creation: the rerun of the same command always
    /// runs (never "exists and is not a ThreeFactor run log"), ends complete with exit 0,
    /// and leaves no temporary behind.
    @Test func killDuringCreationNeverLeavesALogThatBlocksTheRerun() throws {
        let dir = Scratch.directory()
        for attempt in 0..<8 {
            let path = "\(dir)/k\(attempt).h5"
            let arguments = Self.demo(path, episodes: 3, jobs: 1)
            let delay = UInt32(attempt) * 15_000  // 0, 15, ..., 105 ms after launch
            try Self.threefactor(arguments, killAfter: { p in
                usleep(delay)
                kill(p.processIdentifier, SIGKILL)
            })
            let rerun = try Self.threefactor(arguments)
            #expect(rerun.status == 0, "kill after \(delay / 1000) ms: \(rerun.stderr)")
            #expect(try RunLog.read(path).seeds.allSatisfy { $0.status == .complete })
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("creating") }
        #expect(left.isEmpty, "\(left)")
    }

    /// A real full disk (a 2600 KiB tmpfs as the output directory; needs root to mount, else
    /// the test returns): one line, exit 2, and the copied-out log resumes to the numbers of
    /// an uninterrupted run.
    @Test func aFullDiskStopsWithOneLineAndTheLogResumes() throws {
        let dir = Scratch.directory()
        let mountPoint = "\(dir)/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=2600k", "tmpfs", mountPoint]
        mount.standardError = FileHandle.nullDevice
        guard (try? HDF5File.start(mount)) != nil else { return }
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { return }
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [mountPoint]
            try? HDF5File.start(umount)
            umount.waitUntilExit()
        }
        let arguments = { (out: String) in
            ["run", "--env", "CartPole-v1", "--rule", "reinforce-team", "--seeds", "0..3", "--episodes", "3000",
             "--out", out, "--jobs", "2"]
        }
        let full = try Self.threefactor(arguments("\(mountPoint)/a.h5"))
        #expect(full.status == 2, "\(full.stdout) \(full.stderr)")
        let errors = full.stderr.split(separator: "\n").filter { $0.hasPrefix("threefactor: error:") }
        #expect(errors.count == 1 && errors[0].contains("free on its file system"), "\(full.stderr)")
        #expect(!full.stderr.contains("HDF5-DIAG"), "\(full.stderr)")
        try FileManager.default.copyItem(atPath: "\(mountPoint)/a.h5", toPath: "\(dir)/a.h5")
        #expect(try RunLog.read("\(dir)/a.h5").seeds.contains { $0.status == .interrupted })
        #expect(try Self.threefactor(arguments("\(dir)/a.h5")).status == 0)
        #expect(try Self.threefactor(arguments("\(dir)/straight.h5")).status == 0)
        let a = try RunLog.read("\(dir)/straight.h5"), b = try RunLog.read("\(dir)/a.h5")
        #expect(b.seeds.allSatisfy { $0.status == .complete })
        #expect(a.seeds.map(\.series) == b.seeds.map(\.series))
    }
}
