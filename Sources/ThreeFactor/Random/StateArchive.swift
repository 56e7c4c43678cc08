/// A flat, versionless snapshot of a learner's or generator's state, as 64-bit words.
///
/// Runs checkpoint at episode boundaries so that an interrupted run resumes and ends with
/// exactly the numbers of an uninterrupted one. The core only fills and reads these words;
/// where they are stored (an HDF5 dataset) is the replication layer's business.
public struct StateArchive: Sendable, Equatable {
    /// The snapshot's words, in the order they were appended.
    public private(set) var words: [UInt64] = []

    /// An empty archive.
    public init() {}
    /// An archive of stored words, to be read with a `Reader`.
    public init(words: [UInt64]) { self.words = words }

    /// Appends a word as it is.
    public mutating func append(_ value: UInt64) { words.append(value) }
    /// Appends an integer as its 64-bit two's-complement pattern.
    public mutating func append(_ value: Int) { words.append(UInt64(bitPattern: Int64(value))) }
    /// Appends a number as its IEEE 754 bit pattern, so NaNs and signed zeros survive exactly.
    public mutating func append(_ value: Double) { words.append(value.bitPattern) }
    /// Appends a boolean as 1 or 0.
    public mutating func append(_ value: Bool) { words.append(value ? 1 : 0) }
    /// Appends an array as its count followed by its values' bit patterns.
    public mutating func append(_ values: [Double]) {
        append(values.count)
        for v in values { words.append(v.bitPattern) }
    }

    /// Reads an archive's words back in the order they were appended.
    public struct Reader {
        let words: [UInt64]
        /// The index of the next word to read.
        public private(set) var position = 0
        /// A reader at the archive's first word.
        public init(_ archive: StateArchive) { words = archive.words }
        /// True when every word has been read; a load that ends elsewhere read the wrong
        /// layout.
        public var isAtEnd: Bool { position == words.count }

        /// The next word; throws when the archive ends early.
        public mutating func uint64() throws -> UInt64 {
            guard position < words.count else { throw CheckpointError.truncated(at: position) }
            defer { position += 1 }
            return words[position]
        }
        /// The next word as an integer written by `append(_: Int)`.
        public mutating func int() throws -> Int { Int(Int64(bitPattern: try uint64())) }
        /// The next word as a number written by `append(_: Double)`.
        public mutating func double() throws -> Double { Double(bitPattern: try uint64()) }
        /// The next word as a boolean written by `append(_: Bool)`.
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

/// A checkpoint that does not fit the state it is loaded into: the run's configuration and the
/// checkpoint's do not match, or the file is damaged.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The archive ended at word `at` before the state was complete.
    case truncated(at: Int)
    /// A stored array's length differs from the one the configuration gives.
    case shapeMismatch(expected: Int, found: Int)
    /// Words were left over after the state was loaded.
    case trailingWords(Int)

    /// The one-line message for the user.
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
    /// Appends the complete state to `archive`, in a fixed order.
    func save(to archive: inout StateArchive)
    /// Restores the state that `save(to:)` wrote, in the same order. The value must already
    /// have the shapes of the saved one (it is built from the same configuration); throws when
    /// the archive does not fit.
    mutating func load(from reader: inout StateArchive.Reader) throws
}
