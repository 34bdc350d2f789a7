import ImageSpec

extension ImageService {
    /// Bytes of the blobs `save` writes for `names` and `all` (see `save`), each blob
    /// counted once: the total a progress display shows.
    /// - Throws: what `save` throws for the same arguments (an unknown name).
    public func bytesToSave(_ names: [String], all: Bool) throws -> Int64 {
        var union: [Digest: Int64] = [:]
        for item in try archiveItems(names, all: all) {
            for (d, b) in try blobs(of: item) { union[d] = b.size }
        }
        return union.values.reduce(0, +)
    }

    /// Bytes of the blobs the image `name` needs (index, manifests, configs, layers
    /// present in the store), each counted once.
    /// - Throws: `LadingError.notFound` for an unknown name.
    public func imageBytes(_ name: String) throws -> Int64 {
        try blobs(of: try resolve(name)).values.reduce(0) { $0 + $1.size }
    }
}
