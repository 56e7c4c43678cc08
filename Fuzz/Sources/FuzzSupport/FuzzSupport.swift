import Foundation

/// What every reader promises for a bad input: a thrown error whose description is one line
/// naming the file. Anything else (a newline, no file name, an empty message) stops the fuzzer
/// with the offending message, and libFuzzer saves the input as a crash.
public func requireOneLineError(_ error: any Error, naming file: String, reader: String) {
    let line = "\(error)"
    if !isOneLine(line) || !line.contains(file) {
        fatalError("\(reader): the error is not one line naming \(file): \(type(of: error)): \(line.debugDescription)")
    }
}

/// True when `line` is not empty and holds no line break (checked scalar by scalar: "\r\n" is
/// one Character, which `contains("\n")` would not find).
public func isOneLine(_ line: String) -> Bool {
    !line.isEmpty && !line.unicodeScalars.contains {
        ["\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"].contains($0)
    }
}

/// The fuzz input as UTF-8 text, or nil when it is not valid UTF-8 (the file readers refuse
/// such files before parsing, as `ConfigFile.load` does).
public func utf8Text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String? {
    String(bytes: UnsafeBufferPointer(start: data, count: size), encoding: .utf8)
}

/// Runs `body` with the process's standard error sent to a scratch file and returns what was
/// written to it: a reader must report a bad input by throwing, never by printing (e.g. the
/// HDF5 library's error stack).
public func capturingStandardError(_ body: () -> Void) -> String {
    fflush(stderr)
    let scratch = NSTemporaryDirectory() + "fuzz-stderr-\(getpid())"
    let fd = open(scratch, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { body(); return "" }
    let saved = dup(2)
    dup2(fd, 2)
    body()
    fflush(stderr)
    dup2(saved, 2)
    close(saved)
    // Read back with read(2): Foundation's String(contentsOfFile:) keeps a 4 kB buffer
    // alive per call, which over a fuzzing run of 10^5 inputs reaches libFuzzer's memory limit.
    var printed: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    lseek(fd, 0, SEEK_SET)
    while case let count = read(fd, &buffer, buffer.count), count > 0 { printed += buffer[0..<count] }
    close(fd)
    unlink(scratch)
    return String(decoding: printed, as: UTF8.self)
}
