import CHDF5

extension HDF5File {
    /// Refuses an open HDF5 image holding an object-header message whose parts do not fit the
    /// sizes it declares, which libhdf5 1.10 would read past.
    ///
    /// libhdf5 1.10.8 decodes several structures by the sizes written inside them without
    /// comparing those with the space they occupy; a damaged size then makes it read memory
    /// it does not own (AddressSanitizer; found by fuzzing the run-log reader, inputs in
    /// Fuzz/corpus/runlog). Two are checked here:
    /// - attribute messages (`overread-attribute-message.h5`): name, datatype, dataspace and
    ///   value must fit in the message (`checkAttribute`);
    /// - the chunk index of a chunked dataset (`overread-chunk-size.h5`): every chunk the
    ///   B-tree names must have the size the layout declares (`checkChunkedLayout`).
    ///
    /// So before any attribute or dataset is opened, every object of the file is listed
    /// (`H5Ovisit` with basic information only, which loads object headers without decoding
    /// their attributes; the library checks each message's frame against its chunk), and the
    /// messages of each version-1 object header are checked. Version-2 headers (signature
    /// `OHDR`, used by files written with the newest format) and the chunk indexes that go
    /// with them carry checksums the library verifies before decoding, so a damaged size
    /// there is already refused. The caller holds `libraryLock`.
    static func checkObjectHeaders(_ fid: hid_t, image: [UInt8], heaps: GlobalHeapObjects, path: String) throws {
        let collect: H5O_iterate_t = { _, _, info, addresses in
            guard let info, let addresses else { return -1 }
            addresses.assumingMemoryBound(to: [UInt64].self).pointee.append(UInt64(info.pointee.addr))
            return 0
        }
        var addresses: [UInt64] = []
        let listed = withUnsafeMutablePointer(to: &addresses) {
            H5Ovisit2(fid, H5_INDEX_NAME, H5_ITER_NATIVE, collect, $0, UInt32(H5O_INFO_BASIC))
        }
        guard listed >= 0 else { throw HDF5Error(message: "\(path): HDF5 failed to list the objects of the file; the file is damaged") }
        var reader = ObjectHeaderReader(image: image, heaps: heaps, path: path)
        try reader.findSuperblock()
        for address in addresses { try reader.checkObjectHeader(at: address) }
    }
}

/// Walks the version-1 object headers of an HDF5 image, byte by byte as the HDF5 file
/// format specification (version 2.0, sections III.A–C and IV.A) lays them out.
struct ObjectHeaderReader {
    let image: [UInt8]
    /// The global heap's objects (`HDF5File.checkGlobalHeaps`), which variable-length
    /// attribute values refer to.
    let heaps: HDF5File.GlobalHeapObjects
    let path: String
    /// The base address, the superblock's position: file addresses count from here.
    var base = 0
    /// Where the superblock (version 0 or 1) begins in the image, once found.
    var superblockOffset: Int? = nil
    /// Chunks already walked, so that a continuation loop ends.
    var walked: Set<Int> = []

    init(image: [UInt8], heaps: HDF5File.GlobalHeapObjects, path: String) {
        self.image = image
        self.heaps = heaps
        self.path = path
    }

    func damaged(_ what: String) -> HDF5Error {
        HDF5Error(message: "\(path): \(what); the file is damaged")
    }

    /// The little-endian unsigned integer of `width` bytes at `at`, or nil past the image.
    func word(_ at: Int, _ width: Int) -> Int? {
        guard at >= 0, width <= 8, at <= image.count - width else { return nil }
        var value: UInt64 = 0
        for k in (0..<width).reversed() { value = value << 8 | UInt64(image[at + k]) }
        return value > UInt64(Int.max) ? nil : Int(value)
    }

    /// Finds the superblock where the library looks for it (byte 0, 512, 1024, ...); its
    /// position is the base address. Only superblocks of versions 0 and 1 go with version-1 object
    /// headers; their addresses must be 8 bytes wide, as in every file ThreeFactor writes.
    mutating func findSuperblock() throws {
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        var at = 0
        while at + 32 <= image.count {
            if Array(image[at..<at + 8]) == signature {
                guard image[at + 8] <= 1 else { return }
                guard image[at + 13] == 8, image[at + 14] == 8 else {
                    throw HDF5Error(message: "\(path): the HDF5 file uses \(image[at + 13])-byte addresses and \(image[at + 14])-byte lengths; a run log uses 8 and 8")
                }
                // The library takes the base address from where it found the superblock, not
                // from the base address field: when the two differ it sets the base to the
                // superblock's position (libhdf5 1.10.8, H5F__super_read). Reading the field
                // would check other bytes than the library reads (a damaged field put every
                // address past the end of the image and let a looping heap free list through:
                // Fuzz/corpus/runlog/oom-local-heap-free-list-base-address.h5).
                base = at
                superblockOffset = at
                return
            }
            at = at == 0 ? 512 : at * 2
        }
    }

