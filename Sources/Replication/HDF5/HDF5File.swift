import CHDF5
import Foundation

/// A failed HDF5 call, with what was being done and to which file.
public struct HDF5Error: Error, CustomStringConvertible {
    /// What was being done, to which file, and that it failed.
    public let message: String
    /// The message.
    public var description: String { message }
}

/// A thin, safe layer over the HDF5 C library: what the run logs need and no more.
///
/// Datasets used by the logs are one-dimensional, chunked and extendable, so a run can
/// append a value per unit and shrink back to a checkpoint on resume. Strings are stored as
/// variable-length UTF-8, which h5py reads as `str` and h5dump prints as text.
/// Not thread-safe (neither is the serial HDF5 library): callers hold `libraryLock`
/// around every use, including the deinitialiser that closes the file.
public final class HDF5File {
    /// Serialises all HDF5 calls of the process.
    public static let libraryLock = NSRecursiveLock()

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
        chdf5_silence_errors()
        self.path = path
        let fid: hid_t
        switch mode {
        case .readOnly: fid = H5Fopen(path, chdf5_f_acc_rdonly(), chdf5_p_default())
        case .readWrite: fid = H5Fopen(path, chdf5_f_acc_rdwr(), chdf5_p_default())
        case .createExclusive: fid = H5Fcreate(path, chdf5_f_acc_excl(), chdf5_p_default(), chdf5_p_default())
        case .createTruncate: fid = H5Fcreate(path, chdf5_f_acc_trunc(), chdf5_p_default(), chdf5_p_default())
        }
        guard fid >= 0 else {
            throw HDF5Error(message: "\(path): cannot \(mode == .readOnly || mode == .readWrite ? "open" : "create") HDF5 file")
        }
        id = fid
    }

    deinit {
        Self.libraryLock.lock()
        H5Fclose(id)
        Self.libraryLock.unlock()
    }

    /// True when `path` is an HDF5 file (without opening it for writing).
    public static func isHDF5(_ path: String) -> Bool {
        chdf5_silence_errors()
        return H5Fis_hdf5(path) > 0
    }

    /// Pushes everything buffered by the library to the operating system.
    public func flush() throws {
        try check(H5Fflush(id, H5F_SCOPE_GLOBAL), "flush")
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

    /// Names of the direct members of a group.
    public func members(of group: String) throws -> [String] {
        let g = H5Gopen2(id, group, chdf5_p_default())
        guard g >= 0 else { throw HDF5Error(message: "\(path): no group \(group)") }
        defer { H5Gclose(g) }
        var info = H5G_info_t()
        try check(H5Gget_info(g, &info), "list \(group)")
        var names: [String] = []
        for i in 0..<info.nlinks {
            let n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, chdf5_p_default())
            guard n >= 0 else { continue }
            var buffer = [CChar](repeating: 0, count: Int(n) + 1)
            H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(n) + 1, chdf5_p_default())
            names.append(String(cString: buffer))
        }
        return names
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

    /// The number of values in a 1-D dataset.
    public func length(of name: String) throws -> Int {
        let d = try openDataset(name)
        defer { H5Dclose(d) }
        let space = H5Dget_space(d)
        defer { H5Sclose(space) }
        var dims: [hsize_t] = [0]
        H5Sget_simple_extent_dims(space, &dims, nil)
        return Int(dims[0])
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
        let old = replace ? 0 : try length(of: name)
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
        let n = try length(of: name)
        let d = try openDataset(name)
        defer { H5Dclose(d) }
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

    /// The string attribute `name` of `object` (the root by default).
    public func stringAttribute(_ name: String, on object: String = "/") throws -> String {
        let attr = try openAttribute(name, on: object)
        defer { H5Aclose(attr) }
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
        var v = 0.0
        try check(H5Aread(attr, chdf5_native_double(), &v), "read attribute \(name)")
        return v
    }

    /// The integer attribute `name` of `object` (the root by default).
    public func intAttribute(_ name: String, on object: String = "/") throws -> Int {
        let attr = try openAttribute(name, on: object)
        defer { H5Aclose(attr) }
        var v: Int64 = 0
        try check(H5Aread(attr, chdf5_native_int64(), &v), "read attribute \(name)")
        return Int(v)
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
