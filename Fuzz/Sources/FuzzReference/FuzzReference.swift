import FuzzSupport
import Replication

/// libFuzzer entry point: the input is the text of a reference file `data/reference/<paper>.toml`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReference(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = utf8Text(data, size) else { return 0 }
    do {
        _ = try ReferenceFile.parse(text, file: "fuzz/reference.toml")
    } catch {
        requireOneLineError(error, naming: "fuzz/reference.toml", reader: "ReferenceFile")
    }
    return 0
}
