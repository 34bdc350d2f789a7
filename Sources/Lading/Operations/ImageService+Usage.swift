import ImageLayout
import ImageSpec

/// One image's disk usage (docker's `system df -v`, images part).
public struct ImageUsage: Sendable {
    public var image: ImageRecord
    public var created: String?
    /// Bytes of every blob the image needs (index, manifests, configs, layers present).
    public var size: Int64
    /// Bytes of those blobs some other image needs too.
    public var sharedSize: Int64
    public var uniqueSize: Int64 { size - sharedSize }
}

/// The store's disk usage.
public struct DiskUsage: Sendable {
    public var images: [ImageUsage]
    /// Bytes of all blobs reachable from any image, each counted once.
    public var totalSize: Int64
    /// Bytes of the layer blobs among them.
    public var layersSize: Int64
    /// Bytes `prune` would reclaim: blobs no image needs and blobs only dangling
    /// (unnamed) images need.
    public var reclaimable: Int64
}

extension ImageService {
    /// The blobs an image needs, with sizes, and which of them are layers.
    func blobs(of image: ImageRecord) throws -> [Digest: (size: Int64, layer: Bool)] {
        var out: [Digest: (size: Int64, layer: Bool)] = [:]
        var walk = DescriptorWalk(source: layout)
        walk.absent = { _ in }
        try walk.visit([image.descriptor]) { node in
            guard let size = layout.blobSize(node.descriptor.digest) else { return .skip }
            out[node.descriptor.digest] = (size, MediaType.isLayer(node.descriptor.mediaType))
            return .descend
        }
        return out
    }

    /// Sizes per image (total, shared with other images, unique) and for the store.
    public func diskUsage() throws -> DiskUsage {
        let all = try images()
        let sets = try all.map { try blobs(of: $0) }
        var users: [Digest: Int] = [:]
        for s in sets { for d in s.keys { users[d, default: 0] += 1 } }
        var union: [Digest: (size: Int64, layer: Bool)] = [:]
        for s in sets { union.merge(s) { a, _ in a } }
        let usages = zip(all, sets).map { img, s in
            ImageUsage(image: img, created: (try? details(of: img))?.config.created,
                       size: s.values.reduce(0) { $0 + $1.size },
                       sharedSize: s.filter { users[$0.key, default: 0] > 1 }.values.reduce(0) { $0 + $1.size })
        }
        // What `prune` would free: the blobs unreachable once the dangling images are gone
        // (docker's `system df` counts unused images as reclaimable).
        var index = try layout.readIndex()
        let dangling = Set(all.filter { $0.names.isEmpty }.map(\.id))
        index.manifests.removeAll { dangling.contains($0.digest) }
        let dead = try layout.unreachable(from: index.manifests)
        return DiskUsage(images: usages, totalSize: union.values.reduce(0) { $0 + $1.size },
                         layersSize: union.values.filter(\.layer).reduce(0) { $0 + $1.size },
                         reclaimable: dead.reduce(0) { $0 + $1.1 })
    }
}

/// One row of `history`, newest first.
public struct HistoryRow: Sendable {
    public var created: String?
    public var createdBy: String
    public var comment: String
    /// Bytes of the layer blob this entry added; 0 for empty-layer entries.
    public var size: Int64
    public var emptyLayer: Bool
}

extension ImageService {
    /// The image's history, newest first, each non-empty entry matched with its layer.
    /// - Throws: `LadingError.invalidArgument` when there are more non-empty entries than layers.
    public func history(of name: String) throws -> (image: ImageRecord, rows: [HistoryRow]) {
        let image = try resolve(name)
        return (image, try ImageReader(source: layout, platform: platform).history(of: image, name: name))
    }
}
