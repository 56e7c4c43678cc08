import Foundation
import ThreeFactor

/// The HDF5 run log of one experiment: written while the seeds run, read back by the
/// verifier and the figures, opened by any HDF5 tool.
///
/// Layout (documented for users in README.md):
/// ```
/// /                      attributes: format, toolkit_version, git_commit, paper, experiment,
///                        profile, label, figure, kind, env, rule, units, config (TOML text),
///                        created, host, swift_version, checkpoint_checksum ("fnv1a64")
/// /seed_<n>/             attributes: seed, status (complete|interrupted|diverged),
///                        units_done, wall_seconds, cpu_seconds, checkpoint_fnv1a64 (see
///                        `checksum(_:)`)
/// /seed_<n>/<series>     float64, chunked, extendable: one value per unit, e.g.
///                        episode_return, episode_length, rule diagnostics
/// /seed_<n>/checkpoint   uint64: the trial's state after units_done units (for resume)
/// ```
/// A commit puts a seed's new values, its checkpoint and its attributes into the log and
/// replaces the file on disk with the whole log in one rename (`LogFile`), so a kill at any
/// instant leaves the file of the last commit, never one written half-way.
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
        /// Another process holds the log's writer lock.
        case beingWritten(String)

        /// The one-line message for the user.
        public var description: String { oneLine(text) }

        var text: String {
            switch self {
            case .directoryNotWritable(let p):
                "\(p): cannot write there (the directory is missing or not writable)"
            case .notARunLog(let p):
                "\(p): exists and is not a ThreeFactor run log; refusing to touch it (choose another --out)"
            case .differentConfiguration(let p, let d):
                "\(p): was written by a different configuration (\(d)); refusing to overwrite it: choose another --out, or delete the file to start over"
            case .differentSeries(let p, let s, let e, let f):
                "\(p): seed_\(s) logs the series \(f), this run logs \(e); refusing to mix them"
            case .beingWritten(let p):
                "\(p): another process is writing this log; wait for it to end, or choose another --out"
            }
        }
    }

    /// The log's path.
    public let path: String
    let log: LogFile
    /// The log in memory (see `LogFile`).
    var file: HDF5File { log.file }
    let seriesNames: [String]
    /// The experiment's number of units: no seed's `units_done` may exceed it.
    let units: Int
    /// True when every checkpoint must carry its checksum (the root has `checkpoint_checksum`).
    let checksummed: Bool

    /// Opens the log for a run: creates it, or reopens it to resume when it was written by
    /// the same configuration. Nothing in an existing file is changed before it has been
    /// found to be a consistent log of the same configuration (every seed's attributes,
    /// series and checkpoint checksum are checked first: `LogError`). The log is held in
    /// memory and written back by each commit (`LogFile`); another process writing the same
    /// log is refused (`OpenError.beingWritten`).
    ///
    /// A new log is created complete (root attributes flushed) under a temporary name in the
    /// same directory and then linked into place in one atomic step, so a kill at any instant
    /// leaves either no log or a complete one, never a 0-byte or half-written file that every
    /// rerun would refuse. Temporaries left by a killed process are removed.
    public init(path: String, header: Header, seriesNames: [String], reserveBytes: UInt64 = RunLog.defaultReserveBytes) throws {
        self.path = path
        self.seriesNames = seriesNames
        self.units = header.experiment.units
        self.reserveBytes = reserveBytes
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        let fm = FileManager.default
        let directory = Self.directory(of: path)
        if !fm.fileExists(atPath: path) {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue, fm.isWritableFile(atPath: directory) else {
                throw OpenError.directoryNotWritable(path)
            }
            try Self.checkSpace(path: path, reserve: reserveBytes, needed: 64 << 10)
            try Self.createAtomically(path: path, header: header)
        }
        Self.removeStaleTemporaries(directory: directory, prefix: LogFile.temporaryPrefix(path))
        log = try LogFile(path: path)
        try Self.checkCompatible(log.file, header: header, seriesNames: seriesNames)
        checksummed = log.file.hasAttribute("checkpoint_checksum")
    }

    /// Bytes that must stay free on the log's file system after a commit: 1 MiB.
    public static let defaultReserveBytes: UInt64 = 1 << 20
    /// This log's reserve (see `checkSpace`).
    let reserveBytes: UInt64

    /// The file system holding the log is too full to commit safely; the run stops here and
    /// the log keeps its last commit.
    public struct DiskFullError: Error, CustomStringConvertible {
        /// The log's path.
        public var path: String
        /// Bytes available to the user on its file system.
        public var available: UInt64
        /// Bytes a commit needs free (its size, with margin, plus the reserve).
        public var needed: UInt64
        /// The one-line message for the user.
        public var description: String {
            "\(path): only \(available / 1024) KiB free on its file system, \(needed / 1024) KiB needed to commit safely; stopped with the last commit kept: free some space and rerun the same command to resume"
        }
    }

    /// Checks, before a file is written, that its file system has room for `needed` bytes
    /// plus the reserve, so that a run stops with one line while there is still room for
    /// everything else. (A write that fails all the same is safe: see `LogFile.commit`.)
    static func checkSpace(path: String, reserve: UInt64, needed: Int) throws {
        guard let free = freeBytes(path: path) else { return }
        let (want, overflow) = reserve.addingReportingOverflow(UInt64(max(0, needed)))
        let need = overflow ? UInt64.max : want
        if free < need { throw DiskFullError(path: path, available: free, needed: need) }
    }

    /// Bytes available to the user on the file system of `path`'s directory, or nil.
    static func freeBytes(path: String) -> UInt64? {
        var st = statvfs()
        guard statvfs(directory(of: path), &st) == 0 else { return nil }
        let available = UInt64(st.f_bavail).multipliedReportingOverflow(by: UInt64(st.f_frsize))
        return available.overflow ? UInt64.max : available.partialValue
    }

    /// The directory holding `path` ("." for a bare file name).
    static func directory(of path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    /// The prefix of the temporary names a log at `path` is created under.
    static func temporaryPrefix(_ path: String) -> String {
        "." + (path as NSString).lastPathComponent + ".creating-"
    }

    /// Creates the log at `path` complete under a temporary name, then links it into place
    /// (`link` fails if `path` appeared meanwhile: another writer's log is never replaced).
    static func createAtomically(path: String, header: Header) throws {
        let directory = Self.directory(of: path)
        removeStaleTemporaries(directory: directory, prefix: temporaryPrefix(path))
        let temp = (directory as NSString).appendingPathComponent(temporaryPrefix(path) + "\(getpid())")
        unlink(temp)
        defer { unlink(temp) }
        do {
            let f = try HDF5File(path: temp, mode: .createExclusive)
            try writeRootAttributes(header, to: f)
            try f.flush()
            try f.close()
        } catch {
            throw HDF5Error(message: "\(path): cannot create the run log (\(error)); nothing was written")
        }
        fsyncPath(temp)
        if link(temp, path) != 0 {
            let code = errno
            if code == EEXIST { return }  // another process created it first: opened as existing
            // A file system without hard links: rename, after checking nothing is there.
            guard !FileManager.default.fileExists(atPath: path), rename(temp, path) == 0 else {
                throw HDF5Error(message: "\(path): cannot move the new run log into place (\(String(cString: strerror(code))))")
            }
        }
        fsyncPath(directory)
    }

    /// Removes `prefix<pid>` temporaries whose process no longer runs (a kill during creation).
    static func removeStaleTemporaries(directory: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)) else { continue }
            if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) {
                unlink((directory as NSString).appendingPathComponent(name))
            }
        }
    }

    static func fsyncPath(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        Glibc.close(fd)
    }

    /// Opens an existing file read-only and checks it (`checkCompatible(_:header:seriesNames:)`);
    /// the read-only handle is closed before returning.
    static func checkCompatible(path: String, header: Header, seriesNames: [String]) throws {
        guard HDF5File.isHDF5(path) else { throw OpenError.notARunLog(path) }
        try checkCompatible(try HDF5File(path: path, mode: .readOnly), header: header, seriesNames: seriesNames)
    }

    /// Checks that an existing file is a run log of this format, of the same configuration
    /// and series, and that every seed in it is consistent (`validateSeed`).
    static func checkCompatible(_ existing: HDF5File, header: Header, seriesNames: [String]) throws {
        let path = existing.path
        guard existing.hasAttribute("config") else { throw OpenError.notARunLog(path) }
        try checkFormat(existing)
        let stored = try existing.stringAttribute("config")
        let wanted = header.experiment.configText
        if stored != wanted {
            throw OpenError.differentConfiguration(path: path, detail: Self.firstDifference(stored, wanted))
        }
        let checksummed = existing.hasAttribute("checkpoint_checksum")
        for name in try existing.members(of: "/") where name.hasPrefix("seed_") {
            guard let seed = seedNumber(name) else {
                throw LogError(path: path, message: "group /\(name) is not named seed_<n>, n a seed in 0...\(Limits.maxSeed)")
            }
            let found = try existing.members(of: "/\(name)").filter { $0 != "checkpoint" }.sorted()
            if found != seriesNames.sorted() {
                throw OpenError.differentSeries(
                    path: path, seed: seed, expected: seriesNames.sorted(), found: found)
            }
            _ = try validateSeed(existing, seed: seed, seriesNames: seriesNames, units: header.experiment.units,
                                 checksummed: checksummed)
        }
    }

    /// The seed number of a group named `seed_<n>` (canonical decimal, a seed in
    /// 0...`Limits.maxSeed`), or nil.
    static func seedNumber(_ group: String) -> Int? {
        guard group.hasPrefix("seed_"), let n = Int(group.dropFirst(5)), "seed_\(n)" == group,
              (0...Limits.maxSeed).contains(n) else { return nil }
        return n
    }

    /// Refuses a log whose `format` attribute is missing, not an integer, or not this
    /// toolkit's format.
    static func checkFormat(_ f: HDF5File) throws {
        let format: Int
        do { format = try f.intAttribute("format") } catch {
            throw LogError(path: f.path, message: "attribute format is missing or not an integer")
        }
        guard format == formatVersion else {
            throw LogError(path: f.path, message: "format \(format) is not a format this toolkit reads (\(formatVersion)); use the toolkit version that wrote it")
        }
    }

    /// A damaged or inconsistent run log; `description` names the file, the seed and what is
    /// wrong. Nothing is repaired: the file is left as it is.
    public struct LogError: Error, CustomStringConvertible {
        /// The log's path.
        public var path: String
        /// What is wrong, naming the seed or attribute.
        public var message: String
        /// The one-line message for the user.
        public var description: String { oneLine("\(path): \(message); the file was left untouched") }
    }

    /// The FNV-1a 64-bit hash of a checkpoint's words (each as 8 little-endian bytes), as 16
    /// hex digits: the `checkpoint_fnv1a64` attribute of a seed's group.
    public static func checksum(_ words: [UInt64]) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for w in words {
            for k in 0..<8 {
                h ^= (w >> (8 * UInt64(k))) & 0xFF
                h = h &* 0x0000_0100_0000_01B3
            }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Reads a seed's group and checks it against itself and the experiment: `seed` equals
    /// the group's number; `units_done` is an integer in 0...units; `status` is a known
    /// status consistent with it (complete ⇔ units_done == units; interrupted < units;
    /// diverged ≥ 1); every series is a 1-D float64 of at least `units_done` values (longer
    /// only after a crash inside a commit, then cut back by `prepareSeed`); the checkpoint is
    /// a 1-D uint64 that is empty exactly when units_done is 0 and matches its checksum.
    /// Any mismatch throws `LogError` naming the seed; nothing is repaired silently.
    static func validateSeed(_ f: HDF5File, seed: Int, seriesNames: [String], units: Int, checksummed: Bool) throws
        -> (done: Int, status: RunStatus, words: [UInt64], lengths: [String: Int]) {
        let group = "/seed_\(seed)"
        func fail(_ message: String) -> LogError { LogError(path: f.path, message: "seed \(seed): \(message)") }
        func attempt<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as HDF5Error {
                throw fail(e.message.hasPrefix(f.path + ": ") ? String(e.message.dropFirst(f.path.count + 2)) : e.message)
            }
        }
        let storedSeed = try attempt { try f.intAttribute("seed", on: group) }
        guard storedSeed == seed else { throw fail("attribute seed is \(storedSeed), the group is \(group)") }
        let done = try attempt { try f.intAttribute("units_done", on: group) }
        guard (0...units).contains(done) else {
            throw fail("units_done is \(done), expected 0...\(units)")
        }
        let statusText = try attempt { try f.stringAttribute("status", on: group) }
        guard let status = RunStatus(rawValue: statusText) else {
            throw fail("status is '\(statusText)', expected complete, interrupted or diverged")
        }
        switch status {
        case .complete where done != units: throw fail("status complete with units_done \(done) of \(units)")
        case .interrupted where done >= units: throw fail("status interrupted with units_done \(done) of \(units)")
        case .diverged where done < 1: throw fail("status diverged with units_done 0")
        default: break
        }
        let wall = try attempt { try f.doubleAttribute("wall_seconds", on: group) }
        guard wall.isFinite, wall >= 0 else { throw fail("wall_seconds is \(wall)") }
        if f.hasAttribute("cpu_seconds", on: group) {
            let cpu = try attempt { try f.doubleAttribute("cpu_seconds", on: group) }
            guard cpu.isFinite, cpu >= 0 else { throw fail("cpu_seconds is \(cpu)") }
        }
        var lengths: [String: Int] = [:]
        for name in seriesNames {
            let n = try attempt { try f.length(of: "\(group)/\(name)") }
            _ = try attempt { try f.readDoubles("\(group)/\(name)").count }
            guard n >= done else { throw fail("series \(name) has \(n) values, units_done is \(done)") }
            lengths[name] = n
        }
        let words = try attempt { try f.readUInt64s("\(group)/checkpoint") }
        if done > 0 {
            guard !words.isEmpty else { throw fail("no checkpoint although units_done is \(done)") }
            if f.hasAttribute("checkpoint_fnv1a64", on: group) {
                let stored = try attempt { try f.stringAttribute("checkpoint_fnv1a64", on: group) }
                guard stored == checksum(words) else {
                    throw fail("the checkpoint does not match its checksum (checkpoint_fnv1a64 \(stored), words hash to \(checksum(words))): it was damaged")
                }
            } else if checksummed {
                throw fail("attribute checkpoint_fnv1a64 is missing")
            }
        }
        return (done, status, words, lengths)
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

    static func writeRootAttributes(_ h: Header, to file: HDF5File) throws {
        let e = h.experiment
        try file.setAttribute("format", Self.formatVersion)
        try file.setAttribute("checkpoint_checksum", "fnv1a64")
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
        /// CPU seconds the seed's thread has used so far, over all its sessions (0 for a log
        /// written before the attribute existed).
        public var cpuSeconds: Double
    }

    /// Prepares a seed's group (creating it if new) and returns what a resume needs.
    /// Series longer than the checkpoint (a crash between writes) are cut back to it.
    public func prepareSeed(_ seed: Int) throws -> SeedState {
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        let group = "/seed_\(seed)"
        // A new seed's group reaches the disk with the seed's first commit.
        if !file.exists(group) {
            try file.createGroup(group)
            for name in seriesNames { try file.createSeries("\(group)/\(name)") }
            try file.createSeries("\(group)/checkpoint", element: .uint64)
            try file.setAttribute("seed", seed, on: group)
            try file.setAttribute("status", RunStatus.interrupted.rawValue, on: group)
            try file.setAttribute("units_done", 0, on: group)
            try file.setAttribute("wall_seconds", 0.0, on: group)
            try file.setAttribute("cpu_seconds", 0.0, on: group)
            return SeedState(unitsDone: 0, status: nil, checkpoint: nil, wallSeconds: 0, cpuSeconds: 0)
        }
        let (done, status, words, lengths) = try Self.validateSeed(
            file, seed: seed, seriesNames: seriesNames, units: units, checksummed: checksummed)
        for name in seriesNames where lengths[name] != done {
            try file.truncate("\(group)/\(name)", to: done)
        }
        return SeedState(
            unitsDone: done, status: status,
            checkpoint: done > 0 ? StateArchive(words: words) : nil,
            wallSeconds: try file.doubleAttribute("wall_seconds", on: group),
            cpuSeconds: file.hasAttribute("cpu_seconds", on: group) ? try file.doubleAttribute("cpu_seconds", on: group) : 0)
    }

    /// Appends a seed's new records (one row per unit, one value per series), replaces its
    /// checkpoint, updates its attributes and writes the log back — one atomic step on disk
    /// (`LogFile.commit`).
    public func commit(seed: Int, rows: [[Double]], unitsDone: Int, checkpoint: StateArchive?, status: RunStatus, wallSeconds: Double, cpuSeconds: Double) throws {
        try stage(seed: seed, rows: rows, unitsDone: unitsDone, checkpoint: checkpoint, status: status,
                  wallSeconds: wallSeconds, cpuSeconds: cpuSeconds)
        try commitStaged()
    }

    /// Writes the log back with every change staged since the last commit, in one atomic step
    /// on disk (`LogFile.commit`).
    public func commitStaged() throws {
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        try log.commit(reserve: reserveBytes)
    }

    /// What `commit(seed:...)` does to the log in memory, without writing it back: for a
    /// writer that assembles many seeds at once (`ShardMerge`) and commits them together with
    /// `commitStaged()`, one image written instead of one per seed.
    public func stage(seed: Int, rows: [[Double]], unitsDone: Int, checkpoint: StateArchive?, status: RunStatus, wallSeconds: Double, cpuSeconds: Double) throws {
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        let group = "/seed_\(seed)"
        if !rows.isEmpty {
            for (j, name) in seriesNames.enumerated() {
                try file.append(rows.map { $0[j] }, to: "\(group)/\(name)")
            }
        }
        if let checkpoint {
            try file.replace(checkpoint.words, in: "\(group)/checkpoint")
            try file.setAttribute("checkpoint_fnv1a64", Self.checksum(checkpoint.words), on: group)
        }
        try file.setAttribute("units_done", unitsDone, on: group)
        try file.setAttribute("status", status.rawValue, on: group)
        try file.setAttribute("wall_seconds", wallSeconds, on: group)
        try file.setAttribute("cpu_seconds", cpuSeconds, on: group)
    }

    /// Stores the verifier's results for the checks that read this experiment under
    /// `/summary/<check id>` (attributes: verdict, metric, reference, ours, test, provenance,
    /// source, each statistic by name, each estimate's value and interval), replacing any
    /// earlier summary. The series are not touched.
    public static func writeSummary(_ path: String, results: [CheckResult], profile: String) throws {
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        let log = try LogFile(path: path)
        let f = log.file
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
            if let a = r.authors {
                for (key, value) in [("authors_code_reading", a.reading), ("authors_code_vs_paper", a.paper.rawValue),
                                     ("authors_code_vs_paper_estimate", a.paperText), ("ours_vs_authors_code", a.replication.rawValue),
                                     ("ours_vs_authors_code_test", a.replicationText), ("curves_vs_authors_code", a.curves?.rawValue ?? "—"),
                                     ("curves_vs_authors_code_test", a.curvesText), ("authors_code_runs", a.source)] {
                    try f.setAttribute(key, value, on: g)
                }
            }
            for (i, e) in r.estimates.enumerated() {
                try f.setAttribute("estimate_\(i)_label", e.label, on: g)
                try f.setAttribute("estimate_\(i)_value", e.value, on: g)
                if let low = e.low { try f.setAttribute("estimate_\(i)_low", low, on: g) }
                if let high = e.high { try f.setAttribute("estimate_\(i)_high", high, on: g) }
                try f.setAttribute("estimate_\(i)_n", e.n, on: g)
            }
        }
        try log.commit(reserve: defaultReserveBytes)
    }

    /// Reads a run log back into memory (series, statuses, provenance).
    public static func read(_ path: String) throws -> ExperimentLog {
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        guard FileManager.default.fileExists(atPath: path) else { throw HDF5Error(message: "\(path): no such run log") }
        guard HDF5File.isHDF5(path) else { throw OpenError.notARunLog(path) }
        let f = try HDF5File(path: path, mode: .readOnly)
        guard f.hasAttribute("config") else { throw OpenError.notARunLog(path) }
        try checkFormat(f)
        let units = try f.intAttribute("units")
        // A damaged count would make the range checks below trap (found by fuzzing).
        if let problem = Limits.checkUnits(units) { throw LogError(path: path, message: "attribute units: \(problem)") }
        let checksummed = f.hasAttribute("checkpoint_checksum")
        var seeds: [SeedLog] = []
        for group in try f.members(of: "/") where group.hasPrefix("seed_") {
            guard let seed = seedNumber(group) else {
                throw LogError(path: path, message: "group /\(group) is not named seed_<n>, n a seed in 0...\(Limits.maxSeed)")
            }
            let g = "/\(group)"
            let names = try f.members(of: g).filter { $0 != "checkpoint" }
            // Consistency as for a resume; series longer than units_done (a crash inside a
            // commit) are read up to units_done, the committed part.
            let (done, status, _, _) = try validateSeed(f, seed: seed, seriesNames: names, units: units,
                                                        checksummed: checksummed)
            var series: [String: [Double]] = [:]
            for name in names {
                series[name] = Array(try f.readDoubles("\(g)/\(name)").prefix(done))
            }
            seeds.append(SeedLog(
                seed: seed, status: status, series: series,
                wallSeconds: try f.doubleAttribute("wall_seconds", on: g),
                cpuSeconds: f.hasAttribute("cpu_seconds", on: g) ? try f.doubleAttribute("cpu_seconds", on: g) : nil))
        }
        seeds.sort { $0.seed < $1.seed }
        return ExperimentLog(
            paper: try f.stringAttribute("paper"), experiment: try f.stringAttribute("experiment"),
            profile: try f.stringAttribute("profile"), label: try f.stringAttribute("label"),
            figure: try f.stringAttribute("figure"), expectedUnits: units, seeds: seeds,
            config: try f.stringAttribute("config"))
    }
}
