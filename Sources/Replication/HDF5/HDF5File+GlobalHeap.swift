extension HDF5File {
    /// Refuses an HDF5 image holding a global heap collection that libhdf5 1.10 would read
    /// for ever.
    ///
    /// Variable-length data (every string attribute of a run log) lives in HDF5's global
    /// heap: collections that begin `GCOL`, version 1, three reserved bytes, the collection's
    /// size (8 bytes), then objects, each a 16-byte header (index, reference count, reserved,
    /// size) and its data padded to 8 bytes; object 0 is the collection's free space, its
    /// size counting its own header. libhdf5 1.10.8's loader walks the objects by their sizes
    /// without checking that each step advances: a damaged free-space object of size 0 keeps
    /// it at one offset for ever, inside a single C call that no Swift code can interrupt
    /// (found by fuzzing the run-log reader: `Fuzz/corpus/runlog/hang-global-heap-*.h5`).
    ///
    /// Nor does it check that an object fits in its collection: an object whose damaged size
    /// runs past the collection's end is later copied out by that size, far past the heap
    /// (AddressSanitizer, in `H5HG_read` under `H5Aread`:
    /// `Fuzz/corpus/runlog/overread-global-heap-object.h5`).
    ///
    /// So before the library sees an image, every collection in it is walked here the way
    /// the loader walks it, and one that would not advance, whose declared size does not fit
    /// in the image, or that holds an object running past its end, is an error naming the
    /// file and the byte offset. What the walk finds is returned, for the attribute checks
    /// of `checkObjectHeaders` to hold each reference into the heap against. Collections are
    /// found by their signature; a chance occurrence of the 8 bytes `GCOL` 01 00 00 00 in
    /// numeric data, not followed by a walkable collection, would refuse a sound file; in
    /// the 64-bit floats and small integers of a run log that does not occur.
    /// The objects of each collection: their sizes by index, by the collection's byte offset.
    typealias GlobalHeapObjects = [Int: [Int: Int]]

    static func checkGlobalHeaps(_ image: [UInt8], path: String) throws -> GlobalHeapObjects {
        let signature: [UInt8] = [0x47, 0x43, 0x4F, 0x4C, 1, 0, 0, 0]  // "GCOL", version 1, reserved
        let headerSize = 16, objectHeaderSize = 16
        var collections: GlobalHeapObjects = [:]
        let word = { (at: Int, width: Int) in littleEndianWord(image, at: at, width: width) }
        for hit in offsets(of: signature, in: image, length: headerSize) {
            var objects: [Int: Int] = [:]
            let size = word(hit + 8, 8)
            guard size >= UInt64(headerSize), size <= UInt64(image.count - hit) else {
                throw HDF5Error(message: "\(path): the global heap collection at byte \(hit) declares \(size) bytes, more than the file holds; the file is damaged")
            }
            let end = hit + Int(size)
            var at = hit + headerSize
            while at + objectHeaderSize <= end {
                let index = word(at, 2), objectSize = word(at + 8, 8)
                let remaining = UInt64(end - at)
                // The free-space object's size counts its header; another object's
                // does not, and its data is padded to 8 bytes.
                let step: UInt64? = index == 0 ? objectSize
                    : objectSize > remaining ? nil : UInt64(objectHeaderSize) + (objectSize + 7) / 8 * 8
                guard step != 0 else {
                    throw HDF5Error(message: "\(path): the global heap collection at byte \(hit) holds an object of size 0 at byte \(at); the file is damaged")
                }
                guard let step, step <= remaining else {
                    throw HDF5Error(message: "\(path): the global heap collection at byte \(hit) holds an object of \(objectSize) bytes at byte \(at), beyond the collection's end at byte \(end); the file is damaged")
                }
                if index != 0 { objects[Int(index)] = Int(objectSize) }
                at += Int(step)
            }
            collections[hit] = objects
        }
        return collections
    }
}