    /// Checks the messages of the version-1 object header at `address`: each attribute
    /// message, and a chunked dataset's layout against its datatype, dataspace and chunk index.
    mutating func checkObjectHeader(at address: UInt64) throws {
        guard address < UInt64(image.count), Int(address) < image.count - base else {
            throw damaged("an object header at address \(address) lies beyond the file")
        }
        let start = base + Int(address)
        guard image[start] == 1 else { return }  // version 2 ("OHDR"): checksummed
        guard let size = word(start + 8, 4) else { throw damaged("the object header at byte \(start) is cut short") }
        var messages: [Message] = []
        try walkChunk(from: start + 16, size: size, into: &messages)
        for message in messages where message.type == 0x0C {
            guard message.flags & 0x02 == 0 else {
                throw HDF5Error(message: "\(path): the attribute message at byte \(message.at) is a shared message, which no run log holds")
            }
            try checkAttribute(at: message.at, body: message.body, length: message.length)
        }
        if let layout = messages.first(where: { $0.type == 0x08 }) {
            try checkLayout(layout, of: messages)
        }
    }

    /// One message of an object header: its type, flags, where it starts (`at`), where its
    /// body starts, and the body's length.
    struct Message {
        let type: Int, flags: UInt8, at: Int, body: Int, length: Int
    }

    /// Collects the messages of one header chunk, and of the chunks its continuation messages
    /// name, into `messages`.
    mutating func walkChunk(from start: Int, size: Int, into messages: inout [Message]) throws {
        guard walked.insert(start).inserted else { return }
        guard start <= image.count, size <= image.count - start else {
            throw damaged("the object header chunk at byte \(start) declares \(size) bytes, more than the file holds")
        }
        let end = start + size
        var at = start
        while at + 8 <= end {
            let type = word(at, 2)!, length = word(at + 2, 2)!, flags = image[at + 4]
            let body = at + 8
            guard length <= end - body else {
                throw damaged("the object header message at byte \(at) declares \(length) bytes, beyond its chunk")
            }
            if type == 0x10 {  // continuation: the next chunk's address and length
                guard length >= 16 else { throw damaged("the continuation message at byte \(at) is cut short") }
                guard let next = word(body, 8), let nextSize = word(body + 8, 8), next <= image.count - base else {
                    throw damaged("the continuation message at byte \(at) points beyond the file")
                }
                try walkChunk(from: base + next, size: nextSize, into: &messages)
            } else {
                messages.append(Message(type: type, flags: flags, at: at, body: body, length: length))
            }
            at = body + length
        }
    }

