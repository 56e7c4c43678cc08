import CHDF5
import Foundation
import Synchronization
import Testing
import ThreeFactor
@testable import Replication

/// Run logs damaged or made inconsistent on purpose (issue 13): every resume and every read
/// refuses them with one line naming the file, the seed and what is wrong, leaves the file
/// byte for byte as it was, and never repairs anything silently. A crash inside a commit
/// (series longer than units_done) is the one state that is cut back, and resumes to the
/// numbers of an uninterrupted run.
@Suite struct HostileLogTests {
    static let units = 20

    func run(_ path: String, stopAfter calls: Int? = nil) throws -> RunOutcome {
        let counter = Atomic<Int>(0)
        let runner = Runner(jobs: 1, checkpointInterval: 0,
                            shouldStop: { calls.map { counter.add(1, ordering: .relaxed).newValue > $0 } ?? false },
                            makeTrial: walkFactory)
        return try runner.run([RunRequest(paper: "test", profile: "quick",
                                          experiment: walkExperiment(units: Self.units, seeds: [0, 1]), path: path)])[0]
    }

    /// A log whose seed 0 is complete and seed 1 interrupted part-way, and its units_done.
    func partialLog(_ dir: String) throws -> (path: String, done: Int) {
        let path = "\(dir)/walk.h5"
        let outcome = try run(path, stopAfter: 32)
        #expect(outcome.statuses == [0: .complete, 1: .interrupted])
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        let f = try HDF5File(path: path, mode: .readOnly)
        let done = try f.intAttribute("units_done", on: "/seed_1")
        #expect(done > 0 && done < Self.units)
        return (path, done)
    }

    func edit(_ path: String, _ body: (HDF5File) throws -> Void) throws {
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        let f = try HDF5File(path: path, mode: .readWrite)
        try body(f)
        try f.close()
    }

    /// Replaces a dataset by one of the given shape and element type, filled with zeros.
    static func replaceDataset(_ f: HDF5File, _ name: String, dims: [Int], type: hid_t) throws {
        try f.remove(name)
        var d = dims.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(d.count), &d, nil)
        defer { H5Sclose(space) }
        let ds = H5Dcreate2(f.id, name, type, space, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
        #expect(ds >= 0)
        let zeros = [UInt8](repeating: 0, count: dims.reduce(1, *) * 8)
        zeros.withUnsafeBytes { _ = H5Dwrite(ds, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress) }
        H5Dclose(ds)
    }

    enum Damage: String, CaseIterable, CustomStringConvertible {
        case shortSeries, hugeUnitsDone, negativeUnitsDone, fractionalUnitsDone, unknownStatus, completeTooEarly,
             wrongSeed, flippedCheckpointWord, missingChecksum, rank2Series, integerSeries, rank2Checkpoint,
             unknownFormat, missingFormat
        var description: String { rawValue }
    }

    /// What the one-line error must say for each damage (after the path).
    func expectedMessage(_ damage: Damage, done: Int) -> String {
        switch damage {
        case .shortSeries: "seed 1: series episode_return has \(done - 1) values, units_done is \(done)"
        case .hugeUnitsDone: "seed 1: units_done is 1000000000, expected 0...20"
        case .negativeUnitsDone: "seed 1: units_done is -1, expected 0...20"
        case .fractionalUnitsDone: "seed 1: attribute units_done on /seed_1 is not an integer"
        case .unknownStatus: "seed 1: status is 'finished', expected complete, interrupted or diverged"
        case .completeTooEarly: "seed 1: status complete with units_done \(done) of 20"
        case .wrongSeed: "seed 1: attribute seed is 7, the group is /seed_1"
        case .flippedCheckpointWord: "seed 1: the checkpoint does not match its checksum"
        case .missingChecksum: "seed 1: attribute checkpoint_fnv1a64 is missing"
        case .rank2Series: "seed 1: dataset /seed_1/episode_return has rank 2, expected a one-dimensional series"
        case .integerSeries: "seed 1: dataset /seed_1/episode_return is not float64"
        case .rank2Checkpoint: "seed 1: dataset /seed_1/checkpoint has rank 2, expected a one-dimensional series"
        case .unknownFormat: "format 99 is not a format this toolkit reads (1)"
        case .missingFormat: "attribute format is missing or not an integer"
        }
    }

