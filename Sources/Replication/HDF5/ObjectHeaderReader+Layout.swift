extension ObjectHeaderReader {
    /// Checks a dataset's layout message (type 8) against the dataset's datatype and
    /// dataspace messages, and for chunked storage the chunk index it names.
    ///
    /// libhdf5 1.10.8 reads an unfiltered chunk into a buffer of the size the chunk index
    /// gives for it, then copies the selected elements out of that buffer by the sizes the
    /// layout gives: an index entry damaged to a smaller size makes it read past the buffer
    /// (AddressSanitizer, in `H5VM_memcpyvv` under `H5Dread`; found by fuzzing the run-log
    /// reader: `Fuzz/corpus/runlog/overread-chunk-size.h5`). So every chunk the index names
    /// must have the layout's chunk size (when no filter may change it) and lie on a chunk
    /// boundary, and the layout's element size must be the datatype's. A compact dataset's
    /// stored bytes must hold its dataspace. Layout version 4 is written only with version-2
    /// headers, and its chunk indexes are checksummed, so it is not checked here.
    func checkLayout(_ layout: Message, of messages: [Message]) throws {
        let body = layout.body, end = layout.body + layout.length
        let version = image[body]
        guard version <= 3 else { return }
        let elementSize = messages.first(where: { $0.type == 0x03 }).flatMap { word($0.body + 4, 4) }
        let count = messages.first(where: { $0.type == 0x01 }).flatMap { dataspace(at: $0.body)?.count }
        let rank = messages.first(where: { $0.type == 0x01 }).flatMap { word($0.body + 1, 1) }
        let cutShort = damaged("the layout message at byte \(layout.at) is cut short")
        // Versions 1 and 2: version, dimensionality, class, 5 reserved bytes, then an address
        // (not for compact storage) and the dimensions. Version 3: version, class, then per class.
        let storageClass = version == 3 ? word(body + 1, 1) : word(body + 2, 1)
        switch storageClass {
        case 0?:  // compact: the size of the raw data, then the data
            let sizeAt = version == 3 ? body + 2 : body + 8 + 4 * (word(body + 1, 1) ?? 0)
            guard let size = word(sizeAt, version == 3 ? 2 : 4), size <= end - (sizeAt + (version == 3 ? 2 : 4)) else { throw cutShort }
            if let elementSize, let count {
                let (needed, overflow) = elementSize.multipliedReportingOverflow(by: count)
                guard !overflow, needed <= size else {
                    throw damaged("the compact dataset whose layout message is at byte \(layout.at) stores \(size) bytes for \(count) elements of \(elementSize) bytes")
                }
            }
        case 2?:  // chunked: dimensionality (rank + 1), index address, dimensions of 4 bytes
            let dimensionality = version == 3 ? word(body + 2, 1) : word(body + 1, 1)
            let addressAt = version == 3 ? body + 3 : body + 8
            guard let dimensionality, (2...33).contains(dimensionality), addressAt + 8 + 4 * dimensionality <= end else { throw cutShort }
            let dimensions = (0..<dimensionality).map { word(addressAt + 8 + 4 * $0, 4)! }
            var chunkBytes = 1
            for d in dimensions {
                let (product, overflow) = chunkBytes.multipliedReportingOverflow(by: d)
                guard d > 0, !overflow, product <= Int(UInt32.max) else {
                    throw damaged("the layout message at byte \(layout.at) declares chunks of \(dimensions.map(String.init).joined(separator: " x ")) bytes")
                }
                chunkBytes = product
            }
            if let elementSize, elementSize != dimensions.last! {
                throw damaged("the layout message at byte \(layout.at) declares \(dimensions.last!)-byte elements for a datatype of \(elementSize) bytes")
            }
            if let rank, rank != dimensionality - 1 {
                throw damaged("the layout message at byte \(layout.at) declares chunks of rank \(dimensionality - 1) for a dataspace of rank \(rank)")
            }
            let index = word(addressAt, 8)
            guard let index else { return }  // undefined address (all ones): no chunk written yet
            let filtered = messages.contains { $0.type == 0x0B }
            var visited: Set<Int> = []
            try checkChunkIndexNode(at: index, level: nil, dimensions: dimensions, chunkBytes: filtered ? nil : chunkBytes,
                                    layout: layout.at, visited: &visited)
        default: break  // contiguous: the library refuses an extent beyond the end of the file
        }
    }

    /// Checks the version-1 B-tree node of a chunk index at file address `address` (format
    /// specification III.A.1): its signature "TREE", node type 1, its `level` (one less than
    /// its parent's), and the keys of its entries: a leaf's keys give each chunk's stored size
    /// (which must be `chunkBytes`, when known) and its offset in the dataset, in elements
    /// (which must be a multiple of the chunk's dimensions, the element dimension 0).
    func checkChunkIndexNode(at address: Int, level expected: Int?, dimensions: [Int], chunkBytes: Int?,
                             layout: Int, visited: inout Set<Int>) throws {
        guard address <= image.count - base - 24 else {
            throw damaged("the chunk index of the layout message at byte \(layout) lies beyond the file")
        }
        let node = base + address
        guard visited.insert(node).inserted else {
            throw damaged("the chunk index node at byte \(node) is named twice")
        }
        guard Array(image[node..<node + 4]) == Array("TREE".utf8), image[node + 4] == 1 else {
            throw damaged("the chunk index of the layout message at byte \(layout) names byte \(node), which holds no chunk index node")
        }
        let level = Int(image[node + 5]), entries = word(node + 6, 2)!
        if let expected, level != expected {
            throw damaged("the chunk index node at byte \(node) has level \(level) below a node of level \(expected + 1)")
        }
        let keySize = 8 + 8 * dimensions.count
        guard (entries + 1) * keySize + entries * 8 <= image.count - node - 24 else {
            throw damaged("the chunk index node at byte \(node) declares \(entries) entries, more than the file holds")
        }
        for k in 0..<entries {
            let key = node + 24 + k * (keySize + 8)
            let child = word(key + keySize, 8)
            if level > 0 {
                guard let child else { throw damaged("the chunk index node at byte \(node) names no child in entry \(k)") }
                try checkChunkIndexNode(at: child, level: level - 1, dimensions: dimensions, chunkBytes: chunkBytes,
                                        layout: layout, visited: &visited)
                continue
            }
            let size = word(key, 4)!
            if size == 0 || (chunkBytes != nil && size != chunkBytes!) {
                throw damaged("the chunk index node at byte \(node) gives a chunk a size of \(size) bytes, where the layout message at byte \(layout) declares \(chunkBytes.map { "\($0)-byte chunks" } ?? "filtered chunks")")
            }
            for (j, extent) in dimensions.enumerated() {
                let offset = word(key + 8 + 8 * j, 8) ?? Int.max
                let onBoundary = j == dimensions.count - 1 ? offset == 0 : offset % extent == 0
                guard onBoundary else {
                    throw damaged("the chunk index node at byte \(node) places a chunk at offset \(offset) of dimension \(j), off the layout's chunk boundaries")
                }
            }
            guard let child, child <= image.count - base, size <= image.count - base - child else {
                throw damaged("the chunk index node at byte \(node) places a chunk of \(size) bytes beyond the end of the file")
            }
        }
    }
}
