import FuzzSupport
import Replication
import ThreeFactor

/// The registered environments that build with default options, in catalog order.
let environmentIDs: [String] = Catalog.environments.map(\.id).filter { (try? EnvReplay.environment($0)) != nil }

/// libFuzzer entry point for `threefactor env replay`. The first byte picks the environment
/// (modulo their number); when the second byte is odd, the first line of the rest is the
/// `--state` argument; the rest is the actions file, replayed to its end or the episode's.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzActions(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2, !environmentIDs.isEmpty else { return 0 }
    let id = environmentIDs[Int(data[0]) % environmentIDs.count]
    let withState = data[1] & 1 == 1
    // The CLI decodes the actions file leniently (invalid UTF-8 becomes U+FFFD).
    var text = String(decoding: UnsafeBufferPointer(start: data + 2, count: size - 2), as: UTF8.self)
    var state: String? = nil
    if withState {
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        state = String(parts[0])
        text = parts.count > 1 ? String(parts[1]) : ""
    }
    do {
        _ = try EnvReplay.replay(id: id, state: state, seed: 0, actions: text)
    } catch let error as EnvReplayError {
        let line = error.description
        if !isOneLine(line) {
            fatalError("EnvReplay: the error is not one line: \(line.debugDescription)")
        }
    } catch {
        fatalError("EnvReplay: \(type(of: error)) is not an EnvReplayError: \(error)")
    }
    return 0
}
