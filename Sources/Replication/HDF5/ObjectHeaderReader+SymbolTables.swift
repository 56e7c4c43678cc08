extension HDF5File {
    /// Refuses an image in which a group's local heap has a free list libhdf5 would follow for
    /// ever or read past, or names a member by a string that does not end inside the heap
    /// (`ObjectHeaderReader.checkSymbolTables`).
    static func checkSymbolTables(_ image: [UInt8], path: String) throws {
        var reader = ObjectHeaderReader(image: image, heaps: [:], path: path)
        try reader.findSuperblock()
        try reader.checkSymbolTables()
    }
}

extension ObjectHeaderReader {
    /// Refuses an image in which a group names a member by a string that does not end inside
    /// the group's local heap, which libhdf5 1.10 would copy from memory past the heap.
    ///
    /// A group of the original file format (every group of a run log) keeps its members in a
    /// symbol table: its object header's symbol table message names a version-1 B-tree
    /// (nodes `TREE`, type 0) and a local heap (`HEAP`). The B-tree's keys, and the entries of
    /// its leaves (`SNOD`: a name's offset into the heap, the member's object header address,
    /// 32 bytes more), name strings in the heap's data segment by offset. libhdf5 1.10.8 checks
    /// only that the offset lies in the segment, then duplicates the string with `strdup`,
    /// which reads to the first zero byte wherever it is: a name whose terminating zero was
    /// damaged is read past the heap (AddressSanitizer, in `H5G__ent_to_link` under
    /// `H5Ovisit2`: `Fuzz/corpus/runlog/overread-member-name.h5`, where the last name of a
    /// seed's heap had lost its zero).
    ///
    /// The heap's free list is read by the library too, when it loads the heap: a header that
    /// begins `HEAP`, version 0, three reserved bytes, the data segment's size (8 bytes), the
    /// offset of its first free block (8; the value 1 means none), and the data segment's
    /// address (8); each free block begins with the offset of the next (8) and its own size
    /// (8). libhdf5 1.10.8 follows those offsets checking only that each lies inside the data
    /// segment: a damaged offset that leads back to a block already visited makes it allocate
    /// list nodes until memory runs out, inside one C call
    /// (`Fuzz/corpus/runlog/oom-local-heap-free-list.h5`, where one changed byte made the only
    /// free block name itself), and a block that starts within 16 bytes of the segment's end
    /// is decoded from bytes past it.
    ///
    /// So before the library opens an image, the groups are walked from the root the way the
    /// library walks them; the free list of each group's heap must visit each block once and
    /// fit in the data segment, and every name offset of every key and entry must point at a
    /// string that ends inside the segment; a failure is an error naming the file and the byte
    /// offset. Only the heaps the groups name are read: a file keeps the bytes of structures
    /// it no longer uses (a group removed and created again leaves its old heap behind, whose
    /// segment may since hold anything), and the library never reads those. A structure that is not where its address says (no signature, or
    /// beyond the image) is left to the library, which checks signatures and refuses to read
    /// past the end of a file. Each node and header is visited once, so a damaged address
    /// that loops back ends the walk.
    mutating func checkSymbolTables() throws {
        // The superblock (versions 0 and 1) ends with the root group's symbol table entry,
        // whose second word is the root's object header address.
        guard let superblock = superblockOffset else { return }
        let rootEntry = superblock + (image[superblock + 8] == 0 ? 56 : 60)
        guard let root = word(rootEntry + 8, 8) else { return }
        var groups = [root]
        var visitedGroups: Set<Int> = [], visitedNodes: Set<Int> = []
        while let group = groups.popLast() {
            guard visitedGroups.insert(group).inserted,
                  let (tree, heapAddress) = symbolTable(ofObjectHeaderAt: group),
                  let heap = localHeapSegment(at: heapAddress) else { continue }
            try checkFreeList(ofHeapAt: base + heapAddress, segment: heap)
            var nodes = [tree]
            while let node = nodes.popLast() {
                guard visitedNodes.insert(node).inserted else { continue }
                try checkGroupNode(at: node, heap: heap, heapAt: base + heapAddress, nodes: &nodes, members: &groups)
            }
        }
    }

