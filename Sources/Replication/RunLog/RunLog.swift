import Foundation
import ThreeFactor

/// The HDF5 run log of one experiment: written while the seeds run, read back by the
/// verifier and the figures, opened by any HDF5 tool.
///
/// Layout (documented for users in README.md):
/// ```
/// /                      attributes: format, toolkit_version, git_commit, paper, experiment,
///                        profile, label, figure, kind, env, rule, units, config (TOML text),
///                        created, host, swift_version
/// /seed_<n>/             attributes: seed, status (complete|interrupted|diverged),
///                        units_done, wall_seconds
/// /seed_<n>/<series>     float64, chunked, extendable: one value per unit, e.g.
///                        episode_return, episode_length, rule diagnostics
/// /seed_<n>/checkpoint   uint64: the trial's state after units_done units (for resume)
/// ```
/// Every commit writes a seed's new values, its checkpoint and its attributes together and
/// flushes, so after a crash the file holds a consistent prefix of every seed's run.
/// Thread-safe: every use of the HDF5 library in the process is serialised by
/// `HDF5File.libraryLock` (the serial HDF5 library is not thread-safe).
public final class RunLog: @unchecked Sendable {
    /// The value of the root's `format` attribute; a reader refuses any other.
    public static let formatVersion = 1

    /// What the root attributes record: the paper, the profile and the resolved experiment.
    public struct Header: Sendable {
        /// The paper module's id.
        public var paper: String
        /// The profile.
        public var profile: String
        /// The experiment, resolved for the profile; its `configText` decides whether a rerun
        /// resumes the log or refuses it.
        public var experiment: ExperimentSpec
        /// A header from its parts.
        public init(paper: String, profile: String, experiment: ExperimentSpec) {
            self.paper = paper
            self.profile = profile
            self.experiment = experiment
        }
    }

    /// A log that cannot be opened for this run; its `description` is the one-line message for
    /// the user.
    public enum OpenError: Error, CustomStringConvertible {
        /// The log's directory is missing or not writable.
        case directoryNotWritable(String)
        /// A file exists at the path and is not a run log; it is left alone.
        case notARunLog(String)
        /// The log was written by a configuration whose `configText` differs (`detail` shows
        /// the first difference); it is left alone.
        case differentConfiguration(path: String, detail: String)
        /// A seed's group logs other series than this run's trial.
        case differentSeries(path: String, seed: Int, expected: [String], found: [String])

        /// The one-line message for the user.
        public var description: String {
            switch self {
            case .directoryNotWritable(let p):
                "\(p): cannot write there (the directory is missing or not writable)"
            case .notARunLog(let p):
                "\(p): exists and is not a ThreeFactor run log; refusing to touch it (choose another --out)"
            case .differentConfiguration(let p, let d):
                "\(p): was written by a different configuration (\(d)); refusing to overwrite it: choose another --out, or delete the file to start over"
            case .differentSeries(let p, let s, let e, let f):
                "\(p): seed_\(s) logs the series \(f), this run logs \(e); refusing to mix them"
            }
        }
    }

    /// The log's path.
    public let path: String
    let file: HDF5File
    let seriesNames: [String]
    var lock: NSRecursiveLock { HDF5File.libraryLock }

