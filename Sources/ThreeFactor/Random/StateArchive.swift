/// A flat, versionless snapshot of a learner's or generator's state, as 64-bit words.
///
/// Runs checkpoint at episode boundaries so that an interrupted run resumes and ends with
/// exactly the numbers of an uninterrupted one. The core only fills and reads these words;
/// where they are stored (an HDF5 dataset) is the replication layer's business.
public struct StateArchive: Sendable, Equatable {
    public private(set) var words: [UInt64] = []

    public init() {}
    public init(words: [UInt64]) { self.words = words }

    public mutating func append(_ value: UInt64) { words.append(value) }
    public mutating func append(_ value: Int) { words.append(UInt64(bitPattern: Int64(value))) }
    public mutating func append(_ value: Double) { words.append(value.bitPattern) }
    public mutating func append(_ value: Bool) { words.append(value ? 1 : 0) }
    public mutating func append(_ values: [Double]) {
        append(values.count)
        for v in values { words.append(v.bitPattern) }
    }

    public struct Reader {
        let words: [UInt64]
        public private(set) var position = 0
        public init(_ archive: StateArchive) { words = archive.words }
        public var isAtEnd: Bool { position == words.count }

        public mutating func uint64() throws -> UInt64 {
            guard position < words.count else { throw CheckpointError.truncated(at: position) }
            defer { position += 1 }
            return words[position]
        }
        public mutating func int() throws -> Int { Int(Int64(bitPattern: try uint64())) }
        public mutating func double() throws -> Double { Double(bitPattern: try uint64()) }
        public mutating func bool() throws -> Bool { try uint64() != 0 }
        /// Reads an array written by `append(_: [Double])` into `values`, which must
        /// already have the stored length (shapes come from the configuration, not the file).
        public mutating func doubles(into values: inout [Double]) throws {
            let n = try int()
            guard n == values.count else {
                throw CheckpointError.shapeMismatch(expected: values.count, found: n)
            }
            for i in 0..<n { values[i] = try double() }
        }
    }
}

public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case truncated(at: Int)
    case shapeMismatch(expected: Int, found: Int)
    case trailingWords(Int)

    public var description: String {
        switch self {
        case .truncated(let p): "checkpoint ends early at word \(p)"
        case .shapeMismatch(let e, let f): "checkpoint array has \(f) values, expected \(e)"
        case .trailingWords(let n): "checkpoint has \(n) unread words"
        }
    }
}

/// State that can be saved at an episode boundary and restored bit for bit.
public protocol Checkpointable {
    func save(to archive: inout StateArchive)
    mutating func load(from reader: inout StateArchive.Reader) throws
}