    /// The B-tree and local heap addresses of the symbol table message of the version-1
    /// object header at `address`, or nil when it has none (a dataset, or a header that
    /// `checkObjectHeader` will refuse).
    private mutating func symbolTable(ofObjectHeaderAt address: Int) -> (tree: Int, heap: Int)? {
        let start = base + address
        guard address < image.count - base, image[start] == 1, let size = word(start + 8, 4) else { return nil }
        var messages: [Message] = []
        let walkedBefore = walked
        defer { walked = walkedBefore }
        guard (try? walkChunk(from: start + 16, size: size, into: &messages)) != nil,
              let table = messages.first(where: { $0.type == 0x11 }), table.length >= 16,
              let tree = word(table.body, 8), let heap = word(table.body + 8, 8) else { return nil }
        return (tree, heap)
    }

    /// The byte range in the image of the data segment of the local heap at `address`, or nil
    /// when there is no heap there or its segment lies beyond the image.
    private func localHeapSegment(at address: Int) -> Range<Int>? {
        let at = base &+ address
        guard address >= 0, at <= image.count - 32, Array(image[at..<at + 8]) == [0x48, 0x45, 0x41, 0x50, 0, 0, 0, 0],
              let size = word(at + 8, 8), let segment = word(at + 24, 8),
              segment <= image.count - base, size <= image.count - base - segment else { return nil }
        return (base + segment)..<(base + segment + size)
    }

    /// Walks the free list of the local heap whose header is at image offset `at`.
    private func checkFreeList(ofHeapAt at: Int, segment: Range<Int>) throws {
        let noFreeBlock = 1, freeBlockHeaderSize = 16
        guard var free = word(at + 16, 8) else { return }
        var visited: Set<Int> = []
        while free != noFreeBlock {
            guard free <= segment.count, segment.count - free >= freeBlockHeaderSize else {
                throw damaged("the local heap at byte \(at) names a free block at offset \(free) of its \(segment.count)-byte data segment, which the block's header does not fit in")
            }
            guard visited.insert(free).inserted else {
                throw damaged("the free list of the local heap at byte \(at) returns to the block at offset \(free)")
            }
            let block = segment.lowerBound + free
            guard let size = word(block + 8, 8), size <= segment.count - free else {
                throw damaged("the local heap at byte \(at) holds a free block of \(word(block + 8, 8).map(String.init) ?? "?") bytes at offset \(free), beyond its \(segment.count)-byte data segment")
            }
            guard let next = word(block, 8) else { return }
            free = next
        }
    }

    /// Checks the names of one node of a group's B-tree: at level 0 its children are symbol
    /// table nodes, whose entries are checked and whose members join `members`; above, its
    /// children are B-tree nodes, which join `nodes`.
    private func checkGroupNode(at address: Int, heap: Range<Int>, heapAt: Int, nodes: inout [Int], members: inout [Int]) throws {
        let at = base &+ address
        guard address >= 0, at <= image.count - 24, Array(image[at..<at + 5]) == [0x54, 0x52, 0x45, 0x45, 0],
              let entries = word(at + 6, 2) else { return }
        let level = image[at + 5]
        for k in 0...entries {
            guard let key = word(at + 24 + 16 * k, 8) else { return }
            try checkName(at: key, in: heap, heapAt: heapAt, by: "the group B-tree key at byte \(at + 24 + 16 * k)")
            guard k < entries, let child = word(at + 32 + 16 * k, 8) else { continue }
            if level > 0 { nodes.append(child); continue }
            let leaf = base &+ child
            guard child >= 0, leaf <= image.count - 8, Array(image[leaf..<leaf + 4]) == [0x53, 0x4E, 0x4F, 0x44],
                  let symbols = word(leaf + 6, 2) else { continue }
            for s in 0..<symbols {
                let entry = leaf + 8 + 40 * s
                guard let name = word(entry, 8), let header = word(entry + 8, 8) else { break }
                try checkName(at: name, in: heap, heapAt: heapAt, by: "the symbol table entry at byte \(entry)")
                members.append(header)
            }
        }
    }

    /// A name's offset must lie in the heap's data segment and its string must end there.
    private func checkName(at offset: Int, in heap: Range<Int>, heapAt: Int, by naming: String) throws {
        guard offset < heap.count, image[(heap.lowerBound + offset)..<heap.upperBound].contains(0) else {
            throw damaged("\(naming) names a member by offset \(offset) into the \(heap.count)-byte local heap at byte \(heapAt), where no string ends")
        }
    }
}
