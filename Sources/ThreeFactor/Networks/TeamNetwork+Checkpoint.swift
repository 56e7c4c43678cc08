extension TeamNetwork: Checkpointable {
    /// Saves everything that evolves: parameters, Adam moments and step, traces, the last
    /// activity, the potential flag and the noise stream. Shapes come from the configuration.
    public func save(to archive: inout StateArchive) {
        archive.append(storage)
        archive.append(adamStep)
        archive.append(firstPotentialIsCurrent)
        noise.save(to: &archive)
    }

    /// Restores what `save(to:)` wrote, into a network built with the same shape.
    public mutating func load(from reader: inout StateArchive.Reader) throws {
        try reader.doubles(into: &storage)
        adamStep = try reader.int()
        firstPotentialIsCurrent = try reader.bool()
        try noise.load(from: &reader)
    }
}
