import Foundation
import ThreeFactor

/// Assembles the shards of a `ShardPlan` into the logs a one-machine run writes.
///
/// Every seed's series, checkpoint and status are copied as committed, so each dataset of a
/// merged log is bit-identical to the same dataset of a one-machine run (the seed groups'
/// `wall_seconds` and `cpu_seconds` and the root's `created` and `host` say where and when, as they differ
/// between any two runs). A merged log is written complete under a temporary name beside its
/// destination and renamed into place: a failed merge leaves the destination as it was, never
/// half-merged. Seeds already ended in an existing log are taken from it, so a run started on
/// one machine can be finished on the cluster.
public enum ShardMerge {
    /// Merges every request of `plan` whose log does not yet hold all its seeds ended.
    /// `seriesNames` are the requests' series (`Runner.validate`); `taskLog` names the output
    /// file of a shard's array task, for the error when its file is missing. Returns the
    /// paths written. Throws before writing a log when any of its shards is missing or
    /// inconsistent (`ShardError`, `RunLog.LogError`, `RunLog.OpenError`).
    @discardableResult
    public static func merge(_ plan: ShardPlan, seriesNames: [[String]], taskLog: (ShardPlan.Shard) -> String? = { _ in nil }) throws -> [String] {
        var written: [String] = []
        for (i, request) in plan.requests.enumerated() where !request.experiment.seeds.isEmpty {
            let header = RunLog.Header(paper: request.paper, profile: request.profile, experiment: request.experiment)
            var sources = try RunLog.endedSeeds(path: request.path, header: header, seriesNames: seriesNames[i])
            if request.experiment.seeds.allSatisfy({ sources[$0] != nil }) { continue }
            for shard in plan.shards(of: i) where !shard.seeds.allSatisfy({ sources[$0] != nil }) {
                guard FileManager.default.fileExists(atPath: shard.path) else { throw plan.missing(shard, taskLog: taskLog(shard)) }
                let found = try RunLog.endedSeeds(path: shard.path, header: header, seriesNames: seriesNames[i], allowUnended: true)
                for seed in shard.seeds {
                    guard let s = found[seed], s.status != .interrupted else {
                        throw ShardError.seedNotEnded(shard: shard.index, path: shard.path, seed: seed, status: found[seed]?.status.rawValue ?? "missing")
                    }
                    sources[seed] = s
                }
            }
            try write(request, header: header, seriesNames: seriesNames[i], seeds: sources)
            written.append(request.path)
        }
        return written
    }

    /// Writes the log of `request` from committed seeds, in the experiment's seed order,
    /// under a temporary name, then renames it over `request.path`.
    static func write(_ request: RunRequest, header: RunLog.Header, seriesNames: [String], seeds: [Int: RunLog.CommittedSeed]) throws {
        let directory = RunLog.directory(of: request.path)
        let temporary = directory + "/." + (request.path as NSString).lastPathComponent + ".merging-\(getpid())"
        unlink(temporary)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            let log = try RunLog(path: temporary, header: header, seriesNames: seriesNames)
            for seed in request.experiment.seeds {
                let s = seeds[seed]!
                _ = try log.prepareSeed(seed)
                try log.stage(seed: seed, rows: s.rows, unitsDone: s.rows.count, checkpoint: StateArchive(words: s.checkpoint),
                              status: s.status, wallSeconds: s.wallSeconds, cpuSeconds: s.cpuSeconds)
            }
            try log.commitStaged()
            try log.close()
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, request.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ShardError.cannotRename(from: temporary, to: request.path, reason: reason)
        }
        RunLog.fsyncPath(directory)
    }
}

extension RunLog {
    /// One seed as committed: its rows (one per unit, in series order), checkpoint, status and
    /// wall-clock seconds.
    public struct CommittedSeed: Sendable {
        /// One row per committed unit, one value per series name.
        public var rows: [[Double]]
        /// The checkpoint's words.
        public var checkpoint: [UInt64]
        /// How the seed ended (or stands).
        public var status: RunStatus
        /// Wall-clock seconds over all its sessions.
        public var wallSeconds: Double
        /// CPU seconds over all its sessions (0 when the log does not record them).
        public var cpuSeconds: Double
    }

    /// The seeds of the log at `path` that have ended (complete or diverged; with
    /// `allowUnended` every seed), read after checking that the log is of `header`'s
    /// configuration and every seed is consistent (`checkCompatible`). No log: none.
    public static func endedSeeds(path: String, header: Header, seriesNames: [String], allowUnended: Bool = false) throws -> [Int: CommittedSeed] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        try checkCompatible(path: path, header: header, seriesNames: seriesNames)
        let f = try HDF5File(path: path, mode: .readOnly)
        let checksummed = f.hasAttribute("checkpoint_checksum")
        var seeds: [Int: CommittedSeed] = [:]
        for group in try f.members(of: "/") {
            guard let seed = seedNumber(group) else { continue }
            let (done, status, words, _) = try validateSeed(
                f, seed: seed, seriesNames: seriesNames, units: header.experiment.units, checksummed: checksummed)
            guard allowUnended || status != .interrupted else { continue }
            let columns = try seriesNames.map { Array(try f.readDoubles("/\(group)/\($0)").prefix(done)) }
            let rows = (0..<done).map { u in columns.map { $0[u] } }
            seeds[seed] = CommittedSeed(rows: rows, checkpoint: words, status: status,
                                        wallSeconds: try f.doubleAttribute("wall_seconds", on: "/\(group)"),
                                        cpuSeconds: f.hasAttribute("cpu_seconds", on: "/\(group)") ? try f.doubleAttribute("cpu_seconds", on: "/\(group)") : 0)
        }
        return seeds
    }

    /// Closes the file (the log must not be used afterwards); a log is otherwise closed when
    /// it is released.
    public func close() throws {
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        try file.close()
    }
}
