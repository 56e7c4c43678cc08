import FuzzSupport
import Replication

/// libFuzzer entry point: the input is the text of a paper module's `experiments.toml`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExperiments(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = utf8Text(data, size) else { return 0 }
    do {
        _ = try PaperExperiments.parse(text, file: "fuzz/experiments.toml")
    } catch {
        requireOneLineError(error, naming: "fuzz/experiments.toml", reader: "PaperExperiments")
    }
    return 0
}