    func damage(_ path: String, _ damage: Damage, done: Int) throws {
        try edit(path) { f in
            let g = "/seed_1"
            switch damage {
            case .shortSeries: try f.truncate("\(g)/episode_return", to: done - 1)
            case .hugeUnitsDone: try f.setAttribute("units_done", 1_000_000_000, on: g)
            case .negativeUnitsDone: try f.setAttribute("units_done", -1, on: g)
            case .fractionalUnitsDone: try f.setAttribute("units_done", Double(done) + 0.5, on: g)
            case .unknownStatus: try f.setAttribute("status", "finished", on: g)
            case .completeTooEarly: try f.setAttribute("status", "complete", on: g)
            case .wrongSeed: try f.setAttribute("seed", 7, on: g)
            case .flippedCheckpointWord:
                var words = try f.readUInt64s("\(g)/checkpoint")
                words[words.count / 2] ^= 1 << 17
                try f.replace(words, in: "\(g)/checkpoint")
            case .missingChecksum:
                #expect(H5Adelete_by_name(f.id, g, "checkpoint_fnv1a64", chdf5_p_default()) >= 0)
            case .rank2Series: try Self.replaceDataset(f, "\(g)/episode_return", dims: [done, 3], type: chdf5_native_double())
            case .integerSeries: try Self.replaceDataset(f, "\(g)/episode_return", dims: [done], type: chdf5_native_int64())
            case .rank2Checkpoint: try Self.replaceDataset(f, "\(g)/checkpoint", dims: [4, 4], type: chdf5_native_uint64())
            case .unknownFormat: try f.setAttribute("format", 99)
            case .missingFormat: #expect(H5Adelete_by_name(f.id, "/", "format", chdf5_p_default()) >= 0)
            }
        }
    }

