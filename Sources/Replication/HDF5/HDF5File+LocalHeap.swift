extension HDF5File {
    /// Refuses an HDF5 image holding a local heap whose free list libhdf5 1.10 would follow
    /// for ever or read past.
    ///
    /// The names of a group's members (every `seed_<n>` group of a run log) live in the
    /// group's local heap: a header that begins `HEAP`, version 0, three reserved bytes, the
    /// data segment's size (8 bytes), the offset of its first free block (8; the value 1
    /// means none), and the data segment's address (8). Each free block begins with the
    /// offset of the next (8) and its own size (8). libhdf5 1.10.8 builds the free list by
    /// following those offsets, checking only that each lies inside the data segment: a
    /// damaged offset that leads back to a block already visited makes it allocate list
    /// nodes until memory runs out, inside one C call (found by fuzzing the run-log reader:
    /// `Fuzz/corpus/runlog/oom-local-heap-free-list.h5`, where one changed byte made the only
    /// free block name itself), and a block that starts within 16 bytes of the segment's end
    /// is decoded from bytes past it.
    ///
    /// So before the library sees an image, every local heap in it is found by its signature
    /// and its free list is walked here: a block visited twice, or a block whose header or
    /// extent does not fit in the data segment, is an error naming the file and the byte
    /// offset. A heap whose data segment lies
    /// elsewhere than the image holds is left to the library, which refuses to read past the
    /// end of a file. As with the global heap, a chance occurrence of the signature in numeric
    /// data would refuse a sound file; in a run log's floats and small integers it does not
    /// occur.
    static func checkLocalHeaps(_ image: [UInt8], path: String) throws {
        let signature: [UInt8] = [0x48, 0x45, 0x41, 0x50, 0, 0, 0, 0]  // "HEAP", version 0, reserved
        let headerSize = 32, freeBlockHeaderSize = 16, noFreeBlock: UInt64 = 1
        var reader = ObjectHeaderReader(image: image, heaps: [:], path: path)
        try reader.findSuperblock()
        let base = reader.base
        let word = { (at: Int) in littleEndianWord(image, at: at, width: 8) }
        for hit in offsets(of: signature, in: image, length: headerSize) {
            let segmentSize = word(hit + 8), segmentAddress = word(hit + 24)
            var free = word(hit + 16)
            guard free != noFreeBlock else { continue }
            let available = UInt64(image.count - base)
            guard segmentAddress < available, segmentSize <= available - segmentAddress else { continue }
            let segment = base + Int(segmentAddress)
            var visited: Set<UInt64> = []
            while free != noFreeBlock {
                guard free <= segmentSize, segmentSize - free >= UInt64(freeBlockHeaderSize) else {
                    throw HDF5Error(message: "\(path): the local heap at byte \(hit) names a free block at offset \(free) of its \(segmentSize)-byte data segment, which the block's header does not fit in; the file is damaged")
                }
                guard visited.insert(free).inserted else {
                    throw HDF5Error(message: "\(path): the free list of the local heap at byte \(hit) returns to the block at offset \(free); the file is damaged")
                }
                let block = segment + Int(free)
                let size = word(block + 8)
                guard size <= segmentSize - free else {
                    throw HDF5Error(message: "\(path): the local heap at byte \(hit) holds a free block of \(size) bytes at offset \(free), beyond its \(segmentSize)-byte data segment; the file is damaged")
                }
                free = word(block)
            }
        }
    }
}