    /// Checks that the name, datatype, dataspace and value of the attribute message whose
    /// body is `length` bytes at `body` fit inside it, in the layout of its version (1: parts
    /// padded to 8 bytes; 2; 3: an encoding byte more, no padding).
    func checkAttribute(at message: Int, body: Int, length: Int) throws {
        let version = image[body]
        guard (1...3).contains(version), length >= (version == 3 ? 9 : 8) else {
            throw damaged("the attribute message at byte \(message) has version \(version) or is cut short")
        }
        if version >= 2, image[body + 1] & 0x03 != 0 {
            throw HDF5Error(message: "\(path): the attribute message at byte \(message) shares its datatype or dataspace, which no run log does")
        }
        let nameSize = word(body + 2, 2)!, typeSize = word(body + 4, 2)!, spaceSize = word(body + 6, 2)!
        let padded: (Int) -> Int = version == 1 ? { ($0 + 7) / 8 * 8 } : { $0 }
        let typeStart = body + (version == 3 ? 9 : 8) + padded(nameSize)
        let spaceStart = typeStart + padded(typeSize)
        let valueStart = spaceStart + padded(spaceSize)
        let end = body + length
        guard valueStart <= end else {
            throw damaged("the attribute message at byte \(message) declares a \(nameSize)-byte name, a \(typeSize)-byte datatype and a \(spaceSize)-byte dataspace, more than its \(length) bytes")
        }
        guard let (elementSize, typeLength, sequenceElementSize) = datatype(at: typeStart), typeLength <= typeSize else {
            throw damaged("the attribute message at byte \(message) holds a datatype that is not an integer, float or string, or does not fit in its \(typeSize) bytes")
        }
        guard let (count, spaceLength) = dataspace(at: spaceStart), spaceLength <= spaceSize else {
            throw damaged("the attribute message at byte \(message) holds a dataspace that does not fit in its \(spaceSize) bytes")
        }
        let (valueSize, overflow) = elementSize.multipliedReportingOverflow(by: count)
        guard !overflow, valueSize <= end - valueStart else {
            throw damaged("the attribute message at byte \(message) declares a value of \(count) elements of \(elementSize) bytes, beyond its \(length) bytes")
        }
        // A variable-length value is stored as its length (4 bytes), then where it lies in the
        // global heap: a collection's address (8) and an object's index in it (4). The library
        // allocates that length before it reads the heap, so a damaged length asks for up to
        // 2^32 elements (gigabytes, from a file of kilobytes): no value is longer than the file
        // that holds it. It then copies the object named, by the object's own size, into that
        // allocation, without checking that the object exists (a damaged reference made it
        // follow a null pointer in `H5HG_read`: `Fuzz/corpus/runlog/missing-global-heap-object*.h5`)
        // or that it fits.
        if let sequenceElementSize {
            guard elementSize == 16 else {
                throw damaged("the attribute message at byte \(message) holds variable-length values of \(elementSize) bytes, not 16")
            }
            for k in 0..<count {
                let at = valueStart + k * elementSize
                let elements = word(at, 4)!
                guard elements <= image.count / max(sequenceElementSize, 1) else {
                    throw damaged("the attribute message at byte \(message) holds a variable-length value of \(elements) elements of \(sequenceElementSize) bytes, more than the file's \(image.count) bytes")
                }
                // Address 0 is the null value; any other is read from the heap, even for an
                // empty value.
                let address = word(at + 4, 8), index = word(at + 12, 4)!
                guard address != 0 else { continue }
                guard let collection = address.map({ base + $0 }), let size = heaps[collection]?[index] else {
                    throw damaged("the attribute message at byte \(message) refers to object \(index) of a global heap collection at address \(address.map(String.init) ?? "beyond the file"), which the file does not hold")
                }
                guard size <= elements * sequenceElementSize else {
                    throw damaged("the attribute message at byte \(message) holds a variable-length value of \(elements * sequenceElementSize) bytes stored in a global heap object of \(size) bytes")
                }
            }
        }
    }

    /// The element size and encoded length of the datatype message at `at`, and for a
    /// variable-length type the size of its base elements, for the classes a run log's
    /// attributes use: fixed-point, floating-point, string, and variable-length sequences or
    /// strings of those; nil for another class or an encoding past the image.
    func datatype(at: Int, depth: Int = 0) -> (elementSize: Int, length: Int, sequenceElementSize: Int?)? {
        guard depth < 4, let classAndVersion = word(at, 1), let size = word(at + 4, 4) else { return nil }
        switch classAndVersion & 0x0F {
        case 0: return (size, 8 + 4, nil)   // fixed-point: bit offset, bit precision
        case 1: return (size, 8 + 12, nil)  // floating-point: offset, precision, exponent and mantissa
        case 3: return (size, 8, nil)       // string: no properties
        case 9:                             // variable length: the base type follows
            guard let (baseSize, baseLength, _) = datatype(at: at + 8, depth: depth + 1) else { return nil }
            return (size, 8 + baseLength, baseSize)
        default: return nil
        }
    }

    /// The element count and encoded length of the dataspace message at `at` (versions 1 and
    /// 2), or nil for another version, a rank above HDF5's 32, or an encoding past the image.
    func dataspace(at: Int) -> (count: Int, length: Int)? {
        guard let version = word(at, 1), let rank = word(at + 1, 1), let flags = word(at + 2, 1),
              (1...2).contains(version), rank <= 32 else { return nil }
        let header = version == 1 ? 8 : 4
        var count = 1
        for k in 0..<rank {
            guard let extent = word(at + header + 8 * k, 8) else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { return nil }
            count = product
        }
        if version == 2, word(at + 3, 1) == 2 { count = 0 }  // the null dataspace holds nothing
        let arrays = 1 + (flags & 1) + (version == 1 ? (flags >> 1) & 1 : 0)  // sizes, maxima, permutation
        return (count, header + 8 * rank * arrays)
    }
}
