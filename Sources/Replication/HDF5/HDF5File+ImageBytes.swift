extension HDF5File {
    /// The little-endian unsigned integer of `width` (at most 8) bytes at `at` of `image`; the
    /// caller has checked that they lie in the image.
    static func littleEndianWord(_ image: [UInt8], at: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in (0..<width).reversed() { value = value << 8 | UInt64(image[at + k]) }
        return value
    }

    /// The byte offsets at which `signature` begins in `image` with at least `length` bytes
    /// from there to the image's end, in increasing order: where the global heap walk looks for
    /// the collections libhdf5 would decode.
    static func offsets(of signature: [UInt8], in image: [UInt8], length: Int) -> [Int] {
        guard image.count >= length, let first = signature.first else { return [] }
        return image.withUnsafeBufferPointer { bytes in
            (0...(bytes.count - length)).filter { at in
                bytes[at] == first && (1..<signature.count).allSatisfy { bytes[at + $0] == signature[$0] }
            }
        }
    }
}