    @Test(arguments: Damage.allCases)
    func damagedLogIsRefusedByNameAndLeftUntouched(_ kind: Damage) throws {
        let dir = Scratch.directory("damaged-\(kind)")
        let (path, done) = try partialLog(dir)
        try damage(path, kind, done: done)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let expected = expectedMessage(kind, done: done)
        do {
            _ = try run(path)
            Issue.record("resumed a log with \(kind)")
        } catch {
            let line = "\(error)"
            #expect(line.hasPrefix(path + ": "), "\(line)")
            #expect(line.contains(expected), "\(line)")
            #expect(!line.contains("\n"))
        }
        // The reader (verify, figures) refuses it too, with the same line.
        do {
            _ = try RunLog.read(path)
            Issue.record("read a log with \(kind)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func crashInsideACommitIsCutBackAndResumesToTheSameNumbers() throws {
        let dir = Scratch.directory()
        _ = try run("\(dir)/straight.h5")
        let (path, done) = try partialLog(dir)
        // Values appended after the last committed units_done, as a kill between the appends
        // and the attributes of a commit leaves them.
        try edit(path) { f in
            for name in ["episode_return", "episode_length", "position"] { try f.append([1, 2, 3], to: "/seed_1/\(name)") }
        }
        let read = try RunLog.read(path)
        #expect(read.seeds[1].unitsDone == done)
        #expect(try run(path).allComplete)
        let a = try RunLog.read("\(dir)/straight.h5"), b = try RunLog.read(path)
        #expect(a.seeds.map(\.series) == b.seeds.map(\.series))
    }

    /// A file system too full for the next commit: the run stops with one line before the
    /// commit begins, the log keeps its last commit byte for byte, and once there is room the
    /// same run resumes to the numbers of an uninterrupted one.
    @Test func aFullDiskStopsBeforeTheCommitAndTheLogResumes() throws {
        let dir = Scratch.directory()
        _ = try run("\(dir)/straight.h5")
        let (path, _) = try partialLog(dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let full = Runner(jobs: 2, checkpointInterval: 0, shouldStop: { false }, makeTrial: walkFactory,
                          reserveBytes: UInt64.max / 2)
        let request = RunRequest(paper: "test", profile: "quick",
                                 experiment: walkExperiment(units: Self.units, seeds: [0, 1]), path: path)
        let error = #expect(throws: RunLog.DiskFullError.self) { try full.run([request]) }
        #expect(error?.description.hasPrefix("\(path): only ") == true)
        #expect(error?.description.contains("stopped with the last commit kept") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        // No room even to create a log: nothing is created.
        #expect(throws: RunLog.DiskFullError.self) {
            try full.run([RunRequest(paper: "test", profile: "quick", experiment: walkExperiment(), path: "\(dir)/new.h5")])
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/new.h5"))
        #expect(try run(path).allComplete)
        let a = try RunLog.read("\(dir)/straight.h5"), b = try RunLog.read(path)
        #expect(a.seeds.map(\.series) == b.seeds.map(\.series))
    }

    @Test func aLogFromBeforeChecksumsResumesAsBefore() throws {
        // Logs written before checkpoint checksums (no root `checkpoint_checksum`, no seed
        // `checkpoint_fnv1a64`) are accepted unverified, and get checksums from then on.
        let dir = Scratch.directory()
        _ = try run("\(dir)/straight.h5")
        let (path, _) = try partialLog(dir)
        try edit(path) { f in
            #expect(H5Adelete_by_name(f.id, "/", "checkpoint_checksum", chdf5_p_default()) >= 0)
            for g in ["/seed_0", "/seed_1"] {
                #expect(H5Adelete_by_name(f.id, g, "checkpoint_fnv1a64", chdf5_p_default()) >= 0)
            }
        }
        #expect(try run(path).allComplete)
        let a = try RunLog.read("\(dir)/straight.h5"), b = try RunLog.read(path)
        #expect(a.seeds.map(\.series) == b.seeds.map(\.series))
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        let f = try HDF5File(path: path, mode: .readOnly)
        #expect(f.hasAttribute("checkpoint_fnv1a64", on: "/seed_1"))
    }

    @Test func checksumIsFNV1aOfTheLittleEndianWords() {
        // FNV-1a 64 of no bytes is the offset basis; of the 8 bytes of the word 0x61 ("a"
        // then seven zero bytes) it is the FNV-1a of that byte string.
        #expect(RunLog.checksum([]) == "cbf29ce484222325")
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b: UInt64 in [0x61, 0, 0, 0, 0, 0, 0, 0] { h = (h ^ b) &* 0x0000_0100_0000_01B3 }
        #expect(RunLog.checksum([0x61]) == String(h, radix: 16))
    }
}

/// A kill at any instant of a log's creation leaves no log or a complete one.
@Suite struct LogCreationTests {
    func header() -> RunLog.Header {
        .init(paper: "test", profile: "quick", experiment: walkExperiment(units: 5, seeds: [0]))
    }

    /// The pid of a process that has exited.
    static func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try HDF5File.start(p)
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test func creationLeavesOnlyTheCompleteLog() throws {
        let dir = Scratch.directory()
        let path = "\(dir)/a.h5"
        _ = try RunLog(path: path, header: header(), seriesNames: ["episode_return"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.h5"])
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        let f = try HDF5File(path: path, mode: .readOnly)
        #expect(try f.intAttribute("format") == RunLog.formatVersion)
        #expect(try f.stringAttribute("config") == header().experiment.configText)
        #expect(try f.stringAttribute("checkpoint_checksum") == "fnv1a64")
    }

    @Test func aTemporaryLeftByAKilledCreationIsRemovedAndTheRunStarts() throws {
        let dir = Scratch.directory()
        let path = "\(dir)/a.h5"
        // What a kill -9 during creation leaves now: a partial temporary, never `a.h5`.
        let stale = "\(dir)/.a.h5.creating-\(try Self.deadPID())"
        try Data(count: 96).write(to: URL(fileURLWithPath: stale))
        let runner = Runner(jobs: 1, shouldStop: { false }, makeTrial: walkFactory)
        let outcome = try runner.run([RunRequest(paper: "test", profile: "quick",
                                                 experiment: walkExperiment(units: 5, seeds: [0]), path: path)])
        #expect(outcome[0].allComplete)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.h5"])
    }

    @Test func aTemporaryOfALiveProcessIsLeftAlone() throws {
        let dir = Scratch.directory()
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try HDF5File.start(sleeper)
        defer { sleeper.terminate() }
        let live = "\(dir)/.a.h5.creating-\(sleeper.processIdentifier)"
        try Data(count: 96).write(to: URL(fileURLWithPath: live))
        _ = try RunLog(path: "\(dir)/a.h5", header: header(), seriesNames: ["episode_return"])
        #expect(FileManager.default.fileExists(atPath: live))
    }

    /// While one writer holds a log, a second is refused in one line naming the file, and the
    /// file stays readable by HDF5 readers (the writer's lock is not HDF5's).
    @Test func aSecondWriterIsRefusedAndReadersStillRead() throws {
        let dir = Scratch.directory()
        let path = "\(dir)/a.h5"
        let first = try RunLog(path: path, header: header(), seriesNames: ["episode_return"])
        let error = #expect(throws: RunLog.OpenError.self) {
            _ = try RunLog(path: path, header: self.header(), seriesNames: ["episode_return"])
        }
        #expect(error?.description == "\(path): another process is writing this log; wait for it to end, or choose another --out")
        #expect(throws: Never.self) { _ = try RunLog.read(path) }
        withExtendedLifetime(first) {}
    }

    /// A child process started while a log is open (here with a bare posix_spawn, which
    /// closes nothing) does not inherit the log's descriptor, so it does not keep the
    /// writer's lock after the log is released: the next run opens it at once.
    /// Run alone without `LogFile.lockPatience` it failed about one time in two: the kernel
    /// resumes a posix_spawn parent before the child's exec has closed its copies of the
    /// close-on-exec descriptors, so for a moment the child holds the released lock.
    @Test(.timeLimit(.minutes(1)))
    func aChildProcessDoesNotKeepTheLogLocked() throws {
        let dir = Scratch.directory()
        let path = "\(dir)/a.h5"
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("5"), nil]
        defer { argv.forEach { free($0) } }
        do {
            let log = try RunLog(path: path, header: header(), seriesNames: ["episode_return"])
            // Under the library lock, so no other test's file is half-way through opening.
            HDF5File.lockLibrary()
            #expect(posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ) == 0)
            HDF5File.unlockLibrary()
            withExtendedLifetime(log) {}
        }
        defer { if pid > 0 { kill(pid, SIGKILL); waitpid(pid, nil, 0) } }
        #expect(throws: Never.self) {
            _ = try RunLog(path: path, header: self.header(), seriesNames: ["episode_return"])
        }
    }
}

/// Found by fuzzing the run-log reader (`make fuzz`, Fuzz/); the inputs are in Fuzz/corpus/runlog.
extension HostileLogTests {
    /// A scratch copy of the fuzz input `name` of Fuzz/corpus/runlog.
    static func copyOfFuzzInput(_ name: String) throws -> String {
        let corpus = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/runlog/\(name)")
        let path = "\(Scratch.directory())/damaged.h5"
        try FileManager.default.copyItem(atPath: corpus.path, toPath: path)
        return path
    }

    /// Reads a scratch copy of the fuzz input `name` with `RunLog.read`, which must refuse
    /// it: the copy's path and the error's line (empty when nothing was thrown).
    static func refusalOfFuzzInput(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (path: String, line: String) {
        let path = try copyOfFuzzInput(name)
        let error = #expect(throws: (any Error).self, sourceLocation: sourceLocation) { try RunLog.read(path) }
        return (path, error.map { "\($0)" } ?? "")
    }

    /// A mutated log whose root group claims more links than it holds (kept as
    /// Fuzz/corpus/runlog/crash-dense-group-links.h5) made HDF5 1.10 free uninitialised memory
    /// while listing the group by index (H5Lget_name_by_idx): a SIGSEGV. Groups are now listed
    /// in stored order, and the listing of every object when the log is opened (for
    /// `HDF5File.checkObjectHeaders`) refuses the log in one line naming the file.
    ///
    /// The mutation also cut bytes out of the global heap, which is now refused before the
    /// file is opened; so that the links are what is tested, the heap is closed with a
    /// free-space object after its last intact object (at byte 2152, up to the collection's
    /// end at byte 6144), and the file refused only for its links.
    @Test func aGroupWithMissingLinksIsRefusedWithoutACrash() throws {
        let path = try Self.copyOfFuzzInput("crash-dense-group-links.h5")
        let error = #expect(throws: (any Error).self) { try RunLog.read(path) }
        #expect(error.map { "\($0)" }?.contains("the global heap collection at byte 2048 holds an object of") == true)

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let freeSpace: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0] + withUnsafeBytes(of: UInt64(6144 - 2152).littleEndian, Array.init)
        bytes.replaceSubrange(2152..<2168, with: freeSpace)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let linksError = #expect(throws: (any Error).self) { try RunLog.read(path) }
        let line = linksError.map { "\($0)" } ?? ""
        #expect(line == "\(path): HDF5 failed to list the objects of the file; the file is damaged", "\(line)")
    }

    /// Two mutated logs whose global heap holds a free-space object of size 0 (kept as
    /// Fuzz/corpus/runlog/hang-global-heap-1.h5 and -2.h5) kept libhdf5 1.10.8 in an endless
    /// loop inside H5Aread of a string attribute. The reader walks the heap first and refuses
    /// the log in one line naming the file and the offset; the test would hang, not fail, if
    /// the check were gone, so it runs under a time limit.
    @Test(.timeLimit(.minutes(1)), arguments: [1, 2])
    func aDamagedGlobalHeapIsRefusedInsteadOfLoopingForEver(_ finding: Int) throws {
        let (path, line) = try Self.refusalOfFuzzInput("hang-global-heap-\(finding).h5")
        #expect(line.hasPrefix("\(path): the global heap collection at byte 2048 holds an object of size 0 at byte "), "\(line)")
        #expect(line.hasSuffix("; the file is damaged") && !line.contains("\n"), "\(line)")
    }

    /// A mutated log whose attribute message declares a 166-byte dataspace inside an 80-byte
    /// message (kept as Fuzz/corpus/runlog/overread-attribute-message.h5) made libhdf5 1.10.8
    /// copy the attribute's value from beyond the header (AddressSanitizer, under
    /// H5Aopen_by_name). The message is checked against its size when the log is opened, and
    /// the log is refused in one line naming the file and the message's offset.
    @Test func anAttributeMessageLargerThanItsSizeIsRefusedBeforeTheLibraryReadsIt() throws {
        let (path, line) = try Self.refusalOfFuzzInput("overread-attribute-message.h5")
        #expect(line == "\(path): the attribute message at byte 13360 declares a 19-byte name, a 20-byte datatype and a 166-byte dataspace, more than its 80 bytes; the file is damaged", "\(line)")
    }

    /// A mutated log whose string attribute `profile` claims a length of gigabytes (kept as
    /// Fuzz/corpus/runlog/huge-variable-length-attribute.h5) made libhdf5 allocate and clear
    /// 1.8 GB for it while reading a 10 kB file. No value is longer than its file: the log is
    /// refused in one line before the attribute is read.
    @Test func aVariableLengthValueLongerThanTheFileIsRefusedBeforeItIsAllocated() throws {
        let (path, line) = try Self.refusalOfFuzzInput("huge-variable-length-attribute.h5")
        #expect(line.hasPrefix("\(path): the attribute message at byte "), "\(line)")
        #expect(line.hasSuffix(" elements of 1 bytes, more than the file's 10880 bytes; the file is damaged"), "\(line)")
    }

    /// A mutated log whose global heap holds a string of about 8·10^18 bytes in a collection
    /// of 4 kB (kept as Fuzz/corpus/runlog/overread-global-heap-object.h5) made libhdf5
    /// 1.10.8 copy that many bytes out of the heap (AddressSanitizer, in H5HG_read under
    /// H5Aread). The heap is walked before the library sees the file, and the log is refused
    /// in one line naming the file and the object's offset.
    @Test func aGlobalHeapObjectLongerThanItsCollectionIsRefusedBeforeTheLibraryReadsIt() throws {
        let (path, line) = try Self.refusalOfFuzzInput("overread-global-heap-object.h5")
        #expect(line == "\(path): the global heap collection at byte 2048 holds an object of 8390335240197207150 bytes at byte 2808, beyond the collection's end at byte 6144; the file is damaged", "\(line)")
    }

    /// A mutated log whose chunk index gives a chunk of `td_error_rms` a size of 0 bytes where
    /// the layout declares 8192 (kept as Fuzz/corpus/runlog/overread-chunk-size.h5) made
    /// libhdf5 1.10.8 copy the series out of a buffer of the index's size, past its end
    /// (AddressSanitizer, in H5VM_memcpyvv under H5Dread). Chunk indexes are checked against
    /// their layouts when the log is opened, and the log is refused in one line naming the
    /// file and the index node's offset.
    @Test func aChunkSmallerThanItsLayoutIsRefusedBeforeTheLibraryReadsIt() throws {
        let (path, line) = try Self.refusalOfFuzzInput("overread-chunk-size.h5")
        #expect(line == "\(path): the chunk index node at byte 36776 gives a chunk a size of 0 bytes, where the layout message at byte 8248 declares 8192-byte chunks; the file is damaged", "\(line)")
    }

    /// A mutated log whose string attribute refers to a global heap object the heap does not
    /// hold (kept as Fuzz/corpus/runlog/missing-global-heap-object.h5) made libhdf5 1.10.8
    /// follow a null pointer (AddressSanitizer, in H5HG_read under H5Aread). Every reference
    /// from a variable-length attribute value into the heap is checked against the heap's
    /// objects when the log is opened, and the log is refused in one line naming the file and
    /// the attribute message's offset.
    @Test func anAttributeReferringToAMissingHeapObjectIsRefusedBeforeTheLibraryReadsIt() throws {
        let (path, line) = try Self.refusalOfFuzzInput("missing-global-heap-object.h5")
        #expect(line == "\(path): the attribute message at byte 16080 refers to object 4294967290 of a global heap collection at address 9120, which the file does not hold; the file is damaged", "\(line)")
    }

    /// The library reads the heap for an empty value too, when its address is not the null
    /// one: a mutated log whose empty `paper` names object 1213481476 of its collection
    /// (kept as Fuzz/corpus/runlog/missing-global-heap-object-empty-value.h5) made it read
    /// far past the collection's object table in `H5HG_read` (AddressSanitizer, under H5Aread).
    @Test func anEmptyAttributeValueReferringToAMissingHeapObjectIsRefused() throws {
        let (path, line) = try Self.refusalOfFuzzInput("missing-global-heap-object-empty-value.h5")
        #expect(line == "\(path): the attribute message at byte 1128 refers to object 1213481476 of a global heap collection at address 2048, which the file does not hold; the file is damaged", "\(line)")
    }

    /// A mutated log whose series claims millions of values over small chunks it never
    /// stored (kept as Fuzz/corpus/runlog/oom-unstored-chunks.h5) made libhdf5 1.10.8 set up
    /// a record per chunk before reading: 2.1 GB for a file of 39 kB (libFuzzer's memory
    /// limit). The log is refused in one line naming the file and the dataset.
    @Test func aSeriesSpanningMillionsOfUnstoredChunksIsRefusedBeforeTheLibraryReadsIt() throws {
        let (path, line) = try Self.refusalOfFuzzInput("oom-unstored-chunks.h5")
        #expect(line == "\(path): seed 0: dataset /seed_0/mean_value has 6514789 values in 814349 chunks of 8 but stores only 1 chunks; it is damaged; the file was left untouched", "\(line)")
    }

    /// A fuzz input whose one changed byte made the only free block of the root group's
    /// local heap name itself as the next (kept as Fuzz/corpus/runlog/
    /// oom-local-heap-free-list.h5) made libhdf5 1.10.8 allocate free-list nodes until
    /// memory ran out (h5dump -H was killed too). The log is refused in one line naming the
    /// file and the heap.
    @Test func aLocalHeapWhoseFreeListLoopsIsRefusedBeforeTheLibraryFollowsIt() throws {
        let (path, line) = try Self.refusalOfFuzzInput("oom-local-heap-free-list.h5")
        #expect(line == "\(path): the free list of the local heap at byte 680 returns to the block at offset 24; the file is damaged", "\(line)")
    }

    /// The same loop, in a fuzz input that also changed the superblock's base address field to
    /// a value past the end of the file (kept as Fuzz/corpus/runlog/
    /// oom-local-heap-free-list-base-address.h5). libhdf5 counts addresses from the
    /// superblock's position whatever the field says, so the checks do too, and the heap is
    /// refused as above.
    @Test func aLoopingFreeListIsRefusedWhateverTheBaseAddressFieldSays() throws {
        let (path, line) = try Self.refusalOfFuzzInput("oom-local-heap-free-list-base-address.h5")
        #expect(line == "\(path): the free list of the local heap at byte 680 returns to the block at offset 24; the file is damaged", "\(line)")
    }

    /// Verifying a log again replaces its /summary group: the old group's local heap stays in
    /// the file, unreachable, its data segment reused. The heap checks read only the heaps the
    /// groups name, so a log verified any number of times still opens (the stale heap's free
    /// list, read by signature, had looked like a loop).
    @Test func aLogVerifiedAgainAndAgainStillOpens() throws {
        let dir = Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/walk.h5"
        #expect(try run(path).statuses == [0: .complete, 1: .complete])
        for round in 1...4 {
            let results = (0..<(3 * round)).map { k in
                CheckResult(id: "check-\(round)-\(k)", description: String(repeating: "d", count: 40 * k + round),
                            provenance: .claimInAbstract, source: "s", experiments: ["walk"], metric: "m", reference: "r",
                            ours: String(repeating: "o", count: 17 * k), test: "t", estimates: [], statistics: [],
                            verdict: k % 2 == 0 ? .pass : .fail, notes: [])
            }
            try RunLog.writeSummary(path, results: results, profile: "quick")
            #expect(try RunLog.read(path).seeds.count == 2, "round \(round)")
        }
    }

    /// A fuzz input in which the last member name of a seed group's local heap had lost its
    /// terminating zero (kept as Fuzz/corpus/runlog/overread-member-name.h5) made libhdf5
    /// 1.10.8 duplicate the name from memory past the heap (AddressSanitizer, in
    /// `H5G__ent_to_link` under `H5Ovisit2`). The log is refused in one line naming the file,
    /// the entry and the heap.
    @Test func aMemberNameThatDoesNotEndInItsHeapIsRefusedBeforeTheLibraryCopiesIt() throws {
        let (path, line) = try Self.refusalOfFuzzInput("overread-member-name.h5")
        #expect(line == "\(path): the symbol table entry at byte 8128 names a member by offset 72 into the 88-byte local heap at byte 6792, where no string ends; the file is damaged", "\(line)")
    }

    /// Members are listed sorted by name, as the name index orders them.
    @Test func membersAreListedByName() throws {
        let path = "\(Scratch.directory())/groups.h5"
        HDF5File.lockLibrary()
        defer { HDF5File.unlockLibrary() }
        let f = try HDF5File(path: path, mode: .createExclusive)
        for name in ["seed_2", "b", "seed_10", "A", "a"] { try f.createGroup("/\(name)") }
        #expect(try f.members(of: "/") == ["A", "a", "b", "seed_10", "seed_2"])
        #expect(try f.members(of: "/b") == [])
    }

    /// A damaged count of units (negative) made the reader's range check trap; it is one line.
    @Test func aNegativeUnitCountIsRefused() throws {
        let (path, _) = try partialLog(Scratch.directory())
        try edit(path) { try $0.setAttribute("units", -1) }
        let error = #expect(throws: (any Error).self) { try RunLog.read(path) }
        #expect("\(error.map { "\($0)" } ?? "")" ==
            "\(path): attribute units: must be between 1 and 1000000000, found -1; the file was left untouched")
    }

    /// A group named for a negative seed is refused by name.
    @Test func aNegativeSeedGroupIsRefused() throws {
        let (path, _) = try partialLog(Scratch.directory())
        try edit(path) { try $0.createGroup("/seed_-1") }
        let error = #expect(throws: (any Error).self) { try RunLog.read(path) }
        #expect("\(error.map { "\($0)" } ?? "")" ==
            "\(path): group /seed_-1 is not named seed_<n>, n a seed in 0...4294967295; the file was left untouched")
    }

    /// A series whose length was damaged to 2^40 values (never written: HDF5 would read them as
    /// zeros) is refused before 8 TiB are allocated.
    @Test func aSeriesLongerThanItsStorageIsRefusedBeforeAllocating() throws {
        let (path, _) = try partialLog(Scratch.directory())
        var series = ""
        try edit(path) { f in
            series = try f.members(of: "/seed_0").first { $0 != "checkpoint" }!
            try f.truncate("/seed_0/\(series)", to: 1 << 40)
        }
        let error = #expect(throws: (any Error).self) { try RunLog.read(path) }
        let line = error.map { "\($0)" } ?? ""
        #expect(line.hasPrefix("\(path): seed 0: dataset /seed_0/\(series) has 1099511627776 values but stores only "), "\(line)")
        #expect(line.hasSuffix(" bytes; it is damaged; the file was left untouched"), "\(line)")
    }
}
