import Foundation
import FuzzSupport
import Replication

/// Where each fuzz input is written (one file per fuzzing process).
let scratchPath = NSTemporaryDirectory() + "fuzz-runlog-\(getpid()).h5"

/// libFuzzer entry point: the input is a run log (HDF5), written to a scratch file and read
/// back with `RunLog.read`. Any error must be thrown, name the file, fit on one line, and
/// nothing may be printed (the HDF5 library's error stack).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRunLog(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard FileManager.default.createFile(atPath: scratchPath, contents: bytes) else {
        fatalError("cannot write \(scratchPath)")
    }
    defer { unlink(scratchPath) }
    var failure: (any Error)? = nil
    let printed = capturingStandardError {
        do { _ = try RunLog.read(scratchPath) } catch { failure = error }
    }
    // With allocator_may_return_null=1 (as glibc's malloc, which returns NULL for a size no
    // machine has, and HDF5 then reports an error), AddressSanitizer warns about each such
    // request; that line is the sanitizer's, not the reader's.
    let stray = printed.split(separator: "\n").filter { !$0.contains("AddressSanitizer failed to allocate") }
        .joined(separator: "\n")
    if !stray.isEmpty {
        fatalError("RunLog.read printed to standard error (\(stray.utf8.count) bytes): \(stray.prefix(600).debugDescription)")
    }
    if let failure { requireOneLineError(failure, naming: scratchPath, reader: "RunLog.read") }
    return 0
}
