import Foundation

/// Run requests cut into shards — one experiment × one block of its seeds — so that each
/// shard can run as one task of a cluster job array and the shards can be merged back into
/// the logs a one-machine run writes.
///
/// Sizing: a shard holds `seedsPerShard` consecutive seeds of one experiment (the last block
/// of an experiment may be smaller), so an array task with that many CPUs runs one seed per
/// CPU. When that would make more shards than the cluster's array limit (`maxShards`), the
/// blocks grow until the shards fit; an experiment is never split across fewer shards than
/// its seeds need. Since every seed is a pure function of (experiment, seed), the sizing
/// never changes a number.
///
/// The plan is a pure function of the requests and the two sizes: the submitting command,
/// every array task and the merge job compute it alike, and `fingerprint` lets a task refuse
/// to run when the experiments changed between submission and execution.
///
/// Layout: the shard of seeds `a…b` of the log `<output>/<name>.h5` is
/// `<shards>/<name>/seeds-a-b.h5`, written as `seeds-a-b.partial.h5` while it runs (a
/// resumable run log) and renamed into place once every seed in it has ended.
public struct ShardPlan: Sendable {
    /// One array task's work.
    public struct Shard: Sendable, Equatable {
        /// Position in `shards`: the array task index.
        public var index: Int
        /// Position of its experiment in `requests`.
        public var request: Int
        /// Its seeds, a block of the experiment's seeds in their order.
        public var seeds: [Int]
        /// The complete shard's file.
        public var path: String
        /// The run log the task writes and resumes until the shard is complete.
        public var partialPath: String
    }

    /// The experiments, as a one-machine run would run them.
    public let requests: [RunRequest]
    /// Every shard of every request, in request order, then seed order.
    public let shards: [Shard]
    /// The seeds each shard holds (the last block of an experiment may hold fewer).
    public let seedsPerShard: Int

    /// Cuts `requests` into shards whose files go under `shardDirectory`, each log named by
    /// its path relative to `outputDirectory`.
    public init(requests: [RunRequest], outputDirectory: String, shardDirectory: String, seedsPerShard: Int, maxShards: Int) throws {
        precondition(seedsPerShard >= 1 && maxShards >= 1)
        func count(_ size: Int) -> Int { requests.reduce(0) { $0 + ($1.experiment.seeds.count + size - 1) / size } }
        let largest = requests.map(\.experiment.seeds.count).max() ?? 1
        var size = seedsPerShard
        while count(size) > maxShards, size < largest { size += 1 }
        guard count(size) <= maxShards else {
            throw ShardError.tooManyShards(needed: count(size), limit: maxShards)
        }
        self.requests = requests
        self.seedsPerShard = size
        var shards: [Shard] = []
        for (i, r) in requests.enumerated() {
            let name = Self.relativeName(r.path, outputDirectory: outputDirectory)
            for start in stride(from: 0, to: r.experiment.seeds.count, by: size) {
                let seeds = Array(r.experiment.seeds[start..<min(start + size, r.experiment.seeds.count)])
                let stem = "\(shardDirectory)/\(name)/seeds-\(seeds.first!)-\(seeds.last!)"
                shards.append(Shard(index: shards.count, request: i, seeds: seeds, path: stem + ".h5", partialPath: stem + ".partial.h5"))
            }
        }
        self.shards = shards
    }

    /// The log's path below the output directory, without `.h5` (its file name when it lies
    /// elsewhere).
    static func relativeName(_ path: String, outputDirectory: String) -> String {
        let prefix = outputDirectory.hasSuffix("/") ? outputDirectory : outputDirectory + "/"
        let relative = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : (path as NSString).lastPathComponent
        return relative.hasSuffix(".h5") ? String(relative.dropLast(3)) : relative
    }

