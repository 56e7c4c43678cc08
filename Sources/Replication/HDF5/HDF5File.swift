import CHDF5
import Foundation
import ThreeFactor

/// A failed HDF5 call, with what was being done and to which file.
public struct HDF5Error: Error, CustomStringConvertible {
    /// What was being done, to which file, and that it failed.
    public let message: String
    /// The message, on one line (line breaks in names read from the file are escaped).
    public var description: String { oneLine(message) }
}

/// A thin, safe layer over the HDF5 C library: what the run logs need and no more.
///
/// Datasets used by the logs are one-dimensional, chunked and extendable, so a run can
/// append a value per unit and shrink back to a checkpoint on resume. Strings are stored as
/// variable-length UTF-8, which h5py reads as `str` and h5dump prints as text.
/// Not thread-safe (neither is the serial HDF5 library): callers hold `libraryLock`
/// around every use, including the deinitialiser that closes the file.
public final class HDF5File {
    /// Serialises all HDF5 calls of the process. Take it with `lockLibrary()`, which also
    /// silences the library's own error printing on the calling thread.
    public static let libraryLock = NSRecursiveLock()

    /// Takes `libraryLock` and turns off HDF5's automatic error-stack printing for the calling
    /// thread. The installed HDF5 is built thread-safe, so its error-stack settings are per
    /// thread: silencing them once on the main thread leaves every worker thread printing
    /// hundreds of lines on a failed write (a full disk). Every use of the library takes the
    /// lock through here, so no thread ever reaches HDF5 unsilenced; the Swift layer reports
    /// each failure itself in one line.
    public static func lockLibrary() {
        libraryLock.lock()
        _ = processSetup
        chdf5_silence_errors()
    }

    /// Runs once, before the process's first HDF5 call: keeps HDF5 from registering its
    /// exit-time clean-up. Every log is flushed at each commit and closed by its owner, so
    /// that clean-up has nothing to save; after a failed write (a full disk) it dereferenced
    /// the half-closed file and turned one error line into a SIGSEGV at exit.
    static let processSetup: Void = {
        H5dont_atexit()
    }()

    /// Releases `libraryLock`.
    public static func unlockLibrary() {
        libraryLock.unlock()
    }

    /// How `init(path:mode:)` opens the file.
    public enum Mode {
        /// Open an existing file for reading.
        case readOnly
        /// Open an existing file for reading and writing.
        case readWrite
        /// Create a new file; an existing file of that name is an error.
        case createExclusive
        /// Create a new file, replacing an existing one of that name.
        case createTruncate
    }

    /// The file's path.
    public let path: String
    let id: hid_t

    /// Opens or creates the file at `path`. The caller holds `libraryLock`.
    public init(path: String, mode: Mode) throws {
        Self.lockLibrary()
        defer { Self.unlockLibrary() }
        self.path = path
        let fid: hid_t
        switch mode {
        case .readOnly:
            // Read through an image of the file's bytes, so that the bytes the library reads
            // are the ones checked by `openImage`, and no lock is taken on the file.
            id = try Self.openImage(try Self.contents(of: path), path: path, writable: false)
            return
        case .readWrite: fid = H5Fopen(path, chdf5_f_acc_rdwr(), chdf5_p_default())
        case .createExclusive: fid = H5Fcreate(path, chdf5_f_acc_excl(), chdf5_p_default(), chdf5_p_default())
        case .createTruncate: fid = H5Fcreate(path, chdf5_f_acc_trunc(), chdf5_p_default(), chdf5_p_default())
        }
        guard fid >= 0 else {
            throw HDF5Error(message: "\(path): cannot \(mode == .readOnly || mode == .readWrite ? "open" : "create") HDF5 file")
        }
        // Marked before the lock is released, so a process started with `start(_:)` never
        // inherits the descriptor (and its file lock). The default driver always has one.
        _ = chdf5_set_close_on_exec(fid)
        id = fid
    }

    /// Opens an HDF5 file image held in memory for reading and writing (HDF5's core driver,
    /// without a backing store): nothing reaches the disk until the caller writes `image()`
    /// somewhere, and no descriptor or file lock is held. `path` is the file the image came
    /// from, for messages only. The caller holds `libraryLock`.
    public init(image: [UInt8], path: String) throws {
        Self.lockLibrary()
        defer { Self.unlockLibrary() }
        self.path = path
        id = try Self.openImage(image, path: path, writable: true)
    }

