/// A seedable, splittable, platform-independent random number generator.
///
/// The generator is Philox4x64-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers:
/// as easy as 1, 2, 3", SC 2011): a counter-based generator whose output block `n` is a
/// keyed bijection of the counter `n`. Two streams with different keys are independent, so
/// a run can hand every seed, every network and every environment its own stream without
/// any of them depending on the order in which threads happen to draw numbers. The bit
/// stream equals NumPy's `numpy.random.Philox(key=..., counter=0)`, which the known-answer
/// tests check.
///
/// Derived draws use only IEEE arithmetic and `log`, `sin`, `cos`, `sqrt`, so a run is a
/// pure function of its seed on every platform with a correctly rounded libm.
public struct RandomStream: Sendable, Equatable {
    /// The 128-bit key; `(seed, stream)` for a root stream.
    public private(set) var key0: UInt64
    /// The key's second word: `stream` for a root stream; for a child, a word of the Philox
    /// image of its tag (see `split(_:)`).
    public private(set) var key1: UInt64
    /// Index of the last block generated (NumPy's counter word 0).
    public private(set) var counter: UInt64
    @usableFromInline var block: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Next word of `block` to hand out; 4 means the block is used up.
    @usableFromInline var position: Int = 4
    /// Box–Muller produces normals in pairs; the second one waits here.
    private var spareNormal: Double? = nil

    /// A root stream. Different `(seed, stream)` pairs give independent streams.
    public init(seed: UInt64, stream: UInt64 = 0) {
        key0 = seed
        key1 = stream
        counter = 0
    }

    /// An independent child stream named by `tag`; the parent is not advanced.
    ///
    /// The child key is the Philox image of `(tag, 0x5EED…)` under the parent key, so
    /// children of different parents or with different tags do not collide in practice.
    public func split(_ tag: UInt64) -> RandomStream {
        let b = Self.philox(counter: (tag, 0x5EED_5EED_5EED_5EED, 0, 0), key: (key0, key1))
        return RandomStream(seed: b.0, stream: b.1)
    }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 { nextWord() }

    /// The fast path (a word of the current block) is inlined into the callers; the block
    /// computation is not, to keep them small.
    @inlinable @inline(__always)
    mutating func nextWord() -> UInt64 {
        if position == 4 { refill() }
        defer { position += 1 }
        switch position {
        case 0: return block.0
        case 1: return block.1
        case 2: return block.2
        default: return block.3
        }
    }

    @usableFromInline @inline(never)
    mutating func refill() {
        counter &+= 1
        block = Self.philox(counter: (counter, 0, 0, 0), key: (key0, key1))
        position = 0
    }

    /// Uniform on [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform on [low, high).
    @inlinable @inline(__always)
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * uniform()
    }

    /// Uniform integer in 0..<n without modulo bias (Lemire's multiply-and-reject).
    public mutating func integer(below n: Int) -> Int {
        precondition(n > 0, "integer(below:) needs n > 0")
        let bound = UInt64(n)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// Standard normal by the Box–Muller transform.
    public mutating func normal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        let u1 = Double((next() >> 11) + 1) * 0x1.0p-53  // (0, 1]: log is finite
        let u2 = uniform()
        let r = (-2.0 * _log(u1)).squareRoot()
        let theta = 2.0 * Double.pi * u2
        spareNormal = r * _sin(theta)
        return r * _cos(theta)
    }

    /// Index drawn with the given probabilities (which should sum to 1; the last index
    /// absorbs any rounding shortfall).
    public mutating func categorical(_ probabilities: UnsafeBufferPointer<Double>) -> Int {
        let u = uniform()
        var cumulative = 0.0
        for i in 0..<(probabilities.count - 1) {
            cumulative += probabilities[i]
            if u < cumulative { return i }
        }
        return probabilities.count - 1
    }

    /// Index drawn with the given probabilities.
    public mutating func categorical(_ probabilities: [Double]) -> Int {
        probabilities.withUnsafeBufferPointer { categorical($0) }
    }

    // MARK: Philox4x64-10

    @inline(__always)
    static func philox(
        counter c: (UInt64, UInt64, UInt64, UInt64), key k: (UInt64, UInt64)
    ) -> (UInt64, UInt64, UInt64, UInt64) {
        var c = c
        var k = k
        for round in 0..<10 {
            if round > 0 {
                k.0 &+= 0x9E37_79B9_7F4A_7C15
                k.1 &+= 0xBB67_AE85_84CA_A73B
            }
            let p0 = UInt64(0xD2E7_470E_E14C_6C93).multipliedFullWidth(by: c.0)
            let p1 = UInt64(0xCA5A_8263_9512_1157).multipliedFullWidth(by: c.2)
            c = (p1.high ^ c.1 ^ k.0, p1.low, p0.high ^ c.3 ^ k.1, p0.low)
        }
        return c
    }
}

extension RandomStream {
    /// Two streams are equal when they will produce the same numbers from here on.
    public static func == (a: RandomStream, b: RandomStream) -> Bool {
        var sa = StateArchive(), sb = StateArchive()
        a.save(to: &sa)
        b.save(to: &sb)
        return sa == sb
    }
}

extension RandomStream: Checkpointable {
    /// Appends the key, the counter, the current block with the position in it and the
    /// waiting normal, so that a restored stream continues with the same numbers.
    public func save(to archive: inout StateArchive) {
        archive.append(key0)
        archive.append(key1)
        archive.append(counter)
        archive.append(UInt64(position))
        archive.append(block.0)
        archive.append(block.1)
        archive.append(block.2)
        archive.append(block.3)
        archive.append(spareNormal != nil)
        archive.append(spareNormal ?? 0)
    }

    /// Restores what `save(to:)` wrote.
    public mutating func load(from reader: inout StateArchive.Reader) throws {
        key0 = try reader.uint64()
        key1 = try reader.uint64()
        counter = try reader.uint64()
        position = Int(try reader.uint64())
        block = (try reader.uint64(), try reader.uint64(), try reader.uint64(), try reader.uint64())
        let hasSpare = try reader.bool()
        let spare = try reader.double()
        spareNormal = hasSpare ? spare : nil
    }
}