    /// 16 hex digits identifying the layout (every shard's log, seeds and file): equal in the
    /// submitting command and in the tasks exactly when they cut the same work the same way.
    public var fingerprint: String {
        let text = shards.map { s in "\(requests[s.request].path)|\(s.seeds.map(String.init).joined(separator: ","))|\(s.path)" }
            .joined(separator: "\n")
        let hex = String(stableHash(text), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The shards of request `i`.
    public func shards(of request: Int) -> [Shard] { shards.filter { $0.request == request } }

    /// The request one shard runs: its experiment restricted to its seeds, logged to its
    /// partial file. (The seed list is not part of a log's configuration, so the shard's log
    /// has the configuration of the whole experiment.)
    public func request(for shard: Shard) -> RunRequest {
        var r = requests[shard.request]
        r.experiment.seeds = shard.seeds
        r.path = shard.partialPath
        return r
    }

    /// The shards that still have work: neither their file exists nor every one of their
    /// seeds has ended (complete or diverged) in the experiment's log itself.
    public func incompleteShards() throws -> [Shard] {
        var ended: [Int: Set<Int>] = [:]
        return try shards.filter { s in
            if FileManager.default.fileExists(atPath: s.path) { return false }
            if ended[s.request] == nil { ended[s.request] = try Self.endedSeeds(requests[s.request].path) }
            return !Set(s.seeds).isSubset(of: ended[s.request]!)
        }
    }

    /// The seeds of a log that have ended (complete or diverged); none when there is no log.
    static func endedSeeds(_ path: String) throws -> Set<Int> {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return Set(try RunLog.read(path).seeds.filter { $0.status != .interrupted }.map(\.seed))
    }

    /// The error for a shard whose file is missing: its task failed, was cancelled or has not
    /// run. Names the task's output file and quotes its last line (e.g. Slurm's CANCELLED).
    public func missing(_ shard: Shard, taskLog: String?) -> ShardError {
        .missing(shard: shard.index, experiment: requests[shard.request].experiment.id, seeds: shard.seeds, path: shard.path,
                 log: taskLog, lastLine: taskLog.flatMap(Self.lastLine))
    }

    /// The last non-empty line of a text file, if it can be read.
    static func lastLine(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(whereSeparator: \.isNewline).last.map { String($0.prefix(200)) }
    }

    /// Runs one shard into its partial log (resuming it when a killed or requeued task left
    /// one) and, once every seed has ended, renames it into place. Returns how each seed
    /// ended; a shard whose file already exists runs nothing.
    public func run(_ shard: Shard, runner: Runner) throws -> RunOutcome {
        let fm = FileManager.default
        if fm.fileExists(atPath: shard.path) {
            let log = try RunLog.read(shard.path)
            return RunOutcome(path: shard.path, statuses: Dictionary(uniqueKeysWithValues: log.seeds.map { ($0.seed, $0.status) }))
        }
        let directory = (shard.path as NSString).deletingLastPathComponent
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ShardError.directoryNotWritable(directory)
        }
        var outcome = try runner.run([request(for: shard)])[0]
        guard !outcome.statuses.values.contains(.interrupted) else { return outcome }
        guard rename(shard.partialPath, shard.path) == 0 else {
            throw ShardError.cannotRename(from: shard.partialPath, to: shard.path, reason: String(cString: strerror(errno)))
        }
        RunLog.fsyncPath(directory)
        outcome.path = shard.path
        return outcome
    }
}

/// A shard that cannot be planned, run or merged; `description` is the one line for the user.
public enum ShardError: Error, CustomStringConvertible {
    /// Even one shard per experiment makes more shards than the array may hold.
    case tooManyShards(needed: Int, limit: Int)
    /// The shard directory cannot be created or written.
    case directoryNotWritable(String)
    /// The finished partial log could not be renamed into place.
    case cannotRename(from: String, to: String, reason: String)
    /// A shard's file is missing when the merge needs it: its task failed, was cancelled or
    /// has not run. `log` is the task's output file; `lastLine` its last line, if any.
    case missing(shard: Int, experiment: String, seeds: [Int], path: String, log: String?, lastLine: String?)
    /// A shard's file does not hold a seed of its block, or holds it unfinished.
    case seedNotEnded(shard: Int, path: String, seed: Int, status: String)

    /// The one-line message for the user.
    public var description: String {
        switch self {
        case .tooManyShards(let n, let limit):
            "the work needs \(n) shards even with one shard per experiment, more than the array limit \(limit): raise --max-array-size (Slurm's MaxArraySize) or split the run"
        case .directoryNotWritable(let d):
            "\(d): cannot create or write the shard directory"
        case .cannotRename(let from, let to, let reason):
            "\(from): cannot rename the finished shard to \(to) (\(reason))"
        case .missing(let shard, let experiment, let seeds, let path, let log, let lastLine):
            "shard \(shard) (experiment \(experiment), seeds \(SeedRange.describe(seeds))) did not complete: no \(path)"
                + (log.map { "; its task's log: \($0)" } ?? "")
                + (lastLine.map { " (last line: \($0))" } ?? "")
                + "; submit again to rerun the incomplete shards"
        case .seedNotEnded(let shard, let path, let seed, let status):
            "\(path): shard \(shard) holds seed \(seed) with status \(status), expected complete or diverged"
        }
    }
}