    /// Opens `image` with the core driver after `checkSymbolTables` (local heaps and member
    /// names) and `checkGlobalHeaps`, and checks its object headers (`checkObjectHeaders`) before any
    /// attribute or dataset is decoded. The caller holds `libraryLock`.
    private static func openImage(_ image: [UInt8], path: String, writable: Bool) throws -> hid_t {
        try checkSymbolTables(image, path: path)
        let heaps = try checkGlobalHeaps(image, path: path)
        let fapl = H5Pcreate(chdf5_p_file_access())
        defer { H5Pclose(fapl) }
        let configured = fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 20, false) >= 0
            && image.withUnsafeBytes { H5Pset_file_image(fapl, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) } >= 0
        // The core driver refuses an image whose name exists on disk; a name below a regular
        // file cannot exist.
        let access = writable ? chdf5_f_acc_rdwr() : chdf5_f_acc_rdonly()
        let fid = configured ? H5Fopen(path + "/in-memory", access, fapl) : -1
        guard fid >= 0 else { throw HDF5Error(message: "\(path): cannot open HDF5 file") }
        do { try checkObjectHeaders(fid, image: image, heaps: heaps, path: path) } catch { H5Fclose(fid); throw error }
        return fid
    }

    /// The bytes of the file at `path`; an unreadable file is an error naming it.
    private static func contents(of path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HDF5Error(message: "\(path): cannot open HDF5 file (\(FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file"))")
        }
        return [UInt8](data)
    }

    /// Starts a child process without letting it inherit an HDF5 file (and HDF5's lock on it;
    /// see `chdf5_set_close_on_exec`). Files are marked close-on-exec as they are opened,
    /// under `libraryLock`; starting the child under the same lock means no file is between
    /// its opening and its marking when the child is created.
    public static func start(_ process: Process) throws {
        lockLibrary()
        defer { unlockLibrary() }
        try process.run()
    }

    deinit {
        Self.lockLibrary()
        if !closed { H5Fclose(id) }
        Self.unlockLibrary()
    }

    var closed = false

    /// Closes the file now (flushing what the library buffers); later use is an error.
    public func close() throws {
        Self.lockLibrary()
        defer { Self.unlockLibrary() }
        guard !closed else { return }
        closed = true
        try check(H5Fclose(id), "close")
    }

    /// True when `path` is an HDF5 file (without opening it for writing).
    public static func isHDF5(_ path: String) -> Bool {
        lockLibrary()
        defer { unlockLibrary() }
        return H5Fis_hdf5(path) > 0
    }

    /// The complete file as bytes, after flushing what the library buffers: for a file opened
    /// with `init(image:path:)`, what writing it to disk would store.
    public func image() throws -> [UInt8] {
        try flush()
        let size = H5Fget_file_image(id, nil, 0)
        guard size >= 0 else { throw HDF5Error(message: "\(path): HDF5 failed to produce the file image") }
        var bytes = [UInt8](repeating: 0, count: size)
        let copied = bytes.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }
        guard copied == size else { throw HDF5Error(message: "\(path): HDF5 failed to produce the file image") }
        return bytes
    }

    /// Pushes everything buffered by the library to the operating system.
    public func flush() throws {
        errno = 0
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
            let reason = errno == 0 ? "" : " (\(String(cString: strerror(errno))))"
            throw HDF5Error(message: "\(path): HDF5 failed to flush\(reason)")
        }
    }

    // MARK: Links

    /// True when a link (group or dataset) named `name` exists, its parents included.
    public func exists(_ name: String) -> Bool {
        // H5Lexists needs every intermediate link to exist: walk the path.
        var prefix = ""
        for part in name.split(separator: "/") {
            prefix += "/" + part
            guard H5Lexists(id, prefix, chdf5_p_default()) > 0 else { return false }
        }
        return true
    }

    /// Creates a group; its parent must exist.
    public func createGroup(_ name: String) throws {
        guard !exists(name) else { return }
        let g = H5Gcreate2(id, name, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
        guard g >= 0 else { throw HDF5Error(message: "\(path): cannot create group \(name)") }
        H5Gclose(g)
    }

    /// Removes a link (a group with everything below it, or a dataset) if it exists.
    public func remove(_ name: String) throws {
        guard exists(name) else { return }
        try check(H5Ldelete(id, name, chdf5_p_default()), "remove \(name)")
    }

    /// Names of the direct members of a group, sorted by their UTF-8 bytes (the order of the
    /// group's name index).
    public func members(of group: String) throws -> [String] {
        let g = H5Gopen2(id, group, chdf5_p_default())
        guard g >= 0 else { throw HDF5Error(message: "\(path): no group \(group)") }
        defer { H5Gclose(g) }
        // Native-order iteration (see chdf5_iterate_link_names): H5Lget_name_by_idx crashed
        // inside HDF5 1.10 on a damaged group.
        var names: [String] = []
        let status = withUnsafeMutablePointer(to: &names) { list in
            chdf5_iterate_link_names(g, { name, context in
                guard let name, let context else { return -1 }
                context.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                return 0
            }, list)
        }
        try check(status, "list \(group)")
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    // MARK: Extendable one-dimensional datasets

    /// The element type of a series.
    public enum Element {
        /// 64-bit IEEE floating point (the logged series).
        case double
        /// Unsigned 64-bit integers (the checkpoint's words).
        case uint64
    }

    func nativeType(_ e: Element) -> hid_t {
        switch e {
        case .double: chdf5_native_double()
        case .uint64: chdf5_native_uint64()
        }
    }

    /// Creates an empty, chunked, unlimited 1-D dataset.
    public func createSeries(_ name: String, element: Element = .double, chunk: Int = 1024) throws {
        var dims: [hsize_t] = [0]
        var maxDims: [hsize_t] = [chdf5_s_unlimited()]
        let space = H5Screate_simple(1, &dims, &maxDims)
        defer { H5Sclose(space) }
        let plist = H5Pcreate(chdf5_p_dataset_create())
        defer { H5Pclose(plist) }
        var chunkDims: [hsize_t] = [hsize_t(chunk)]
        H5Pset_chunk(plist, 1, &chunkDims)
        let d = H5Dcreate2(id, name, nativeType(element), space, chdf5_p_default(), plist, chdf5_p_default())
        guard d >= 0 else { throw HDF5Error(message: "\(path): cannot create dataset \(name)") }
        H5Dclose(d)
    }

    func openDataset(_ name: String) throws -> hid_t {
        let d = H5Dopen2(id, name, chdf5_p_default())
        guard d >= 0 else { throw HDF5Error(message: "\(path): no dataset \(name)") }
        return d
    }

    /// The number of values in a 1-D dataset; any other rank is an error naming the file and
    /// the dataset (a damaged or hand-edited log), never a read past a buffer.
    public func length(of name: String) throws -> Int {
        let d = try openDataset(name)
        defer { H5Dclose(d) }
        return try length(ofOpen: d, name)
    }

    /// The values per chunk of an open one-dimensional chunked dataset (nil if it is not chunked).
    func chunkLength(ofOpen d: hid_t) -> UInt64? {
        let plist = H5Dget_create_plist(d)
        guard plist >= 0 else { return nil }
        defer { H5Pclose(plist) }
        var dims: [hsize_t] = [0]
        guard H5Pget_layout(plist) == H5D_CHUNKED, H5Pget_chunk(plist, 1, &dims) == 1, dims[0] > 0 else { return nil }
        return UInt64(dims[0])
    }

    func length(ofOpen d: hid_t, _ name: String) throws -> Int {
        let space = H5Dget_space(d)
        guard space >= 0 else { throw HDF5Error(message: "\(path): cannot read the shape of dataset \(name)") }
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank == 1 else {
            throw HDF5Error(message: "\(path): dataset \(name) has rank \(rank), expected a one-dimensional series")
        }
        var dims: [hsize_t] = [0]
        guard H5Sget_simple_extent_dims(space, &dims, nil) == 1, dims[0] <= hsize_t(Int.max / 8) else {
            throw HDF5Error(message: "\(path): dataset \(name) has an unreadable length")
        }
        return Int(dims[0])
    }

    /// Checks that dataset `name` stores `element` values (64-bit floats, or unsigned 64-bit
    /// integers), so nothing is silently converted from a replaced dataset of another type.
    func checkType(ofOpen d: hid_t, _ name: String, _ element: Element) throws {
        let type = H5Dget_type(d)
        guard type >= 0 else { throw HDF5Error(message: "\(path): cannot read the type of dataset \(name)") }
        defer { H5Tclose(type) }
        let cls = H5Tget_class(type), size = H5Tget_size(type)
        let ok: Bool
        switch element {
        case .double: ok = cls == H5T_FLOAT && size == 8
        case .uint64: ok = cls == H5T_INTEGER && size == 8 && H5Tget_sign(type) == H5T_SGN_NONE
        }
        guard ok else {
            let expected = element == .double ? "float64" : "uint64"
            throw HDF5Error(message: "\(path): dataset \(name) is not \(expected)")
        }
    }

    /// Appends values at the end of a 1-D extendable dataset.
    public func append(_ values: [Double], to name: String) throws {
        try values.withUnsafeBytes { try write($0, count: values.count, element: .double, to: name, replace: false) }
    }

    /// Replaces the whole content of a 1-D extendable dataset.
    public func replace(_ values: [UInt64], in name: String) throws {
        try values.withUnsafeBytes { try write($0, count: values.count, element: .uint64, to: name, replace: true) }
    }

    func write(_ bytes: UnsafeRawBufferPointer, count: Int, element: Element, to name: String, replace: Bool) throws {
        let d = try openDataset(name)
        defer { H5Dclose(d) }
        try checkType(ofOpen: d, name, element)
        let old = replace ? 0 : try length(ofOpen: d, name)
        var newDims: [hsize_t] = [hsize_t(old + count)]
        try check(H5Dset_extent(d, &newDims), "extend \(name)")
        guard count > 0 else { return }
        let file = H5Dget_space(d)
        defer { H5Sclose(file) }
        var start: [hsize_t] = [hsize_t(old)]
        var size: [hsize_t] = [hsize_t(count)]
        try check(H5Sselect_hyperslab(file, H5S_SELECT_SET, &start, nil, &size, nil), "select \(name)")
        let memory = H5Screate_simple(1, &size, nil)
        defer { H5Sclose(memory) }
        try check(H5Dwrite(d, nativeType(element), memory, file, chdf5_p_default(), bytes.baseAddress), "write \(name)")
    }

    /// Cuts a 1-D extendable dataset back to `count` values (used when resuming).
    public func truncate(_ name: String, to count: Int) throws {
        let d = try openDataset(name)
        defer { H5Dclose(d) }
        _ = try length(ofOpen: d, name)
        var dims: [hsize_t] = [hsize_t(count)]
        try check(H5Dset_extent(d, &dims), "truncate \(name)")
    }

    /// The whole content of a 1-D dataset of doubles.
    public func readDoubles(_ name: String) throws -> [Double] {
        try read(name, element: .double, as: Double.self)
    }

    /// The whole content of a 1-D dataset of unsigned 64-bit integers.
    public func readUInt64s(_ name: String) throws -> [UInt64] {
        try read(name, element: .uint64, as: UInt64.self)
    }

    func read<T>(_ name: String, element: Element, as: T.Type) throws -> [T] where T: Numeric {
        let d = try openDataset(name)
        defer { H5Dclose(d) }
        try checkType(ofOpen: d, name, element)
        let n = try length(ofOpen: d, name)
        // A damaged length (chunks never written read as zeros) must not allocate terabytes:
        // the values beyond what the file stores may be at most one commit's worth (64 MiB).
        // Before it reads, libhdf5 also sets up a record of some hundred bytes for every chunk
        // the read spans, stored or not, so a damaged length over small chunks costs gigabytes
        // in the library (`Fuzz/corpus/runlog/oom-unstored-chunks.h5`): the chunks not stored
        // may be at most 65 536.
        let stored = UInt64(H5Dget_storage_size(d)), logical = UInt64(n) * UInt64(MemoryLayout<T>.size)
        guard logical <= stored || logical - stored <= 64 << 20 else {
            throw HDF5Error(message: "\(path): dataset \(name) has \(n) values but stores only \(stored) bytes; it is damaged")
        }
        if let chunk = chunkLength(ofOpen: d) {
            let spanned = (UInt64(n) + chunk - 1) / chunk, held = stored / (chunk * UInt64(MemoryLayout<T>.size))
            guard spanned <= held || spanned - held <= 1 << 16 else {
                throw HDF5Error(message: "\(path): dataset \(name) has \(n) values in \(spanned) chunks of \(chunk) but stores only \(held) chunks; it is damaged")
            }
        }
        var values = [T](repeating: 0, count: n)
        guard n > 0 else { return values }
        try values.withUnsafeMutableBytes { buffer in
            try check(H5Dread(d, nativeType(element), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), buffer.baseAddress),
                      "read \(name)")
        }
        return values
    }

    // MARK: Attributes (on the root "/" or on any group or dataset)

    /// Sets a variable-length UTF-8 string attribute on `object` (a group or dataset; the root
    /// by default), replacing one of the same name.
    public func setAttribute(_ name: String, _ value: String, on object: String = "/") throws {
        let type = H5Tcopy(chdf5_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, chdf5_t_variable())
        H5Tset_cset(type, H5T_CSET_UTF8)
        try withAttribute(name, on: object, type: type) { attr in
            try value.withCString { cString in
                var pointer: UnsafePointer<CChar>? = cString
                try check(H5Awrite(attr, type, &pointer), "write attribute \(name)")
            }
        }
    }

    /// Sets a double attribute on `object` (the root by default), replacing one of the same
    /// name.
    public func setAttribute(_ name: String, _ value: Double, on object: String = "/") throws {
        try withAttribute(name, on: object, type: chdf5_native_double()) { attr in
            var v = value
            try check(H5Awrite(attr, chdf5_native_double(), &v), "write attribute \(name)")
        }
    }

    /// Sets a 64-bit integer attribute on `object` (the root by default), replacing one of the
    /// same name.
    public func setAttribute(_ name: String, _ value: Int, on object: String = "/") throws {
        try withAttribute(name, on: object, type: chdf5_native_int64()) { attr in
            var v = Int64(value)
            try check(H5Awrite(attr, chdf5_native_int64(), &v), "write attribute \(name)")
        }
    }

    /// (Re)creates a scalar attribute of the given type and hands it to `body`.
    func withAttribute(_ name: String, on object: String, type: hid_t, _ body: (hid_t) throws -> Void) throws {
        if H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0 {
            try check(H5Adelete_by_name(id, object, name, chdf5_p_default()), "replace attribute \(name)")
        }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attr = H5Acreate_by_name(id, object, name, type, space, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
        guard attr >= 0 else { throw HDF5Error(message: "\(path): cannot create attribute \(name) on \(object)") }
        defer { H5Aclose(attr) }
        try body(attr)
    }

    /// True when `object` (the root by default) has an attribute named `name`.
    public func hasAttribute(_ name: String, on object: String = "/") -> Bool {
        H5Aexists_by_name(id, object, name, chdf5_p_default()) > 0
    }

    /// The string attribute `name` of `object` (the root by default); an attribute of another
    /// type or shape is an error naming it.
    public func stringAttribute(_ name: String, on object: String = "/") throws -> String {
        let attr = try openAttribute(name, on: object)
        defer { H5Aclose(attr) }
        try checkScalar(attr, name, object, H5T_STRING, "a string")
        let stored = H5Aget_type(attr)
        defer { H5Tclose(stored) }
        guard H5Tis_variable_str(stored) > 0 else {
            throw HDF5Error(message: "\(path): attribute \(name) on \(object) is not a variable-length string")
        }
        let type = H5Tcopy(chdf5_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, chdf5_t_variable())
        H5Tset_cset(type, H5T_CSET_UTF8)
        var pointer: UnsafeMutablePointer<CChar>? = nil
        try check(H5Aread(attr, type, &pointer), "read attribute \(name)")
        guard let pointer else { return "" }
        defer { H5free_memory(pointer) }
        return String(cString: pointer)
    }

    /// The double attribute `name` of `object` (the root by default).
    public func doubleAttribute(_ name: String, on object: String = "/") throws -> Double {
        let attr = try openAttribute(name, on: object)
        defer { H5Aclose(attr) }
        try checkScalar(attr, name, object, H5T_FLOAT, "a float")
        var v = 0.0
        try check(H5Aread(attr, chdf5_native_double(), &v), "read attribute \(name)")
        return v
    }

    /// The integer attribute `name` of `object` (the root by default); a float (even an
    /// integral one), a string or an array is an error naming it.
    public func intAttribute(_ name: String, on object: String = "/") throws -> Int {
        let attr = try openAttribute(name, on: object)
        defer { H5Aclose(attr) }
        try checkScalar(attr, name, object, H5T_INTEGER, "an integer")
        var v: Int64 = 0
        try check(H5Aread(attr, chdf5_native_int64(), &v), "read attribute \(name)")
        return Int(v)
    }

    /// Checks that an open attribute is a single value of type class `cls`.
    func checkScalar(_ attr: hid_t, _ name: String, _ object: String, _ cls: H5T_class_t, _ what: String) throws {
        let type = H5Aget_type(attr)
        defer { if type >= 0 { H5Tclose(type) } }
        let space = H5Aget_space(attr)
        defer { if space >= 0 { H5Sclose(space) } }
        guard type >= 0, space >= 0, H5Tget_class(type) == cls, H5Sget_simple_extent_npoints(space) == 1 else {
            throw HDF5Error(message: "\(path): attribute \(name) on \(object) is not \(what)")
        }
    }

    func openAttribute(_ name: String, on object: String) throws -> hid_t {
        let attr = H5Aopen_by_name(id, object, name, chdf5_p_default(), chdf5_p_default())
        guard attr >= 0 else { throw HDF5Error(message: "\(path): no attribute \(name) on \(object)") }
        return attr
    }

    @inline(__always)
    func check(_ status: herr_t, _ what: String) throws {
        guard status >= 0 else { throw HDF5Error(message: "\(path): HDF5 failed to \(what)") }
    }
}