    /// Opens the log for a run: creates it, or reopens it to resume when it was written by
    /// the same configuration. Nothing in an existing file is changed before it has been
    /// found to be a log of the same configuration.
    public init(path: String, header: Header, seriesNames: [String]) throws {
        self.path = path
        self.seriesNames = seriesNames
        HDF5File.libraryLock.lock()
        defer { HDF5File.libraryLock.unlock() }
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            try Self.checkCompatible(path: path, header: header, seriesNames: seriesNames)
            file = try HDF5File(path: path, mode: .readWrite)
        } else {
            let dir = (path as NSString).deletingLastPathComponent
            let directory = dir.isEmpty ? "." : dir
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue, fm.isWritableFile(atPath: directory) else {
                throw OpenError.directoryNotWritable(path)
            }
            file = try HDF5File(path: path, mode: .createExclusive)
            try writeRootAttributes(header)
            try file.flush()
        }
    }

    /// Opens an existing file read-only and checks that it is a run log of the same
    /// configuration and series; the read-only handle is closed before returning.
    static func checkCompatible(path: String, header: Header, seriesNames: [String]) throws {
        guard HDF5File.isHDF5(path) else { throw OpenError.notARunLog(path) }
        let existing = try HDF5File(path: path, mode: .readOnly)
        guard existing.hasAttribute("config"), existing.hasAttribute("format") else { throw OpenError.notARunLog(path) }
        let stored = try existing.stringAttribute("config")
        let wanted = header.experiment.configText
        if stored != wanted {
            throw OpenError.differentConfiguration(path: path, detail: Self.firstDifference(stored, wanted))
        }
        for name in try existing.members(of: "/") where name.hasPrefix("seed_") {
            let found = try existing.members(of: "/\(name)").filter { $0 != "checkpoint" }.sorted()
            if found != seriesNames.sorted() {
                throw OpenError.differentSeries(
                    path: path, seed: Int(name.dropFirst(5)) ?? -1, expected: seriesNames.sorted(), found: found)
            }
        }
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) {
            let x = i < la.count ? String(la[i]) : "(nothing)"
            let y = i < lb.count ? String(lb[i]) : "(nothing)"
            if x != y { return "file has `\(x)`, this run has `\(y)`" }
        }
        return "same text"
    }

    func writeRootAttributes(_ h: Header) throws {
        let e = h.experiment
        try file.setAttribute("format", Self.formatVersion)
        try file.setAttribute("toolkit_version", Toolkit.version)
        try file.setAttribute("git_commit", Toolkit.gitCommit)
        try file.setAttribute("paper", h.paper)
        try file.setAttribute("experiment", e.id)
        try file.setAttribute("profile", h.profile)
        try file.setAttribute("label", e.label)
        try file.setAttribute("figure", e.figure)
        try file.setAttribute("kind", e.kind)
        try file.setAttribute("env", e.env ?? "")
        try file.setAttribute("rule", e.rule)
        try file.setAttribute("units", e.units)
        try file.setAttribute("config", e.configText)
        try file.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
        try file.setAttribute("host", ProcessInfo.processInfo.hostName)
        try file.setAttribute("swift_version", Toolkit.swiftVersion)
    }

    /// Where a seed stands in this log.
    public struct SeedState {
        /// Units completed and committed.
        public var unitsDone: Int
        /// The status last committed; nil for a seed new to the log.
        public var status: RunStatus?
        /// The trial's state after `unitsDone` units; nil when the seed starts from scratch.
        public var checkpoint: StateArchive?
        /// Wall-clock seconds the seed has run so far, over all its sessions.
        public var wallSeconds: Double
    }

    /// Prepares a seed's group (creating it if new) and returns what a resume needs.
    /// Series longer than the checkpoint (a crash between writes) are cut back to it.
    public func prepareSeed(_ seed: Int) throws -> SeedState {
        lock.lock()
        defer { lock.unlock() }
        let group = "/seed_\(seed)"
        if !file.exists(group) {
            try file.createGroup(group)
            for name in seriesNames { try file.createSeries("\(group)/\(name)") }
            try file.createSeries("\(group)/checkpoint", element: .uint64)
            try file.setAttribute("seed", seed, on: group)
            try file.setAttribute("status", RunStatus.interrupted.rawValue, on: group)
            try file.setAttribute("units_done", 0, on: group)
            try file.setAttribute("wall_seconds", 0.0, on: group)
            try file.flush()
            return SeedState(unitsDone: 0, status: nil, checkpoint: nil, wallSeconds: 0)
        }
        let done = try file.intAttribute("units_done", on: group)
        let status = RunStatus(rawValue: try file.stringAttribute("status", on: group))
        let words = try file.readUInt64s("\(group)/checkpoint")
        for name in seriesNames where try file.length(of: "\(group)/\(name)") != done {
            try file.truncate("\(group)/\(name)", to: done)
        }
        return SeedState(
            unitsDone: done, status: status,
            checkpoint: done > 0 ? StateArchive(words: words) : nil,
            wallSeconds: try file.doubleAttribute("wall_seconds", on: group))
    }

    /// Appends a seed's new records (one row per unit, one value per series), replaces its
    /// checkpoint, updates its attributes and flushes — one consistent step on disk.
    public func commit(seed: Int, rows: [[Double]], unitsDone: Int, checkpoint: StateArchive?, status: RunStatus, wallSeconds: Double) throws {
        lock.lock()
        defer { lock.unlock() }
        let group = "/seed_\(seed)"
        if !rows.isEmpty {
            for (j, name) in seriesNames.enumerated() {
                try file.append(rows.map { $0[j] }, to: "\(group)/\(name)")
            }
        }
        if let checkpoint { try file.replace(checkpoint.words, in: "\(group)/checkpoint") }
        try file.setAttribute("units_done", unitsDone, on: group)
        try file.setAttribute("status", status.rawValue, on: group)
        try file.setAttribute("wall_seconds", wallSeconds, on: group)
        try file.flush()
    }

    /// Stores the verifier's results for the checks that read this experiment under
    /// `/summary/<check id>` (attributes: verdict, metric, reference, ours, test, provenance,
    /// source, each statistic by name, each estimate's value and interval), replacing any
    /// earlier summary. The series are not touched.
    public static func writeSummary(_ path: String, results: [CheckResult], profile: String) throws {
        HDF5File.libraryLock.lock()
        defer { HDF5File.libraryLock.unlock() }
        guard HDF5File.isHDF5(path) else { throw OpenError.notARunLog(path) }
        let f = try HDF5File(path: path, mode: .readWrite)
        guard f.hasAttribute("config") else { throw OpenError.notARunLog(path) }
        try f.remove("/summary")
        try f.createGroup("/summary")
        try f.setAttribute("profile", profile, on: "/summary")
        try f.setAttribute("verified", ISO8601DateFormatter().string(from: Date()), on: "/summary")
        try f.setAttribute("toolkit_version", Toolkit.version, on: "/summary")
        for r in results {
            let g = "/summary/\(r.id)"
            try f.createGroup(g)
            for (key, value) in [("verdict", r.verdict.rawValue), ("description", r.description), ("metric", r.metric),
                                 ("reference", r.reference), ("ours", r.ours), ("test", r.test),
                                 ("provenance", r.provenance.rawValue), ("source", r.source),
                                 ("experiments", r.experiments.joined(separator: ", ")),
                                 ("notes", r.notes.joined(separator: "; "))] {
                try f.setAttribute(key, value, on: g)
            }
            for s in r.statistics { try f.setAttribute("statistic_\(s.name)", s.value, on: g) }
            for (i, e) in r.estimates.enumerated() {
                try f.setAttribute("estimate_\(i)_label", e.label, on: g)
                try f.setAttribute("estimate_\(i)_value", e.value, on: g)
                if let low = e.low { try f.setAttribute("estimate_\(i)_low", low, on: g) }
                if let high = e.high { try f.setAttribute("estimate_\(i)_high", high, on: g) }
                try f.setAttribute("estimate_\(i)_n", e.n, on: g)
            }
        }
        try f.flush()
    }

    /// Reads a run log back into memory (series, statuses, provenance).
    public static func read(_ path: String) throws -> ExperimentLog {
        HDF5File.libraryLock.lock()
        defer { HDF5File.libraryLock.unlock() }
        guard FileManager.default.fileExists(atPath: path) else { throw HDF5Error(message: "\(path): no such run log") }
        guard HDF5File.isHDF5(path) else { throw OpenError.notARunLog(path) }
        let f = try HDF5File(path: path, mode: .readOnly)
        guard f.hasAttribute("config") else { throw OpenError.notARunLog(path) }
        var seeds: [SeedLog] = []
        for group in try f.members(of: "/") where group.hasPrefix("seed_") {
            let g = "/\(group)"
            var series: [String: [Double]] = [:]
            for name in try f.members(of: g) where name != "checkpoint" {
                series[name] = try f.readDoubles("\(g)/\(name)")
            }
            let statusText = try f.stringAttribute("status", on: g)
            seeds.append(SeedLog(
                seed: try f.intAttribute("seed", on: g),
                status: RunStatus(rawValue: statusText) ?? .interrupted,
                series: series,
                wallSeconds: try f.doubleAttribute("wall_seconds", on: g)))
        }
        seeds.sort { $0.seed < $1.seed }
        return ExperimentLog(
            paper: try f.stringAttribute("paper"), experiment: try f.stringAttribute("experiment"),
            profile: try f.stringAttribute("profile"), label: try f.stringAttribute("label"),
            figure: try f.stringAttribute("figure"), expectedUnits: try f.intAttribute("units"), seeds: seeds)
    }
}
