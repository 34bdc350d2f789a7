import Foundation
import ImageLayout
import ImageSpec
import ImageTransport

/// The offline image service: what docker's image service does, over an OCI image
/// layout directory instead of a daemon. Every operation that changes the store
/// writes blobs first (verified, atomically renamed) and `index.json` last, under the
/// layout's lock, so a failure leaves the store as it was.
public final class ImageService {
    public let layout: OCILayout
    /// The platform an operation picks from a multi-platform image (containerd's
    /// `Only` matching); nil prefers this machine's platform among all.
    public var platform: Platform?

    /// Opens (creating when needed) the store at `storePath`.
    public init(storePath: String, create: Bool = true) throws {
        layout = try OCILayout(root: storePath, create: create)
        if create { layout.cleanAbandonedIngest() }
    }

    /// Every image in the store, grouped by target digest, in `index.json` order.
    public func images() throws -> [StoredImage] {
        let index = try layout.readIndex()
        var order: [Digest] = []
        var byDigest: [Digest: StoredImage] = [:]
        for d in index.manifests where MediaType.isIndex(d.mediaType) || MediaType.isManifest(d.mediaType) {
            let name = d.storedName
            if var s = byDigest[d.digest] {
                if let name, !s.names.contains(name) { s.names.append(name); s.names.sort() }
                byDigest[d.digest] = s
            } else {
                byDigest[d.digest] = StoredImage(descriptor: d.named(nil), names: name.map { [$0] } ?? [])
                order.append(d.digest)
            }
        }
        return order.map { byDigest[$0]! }
    }

    /// Finds an image by name (`busybox` = `docker.io/library/busybox:latest`), by
    /// `name@digest`, or by an ID or ID prefix (4–64 hex, `sha256:` optional).
    /// - Throws: `LadingError.notFound`, or `.ambiguous` when a prefix matches several images.
    public func resolve(_ text: String) throws -> StoredImage {
        let all = try images()
        if let ref = try? Reference(parsing: text) {
            let full = ref.withDefaultTag
            if let hit = all.first(where: { $0.names.contains(full) }) { return hit }
            if let dg = ref.digest, let hit = all.first(where: { $0.id == dg && ($0.names.contains { $0.name == ref.name } || ref.tag == nil) }) {
                return hit
            }
        }
        var hex = Substring(text)
        if hex.hasPrefix("sha256:") { hex = hex.dropFirst(7) }
        if (4...64).contains(hex.count), hex.allSatisfy({ "0123456789abcdef".contains($0) }) {
            let hits = all.filter { $0.id.encoded.hasPrefix(hex) }
            if hits.count == 1 { return hits[0] }
            if hits.count > 1 { throw LadingError(.ambiguous, "\(text): ambiguous reference: matches \(hits.count) images") }
        }
        throw LadingError(.notFound, "No such image: \(text)")
    }
}
