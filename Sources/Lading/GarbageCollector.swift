import Foundation
import ImageLayout
import ImageSpec

/// Removes blobs no descriptor reachable from `index.json` names (walking nested
/// indexes, manifests, configs, layers and subjects). Called with the layout lock held.
enum GarbageCollector {
    /// - Returns: the removed blobs and their sizes.
    @discardableResult
    static func collect(_ layout: OCILayout, index: ImageIndex) throws -> [(Digest, Int64)] {
        let dead = try unreachable(layout, index: index)
        var removed: [(Digest, Int64)] = []
        for (d, size) in dead where unlink(layout.blobPath(d)) == 0 { removed.append((d, size)) }
        return removed
    }

    /// The blobs `collect` would remove, sorted by digest.
    static func unreachable(_ layout: OCILayout, index: ImageIndex) throws -> [(Digest, Int64)] {
        var live = Set<Digest>()
        func mark(_ d: Descriptor) {
            guard live.insert(d.digest).inserted, layout.hasBlob(d.digest) else { return }
            if MediaType.isIndex(d.mediaType), let b = try? layout.readBlob(d.digest),
               let idx = try? JSON.decode(ImageIndex.self, from: b, what: "") {
                idx.manifests.forEach(mark)
                if let s = idx.subject { mark(s) }
            } else if MediaType.isManifest(d.mediaType), let b = try? layout.readBlob(d.digest),
                      let m = try? JSON.decode(ImageManifest.self, from: b, what: "") {
                mark(m.config)
                m.layers.forEach(mark)
                if let s = m.subject { mark(s) }
            }
        }
        index.manifests.forEach(mark)
        var dead: [(Digest, Int64)] = []
        let dir = "\(layout.root)/blobs/sha256"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            guard let d = try? Digest(parsing: "sha256:\(name)"), !live.contains(d) else { continue }
            dead.append((d, layout.blobSize(d) ?? 0))
        }
        return dead.sorted { $0.0 < $1.0 }
    }
}
