/// A stable 64-bit FNV-1a hash of a string (Swift's `Hasher` is randomised per process,
/// so it cannot seed anything that must repeat).
public func stableHash(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        h ^= UInt64(byte)
        h = h &* 0x0000_0100_0000_01B3
    }
    return h
}
